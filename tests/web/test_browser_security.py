"""Stored XSS through a station name: in a real browser the name is shown as text on every
page with a map, nothing of it runs, and our pages break no rule of their own CSP."""

import pytest
from test_browser import signed_in

from lifecircle.store.stations.models import Station

pytestmark = pytest.mark.browser

PAYLOAD = '<img src=x onerror="window.__xss=1"><b id=injected>x</b>'


def test_a_station_name_with_html_is_shown_as_text_and_never_runs(browser, live_server, live_demo):  # noqa: F811
    station = live_demo.stations[0]
    Station.objects.filter(pk=station.pk).update(name=PAYLOAD)
    page = signed_in(browser, live_server, "juwei1")
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    for path in ("/stations/", f"/stations/{station.pk}/", f"/requests/new/?station={station.pk}"):
        response = page.goto(f"{live_server.url}{path}")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        page.wait_for_selector(".leaflet-tooltip", state="attached")
        names = page.locator(".leaflet-tooltip").all_text_contents()
        assert PAYLOAD in names, (path, names)  # the name itself, as text
        assert page.locator(".leaflet-tooltip img, #injected").count() == 0, path
        assert page.evaluate("window.__xss") is None, path
    assert violations == []  # the pages' own scripts and styles all come from static files
