"""The batch's city map in a real browser (Debian's Chromium via Playwright), offline, at desktop
width and at 390 px: areas drawn and coloured, names shown as text, no horizontal scroll."""

import pandas as pd
import pytest
import shapely

from lifecircle.scale.areas import Boundary
from lifecircle.scale.export import write_city_map

pytestmark = pytest.mark.browser


@pytest.fixture
def page_file(tmp_path):
    boundaries = [
        Boundary("A1", "<b>江浦路</b>街道", shapely.box(121.50, 31.26, 121.52, 31.28), 1),
        Boundary("A2", "长白新村街道", shapely.box(121.52, 31.26, 121.54, 31.28), 2),
    ]
    rows = []
    for area, share in (("A1", 0.42), ("A2", 0.93)):
        for group in ("all", "elderly"):
            rows.append(
                {"area": area, "area_name": "", "category": "canteen",
                 "category_name_zh": "社区食堂", "threshold_m": 300.0, "group": group,
                 "population": 1000.0, "covered_population": 1000.0 * share, "share": share}
            )  # fmt: skip
    return write_city_map(tmp_path / "city_map.html", boundaries, pd.DataFrame(rows))


@pytest.mark.parametrize("width", [1200, 390])
def test_city_map_draws_offline_with_text_names(page_file, width, browser):
    page = browser.new_page(viewport={"width": width, "height": 800})
    errors, requests = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri())
    areas = page.locator("path.leaflet-interactive")
    assert areas.count() == 2
    fills = {areas.nth(i).get_attribute("fill") for i in range(2)}
    assert fills == {"#d7301f", "#a1d99b"}  # 42% (< 50%) and 93% (85–99%) covered
    areas.first.hover()
    tooltip = page.locator(".leaflet-tooltip")
    assert "<b>江浦路</b>街道" in tooltip.inner_text()  # shown as text, not markup
    assert tooltip.locator("b").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.select_option("#group", "elderly")
    assert not errors
    assert all(url.startswith("file://") for url in requests)
