"""Every voice page opens for the public and for staff with the demo's content."""

import re

import pytest

from lifecircle.store.deliberation.models import Proposal
from lifecircle.store.projects.models import Project
from lifecircle.store.surveys.models import Survey


@pytest.mark.parametrize("who", [None, "jumin1", "juwei1"])
def test_every_voice_page_shows_the_demo(demo, client, as_user, who):
    c = as_user(who) if who else client
    survey, proposal, project = Survey.objects.get(), Proposal.objects.get(), Project.objects.get()
    pages = {
        "/surveys/": survey.title,
        f"/surveys/{survey.pk}/": "呼声最高",
        f"/s/{survey.token}/": "您最需要哪些服务",
        "/proposals/": proposal.title,
        f"/proposals/{proposal.pk}/": "同意门卫室改造",
        "/decisions/": "出具改造设计方案",
        "/projects/": project.title,
        f"/projects/{project.pk}/": "公开账目",
    }
    for url, text in pages.items():
        r = c.get(url)
        assert r.status_code == 200, url
        assert text in r.content.decode(), url
    qr = c.get(f"/surveys/{survey.pk}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


def test_results_by_age_group_and_by_compound(demo, client):
    survey = Survey.objects.get()
    everyone = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "60岁及以上" in everyone and "枫林新村" in everyone  # the breakdown links
    older = client.get(
        f"/surveys/{survey.pk}/?group_by=age_group&group=pop_60_plus"
    ).content.decode()
    shown = re.search(r'id="result-wanted">.*?<p class="muted">(\d+) ', older, re.S).group(1)
    n_older = sum(1 for r in survey.responses.all() if r.answers["age_group"] == "pop_60_plus")
    assert 0 < int(shown) == n_older < survey.responses.count()
