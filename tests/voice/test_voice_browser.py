"""A real browser (Debian's Chromium via Playwright): a resident on a phone opens the survey from
its QR link, answers, and is refused a second answer for the same household; every voice page
renders without horizontal scrolling at desktop width and at 390 px. The results page at
390 px is kept in test-artifacts/survey-results.png."""

import io

import pytest
import segno

from browsers import ARTIFACTS, DESKTOP, PHONE
from lifecircle.store.deliberation.models import Proposal
from lifecircle.store.projects.models import Project
from lifecircle.store.surveys.models import Survey, SurveyResponse

pytestmark = pytest.mark.browser


def new_page(browser, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    context.set_default_timeout(10_000)
    return context.new_page()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_resident_answers_from_the_qr_link_once_per_household(browser, live_server, live_demo):
    survey = Survey.objects.get()
    page = new_page(browser, PHONE)
    page.goto(f"{live_server.url}/surveys/{survey.pk}/")
    # the QR code on the results page carries exactly the answer link shown beside it
    link = page.get_attribute("#answer-link", "href")
    assert link == f"{live_server.url}/s/{survey.token}/"
    svg = page.request.get(f"{live_server.url}/surveys/{survey.pk}/qr.svg").body()
    expected = io.BytesIO()
    segno.make(link, error="m").save(expected, kind="svg", scale=6, border=2)
    assert svg == expected.getvalue()

    before = SurveyResponse.objects.count()

    def answer_once():
        page.goto(link)
        assert no_horizontal_scroll(page)
        page.fill("#answer-form input[name=household]", "3-102")
        page.check("#q-age_group input[value=pop_60_plus]")
        page.check("#q-compound_id input[value=C02]")
        page.check("#q-wanted input[value=canteen]")
        page.check("#q-wanted input[value=health_station]")
        page.select_option("select[name=top3__1]", "canteen")
        page.check("#q-satisfaction input[value='4']")
        page.fill("#q-comment textarea", "希望食堂早上也开")
        page.click("#answer-form button[type=submit]")

    # the skip rule shows the canteen question to residents aged 60 and over only
    page.goto(link)
    page.check("#q-age_group input[value=under_60]")
    assert not page.is_visible("#q-uses_canteen")
    page.check("#q-age_group input[value=pop_60_plus]")
    assert page.is_visible("#q-uses_canteen")

    answer_once()
    assert page.inner_text("#thanks") == "谢谢参与"
    assert SurveyResponse.objects.count() == before + 1
    saved = SurveyResponse.objects.latest("id")
    assert saved.answers["wanted"] == "canteen health_station" and saved.channel == "online"

    answer_once()
    assert "已经答过" in page.inner_text("main .msg.error")
    assert SurveyResponse.objects.count() == before + 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "390px"])
def test_every_voice_page_fits_the_screen(browser, live_server, live_demo, viewport):
    survey, proposal, project = Survey.objects.get(), Proposal.objects.get(), Project.objects.get()
    page = new_page(browser, viewport)
    for url, selector in [
        ("/surveys/", "#surveys"),
        (f"/surveys/{survey.pk}/", "#most-wanted"),
        (f"/s/{survey.token}/", "#answer-form"),
        ("/proposals/", "#proposals"),
        (f"/proposals/{proposal.pk}/", "#comments"),
        ("/decisions/", ".decision"),
        ("/projects/", "#projects"),
        (f"/projects/{project.pk}/", "#account"),
    ]:
        page.goto(f"{live_server.url}{url}")
        assert page.is_visible(selector), url
        assert no_horizontal_scroll(page), f"{url} scrolls sideways at {viewport['width']} px"
        if viewport is PHONE and url.startswith("/surveys/") and selector == "#most-wanted":
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "survey-results.png"), full_page=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "390px"])
def test_staff_pages_fit_the_screen(browser, live_server, live_demo, viewport):
    from lifecircle.ops.demo import DEMO_PASSWORD

    survey = Survey.objects.get()
    page = new_page(browser, viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "juwei1")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for url, selector in [
        ("/surveys/new/", "#survey-form"),
        (f"/surveys/{survey.pk}/paper/", "#answer-form"),
        (f"/surveys/{survey.pk}/?q=托育", "#found"),
        ("/proposals/new/", "#proposal-form"),
        (f"/projects/{Project.objects.get().pk}/", "#contributions"),
    ]:
        page.goto(f"{live_server.url}{url}")
        assert page.is_visible(selector), url
        assert no_horizontal_scroll(page), f"{url} scrolls sideways at {viewport['width']} px"
