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
        "/decisions/": "居民代表 6 人",  # attendance of the council
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


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_resident_proposes_comments_and_supports_through_the_pages(demo, as_user, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lifecircle.store.org.models import AuditEntry

    resident = as_user("jumin1")
    assert client.get("/proposals/new/").status_code == 302  # sign in first
    page = resident.get("/proposals/new/").content.decode()
    assert "示意街道" in page
    audits = AuditEntry.objects.count()
    bad = resident.post("/proposals/new/", {"unit": demo.subdistrict.pk, "title": "x", "body": "y",
                                            "photo": SimpleUploadedFile("a.png", b"not a png", "image/png")})  # fmt: skip
    assert bad.status_code == 422 and Proposal.objects.count() == 1
    assert AuditEntry.objects.count() == audits
    r = resident.post("/proposals/new/", {"unit": demo.subdistrict.pk, "title": "街心花园加座椅", "body": "老人走累了没处坐",
                                          "place": "东安路口", "photo": SimpleUploadedFile("a.png", PNG, "image/png")})  # fmt: skip
    item = Proposal.objects.get(title="街心花园加座椅")
    assert r.status_code == 302 and item.author == demo.users["jumin1"]
    assert client.get(f"/proposals/{item.pk}/photo/").status_code == 200
    resident.post(f"/proposals/{item.pk}/comment/", {"body": "赞成"})
    resident.post(f"/proposals/{item.pk}/support/", {"household": "3-301"})
    detail = client.get(f"/proposals/{item.pk}/").content.decode()
    assert "赞成" in detail and 'id="support-count">1<' in detail
    again = resident.post(f"/proposals/{item.pk}/support/", {"household": "3-301"}, follow=True)
    assert "已经支持过" in again.content.decode()


def test_staff_enter_paper_answers_on_the_page(demo, as_user):
    from lifecircle.store.surveys.models import SurveyResponse

    survey = Survey.objects.get()
    assert as_user("jumin1").get(f"/surveys/{survey.pk}/paper/").status_code == 403
    staff = as_user("juwei1")
    form = {"channel": "paper", "household": "3-302", "age_group": "pop_60_plus", "compound_id": "C03",
            "wanted": ["canteen", "health_station"], "top3__1": "canteen", "top3__2": "canteen"}  # fmt: skip
    r = staff.post(f"/surveys/{survey.pk}/paper/", form)
    assert r.status_code == 302
    saved = SurveyResponse.objects.latest("id")
    assert (saved.channel, saved.entered_by, saved.answers["top3"]) == (
        "paper",
        demo.users["juwei1"],
        "canteen",
    )


def test_staff_start_a_survey_from_an_xlsform_page(demo, as_user, tmp_path):
    from voice_fixtures import xlsform

    assert as_user("jumin1").get("/surveys/new/").status_code == 403
    staff = as_user("juwei1")
    assert "发起问卷" in staff.get("/surveys/").content.decode()
    fields = {"unit": demo.committees[0].pk, "opens_at": "2026-12-01T08:00", "closes_at": "2026-12-20T20:00",
              "services_question": "wanted"}  # fmt: skip
    with xlsform(tmp_path / "f.xlsx").open("rb") as f:
        r = staff.post("/surveys/new/", {**fields, "form": f})
    assert r.status_code == 302
    survey = Survey.objects.get(title="社区服务需求调查")
    assert survey.unit == demo.committees[0] and len(survey.form["questions"]) == 9
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with bad.open("rb") as f:
        r = staff.post("/surveys/new/", {**fields, "form": f})
    assert r.status_code == 422 and "xlsx" in r.content.decode()


def test_exports_results_xlsx_and_the_form_back_as_xlsform(demo, client, tmp_path):
    import io

    import pandas as pd

    from lifecircle.ops.survey_form import Form, read_xlsform

    survey = Survey.objects.get()
    r = client.get(f"/surveys/{survey.pk}/results.xlsx")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    sheet = pd.read_excel(io.BytesIO(r.content))
    age = "您的年龄段 Your age group"
    overall = sheet[(sheet["分组 group by"] == "全部 all") & (sheet["题目 question"] == age)]
    assert overall["选择人数 count"].sum() == survey.responses.count()
    assert set(sheet["分组 group by"]) == {"全部 all", "年龄组 age group", "小区 compound"}
    assert "枫林新村" in set(sheet["组 group"]) and "C01" not in set(sheet["组 group"])
    form = client.get(f"/surveys/{survey.pk}/xlsform.xlsx")
    path = tmp_path / "back.xlsx"
    path.write_bytes(form.content)
    assert read_xlsform(path).to_dict() == Form.from_dict(survey.form).to_dict()
