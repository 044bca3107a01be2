"""A real browser (Debian's Chromium, driven by Playwright) through the request workflow:
staff take in a request for a resident, assign, start, resolve; the resident rates; the staff
close it after the return visit; the resident sees it closed. The dashboard screenshot is kept
in test-artifacts/dashboard.png."""

import pytest

from browsers import ARTIFACTS
from lifecircle.ops.demo import DEMO_PASSWORD
from lifecircle.store.requests.models import ServiceRequest

pytestmark = pytest.mark.browser


def signed_in(browser, live_server, username: str):
    """A fresh browser session (its own cookies), Chinese first, signed in as `username`."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_request_workflow_in_the_browser(browser, live_server, live_demo):
    demo = live_demo
    station = demo.stations[0]

    staff = signed_in(browser, live_server, "juwei1")
    staff.goto(f"{live_server.url}/requests/new/?station={station.pk}")
    staff.select_option("select[name=service]", "sanitation")
    staff.select_option("select[name=channel]", "phone")
    staff.fill("textarea[name=description]", "5号楼垃圾房两天没清运")
    staff.fill("input[name=phone]", "13812345678")
    staff.fill("input[name=resident]", "jumin1")
    staff.click("#map", position={"x": 120, "y": 120})  # Leaflet, served locally, marks the spot
    assert staff.inner_text("#spot")
    staff.click("#intake button[type=submit]")
    staff.wait_for_url("**/requests/*/")
    req = ServiceRequest.objects.get()
    assert staff.inner_text("#status") == "已受理"
    assert req.lat is not None and req.lon is not None

    staff.select_option("#form-assign select[name=party]", "property")
    staff.select_option("#form-assign select[name=assignee]", str(demo.users["wuye1"].pk))
    staff.click("#form-assign button")
    assert staff.inner_text("#status") == "已派单"
    staff.goto(f"{live_server.url}/")
    assert staff.inner_text("#open-count") == "1"
    ARTIFACTS.mkdir(exist_ok=True)
    staff.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    staff.goto(f"{live_server.url}/requests/{req.pk}/")
    staff.click("#form-start button")
    assert staff.inner_text("#status") == "处理中"
    staff.fill("#form-resolve textarea[name=resolution]", "已安排清运并消毒")
    staff.click("#form-resolve button")
    assert staff.inner_text("#status") == "已办结"

    resident = signed_in(browser, live_server, "jumin1")
    resident.goto(f"{live_server.url}/requests/{req.pk}/")
    resident.check("#form-rate input[name=rating][value='5']")
    resident.fill("#form-rate input[name=comment]", "清运及时")
    resident.click("#form-rate button")
    assert "5 / 5" in resident.inner_text("#rating")
    assert resident.locator("#form-close").count() == 0  # closing is the committee's return visit

    staff.goto(f"{live_server.url}/requests/{req.pk}/")
    staff.click("#form-close button")
    assert staff.inner_text("#status") == "已关闭"

    resident.reload()
    assert resident.inner_text("#status") == "已关闭"
    req.refresh_from_db()
    assert (req.status, req.rating, req.requester.username) == ("closed", 5, "jumin1")
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
