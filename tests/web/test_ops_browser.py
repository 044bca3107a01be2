"""A real browser (Debian's Chromium via Playwright) on every operations page, at desktop width
and at 390 px (no horizontal scroll), driving each page's main action; axe-core (shipped in the
axe-playwright-python package, never fetched) finds no serious or critical violation on the
residents' pages, in normal and in large-text mode. Screenshots go to test-artifacts/."""

import re

import pytest

from browsers import ARTIFACTS
from lifecircle.ops.demo import DEMO_PASSWORD
from lifecircle.ops.demo_history import seed_history
from lifecircle.ops.sms import ConsoleSMSBackend
from lifecircle.store.inspections.models import InspectionTask, Meeting
from lifecircle.store.requests.models import ServiceRequest
from lifecircle.store.roster.models import DutyAssignment

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1200, "height": 900}
SERIOUS = {"serious", "critical"}


@pytest.fixture
def history(live_demo):
    seed_history(live_demo)
    return live_demo


def session(browser, live_server, username: str | None, viewport: dict, elderly: bool = False):  # noqa: F811
    """A page in a fresh context (Chinese), signed in as `username` unless None."""
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    context.set_default_timeout(10_000)
    if elderly:
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([{"name": "elderly", "value": "1", "domain": host, "path": "/"}])
    page = context.new_page()
    if username:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form.stack button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
    return page


def fits(page) -> None:
    """Nothing wider than the screen (no sideways scrolling)."""
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"{page.url}: {wide}px wider than the screen"


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in result.response["violations"]
        if v["impact"] in SERIOUS
    ]


STAFF_PAGES = {
    "juwei1": [
        "/",
        "/todo/",
        "/roster/setup/",
        "/meetings/",
        "/volunteers/",
        "/stats/",
        "/requests/",
    ],
    "anquan": ["/inspections/plans/", "/inspections/"],
    "jiedao": ["/volunteers/", "/stats/"],
}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_new_staff_page_renders_and_fits(browser, live_server, history, viewport):  # noqa: F811
    for user, urls in STAFF_PAGES.items():
        page = session(browser, live_server, user, viewport)
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            fits(page)
        page.context.close()
    task = InspectionTask.objects.filter(status="done", mode="joint").first()
    page = session(browser, live_server, "juwei1", viewport)
    for url in (
        f"/inspections/{task.pk}/",
        f"/inspections/{task.pk}/print/",
        f"/stations/{history.stations[0].pk}/duty-poster/",
        f"/stations/{history.stations[0].pk}/rooms/",
        f"/stations/{history.stations[0].pk}/log/",
        f"/stations/{history.stations[0].pk}/poster/",
        f"/s/{history.stations[0].pk}/",
    ):
        assert page.goto(f"{live_server.url}{url}").status == 200
        fits(page)
    page.context.close()


def test_roster_wizard_meeting_and_stats_in_the_browser(browser, live_server, live_demo):  # noqa: F811
    page = session(browser, live_server, "juwei1", DESKTOP)
    page.goto(f"{live_server.url}/roster/setup/")
    page.uncheck("input[name=weekday][value='5']")  # no Saturday duty
    page.click("#preview-button")
    assert page.locator("#preview td").count() >= 28
    page.click("#save-button")
    page.wait_for_url(re.compile(r"/roster/\?week="))
    duties = DutyAssignment.objects.filter(station=live_demo.stations[0])
    assert duties.exists() and all(d.date.weekday() < 5 for d in duties)

    page.goto(f"{live_server.url}/meetings/")
    if not page.is_visible("#form-meeting"):  # folded away once meetings exist
        page.click("details:has(#form-meeting) > summary")
    page.fill("#form-meeting input[name=title]", "十二月运营例会")
    page.fill("#form-meeting input[name=action-0-text]", "更换过期灭火器")
    page.select_option("#form-meeting select[name=action-0-party]", "property")
    page.click("#form-meeting button[type=submit]")
    assert "更换过期灭火器" in page.inner_text("main")
    assert Meeting.objects.get(title="十二月运营例会").actions.get().owner_party == "property"
    page.context.close()

    worker = session(browser, live_server, "wuye1", PHONE)
    worker.goto(f"{live_server.url}/todo/")
    assert "更换过期灭火器" in worker.inner_text("#todo-list")
    worker.click("#todo-list a")
    worker.click("li[id^=action-] button")
    worker.wait_for_load_state("networkidle")
    assert Meeting.objects.get(title="十二月运营例会").actions.get().done
    fits(worker)


def test_checklist_cards_on_a_phone(browser, live_server, live_demo):  # noqa: F811
    from django.utils import timezone

    from lifecircle.store.inspections.models import ChecklistTemplate

    fire = ChecklistTemplate.objects.get(kind="fire")
    task = InspectionTask.objects.create(
        station=live_demo.stations[0], template=fire, mode="self", due_date=timezone.localdate()
    )
    page = session(browser, live_server, "wuye1", PHONE)
    page.goto(f"{live_server.url}/inspections/{task.pk}/")
    fits(page)
    cards = page.locator(".check-card")
    assert cards.count() == fire.items.count()
    # the item text reads on whole lines, not one character per line
    box = page.locator(".check-text").first.bounding_box()
    assert box["width"] > 250
    for n in range(cards.count()):
        cards.nth(n).locator("input[value=pass]").check()
    page.screenshot(path=str(ARTIFACTS / "checklist-phone.png"), full_page=True)
    page.click("#form-inspection button[type=submit]")
    assert InspectionTask.objects.get(pk=task.pk).status == "done"


def resident_pages(live_server, demo, request_id: int) -> list[tuple[str | None, str]]:
    station = demo.stations[0].pk
    return [
        (None, "/stations/"),
        (None, f"/stations/{station}/"),
        (None, f"/s/{station}/"),
        ("jumin1", "/todo/"),
        ("jumin1", "/requests/"),
        ("jumin1", f"/requests/{request_id}/"),
        ("jumin1", "/volunteers/"),
        ("jumin1", f"/stations/{station}/rooms/"),
    ]


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "large-text"])
def test_resident_pages_pass_axe(browser, live_server, history, elderly):  # noqa: F811
    awaiting = (
        ServiceRequest.objects.filter(
            requester__username="jumin1", status="resolved", rating__isnull=True
        ).first()
        or ServiceRequest.objects.filter(requester__username="jumin1").first()
    )
    found = {}
    pages = {}
    for user, url in resident_pages(live_server, history, awaiting.pk):
        if user not in pages:
            pages[user] = session(browser, live_server, user, PHONE, elderly=elderly)
        page = pages[user]
        assert page.goto(f"{live_server.url}{url}").status == 200
        fits(page)
        if re.fullmatch(r"/stations/(\d+/)?", url):  # streets drawn under the map, offline
            page.wait_for_selector("#map[data-streets]")
            assert page.locator("#map path.leaflet-interactive, #map svg path").count() > 10
        if elderly:
            size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert size >= 20
            small = page.evaluate(
                """[...document.querySelectorAll('main button, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), main select')]
                   .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44).length"""
            )
            assert small == 0, f"{url}: {small} controls under 44 px"
        found[url] = serious_violations(page)
    assert {url: v for url, v in found.items() if v} == {}
    if elderly:
        pages[None].goto(f"{live_server.url}/s/{history.stations[0].pk}/")
        pages[None].screenshot(path=str(ARTIFACTS / "resident-form-large-text.png"), full_page=True)


def test_resident_files_from_the_qr_code_on_a_phone(browser, live_server, live_demo):  # noqa: F811
    station = live_demo.stations[0]
    page = session(browser, live_server, None, PHONE)
    page.goto(f"{live_server.url}/stations/{station.pk}/poster/")
    assert page.locator(".qr svg").count() == 1
    target = re.search(r"https?://\S+/s/\d+/", page.inner_text("main")).group()
    page.goto(target)
    ConsoleSMSBackend.outbox.clear()
    page.fill("#id_phone", "13911112222")
    page.click("#send-code")
    code = re.search(r"\d{6}", ConsoleSMSBackend.outbox[-1].text).group()
    page.fill("input[name=code]", code)
    page.select_option("select[name=service]", "sanitation")
    page.fill("textarea[name=description]", "3号楼楼道堆物")
    page.click("#file-request")
    assert page.locator("#next-steps").is_visible()
    fits(page)
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / "resident-filed-phone.png"), full_page=True)
    req = ServiceRequest.objects.get()
    assert (req.phone, req.channel, req.station_id) == ("13911112222", "resident", station.pk)
