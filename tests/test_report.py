"""`lifecircle report` on a real OSM extract with table files: three files that agree with the
library's numbers, warnings for what a planner could misread, and a page readable at 390 px."""

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from datafiles import shared_data
from lifecircle.cli import app
from lifecircle.library import Area
from lifecircle.network.osm import read_osm


def _area_folder(folder: Path) -> dict:
    """OSM + compounds/facilities/candidates CSVs, a mapping file and a boundary GeoJSON."""
    source = shared_data("shanghai-shu-baoshan-osm", "shu_baoshan_map_1.osm")
    (folder / "map.osm").symlink_to(source)
    buildings = read_osm(source).buildings
    homes = buildings.head(20)
    pd.DataFrame({
        "编号": homes["id"], "名称": [f"小区{i}" for i in range(len(homes))],
        "经度": homes["lon"], "纬度": homes["lat"], "人口": homes["population"],
        "60岁以上": (homes["population"] * 0.3).round(),
    }).to_csv(folder / "compounds.csv", index=False)  # fmt: skip
    shops = buildings.iloc[20:24]
    pd.DataFrame({
        "名称": ["甲菜场", "乙阳光小屋", "丙卫生站", "丁健身苑点"],
        "类别": ["菜场", "阳光小屋", "社区卫生服务站", "健身苑点"],
        "经度": shops["lon"].to_numpy(), "纬度": shops["lat"].to_numpy(),
    }).to_csv(folder / "facilities.csv", index=False)  # fmt: skip
    spaces = buildings.tail(5)
    lon = np.append(spaces["lon"].to_numpy(), spaces["lon"].iloc[0] + 0.035)  # ~3.3 km east
    lat = np.append(spaces["lat"].to_numpy(), spaces["lat"].iloc[0])
    pd.DataFrame({
        "id": [f"S{i}" for i in range(6)], "name": [f"闲置{i}" for i in range(5)] + ["远处仓库"],
        "lon": lon, "lat": lat,
        "floor_area": [200, 700, 300, 900, 150, 650], "cost": [30, 120, 40, 150, 20, 100],
    }).to_csv(folder / "candidates.csv", index=False)  # fmt: skip
    mapping = folder.parent / "mapping.csv"
    mapping.write_text("名称,代码\n阳光小屋,service_station\n", encoding="utf-8")
    west, east = homes["lon"].min() - 0.001, homes["lon"].max() + 0.001
    middle = float(homes["lon"].median())
    south, north = homes["lat"].min() - 0.001, homes["lat"].max() + 0.001
    boundary = folder.parent / "boundary.geojson"
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"居委会": name},
         "geometry": shapely.geometry.mapping(shapely.box(a, south, b, north))}
        for name, a, b in (("西居委", west, middle), ("东居委", middle, east))
    ]}, ensure_ascii=False), encoding="utf-8")  # fmt: skip
    return {"mapping": mapping, "boundary": boundary}


@pytest.fixture(scope="module")
def report_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    folder = root / "area"
    folder.mkdir()
    extra = _area_folder(folder)
    out = root / "out"
    result = CliRunner().invoke(
        app,
        ["report", "--area", str(folder), "--budget", "200", "--mapping", str(extra["mapping"]),
         "--boundary", str(extra["boundary"]), "--out", str(out)],
        terminal_width=200,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    area = Area.from_folder(folder, mapping=extra["mapping"])
    return out, result.output, area, area.plan(budget=200)


def test_report_writes_three_files_and_warns(report_run):
    out, output, area, plan = report_run
    for name in ("report.html", "report.xlsx", "report.gpkg", "access.csv", "plan.csv"):
        assert (out / name).is_file(), name
    # the candidate 3 km away is named and left out; the mapping file brought 阳光小屋 in
    assert "S5 远处仓库" in output and "left out of the plan" in output
    assert plan.excluded_sites == ["S5"] and "S5" not in set(plan.sites["id"])
    assert area.facilities.set_index("name").loc["乙阳光小屋", "category"] == "service_station"
    # no nursery in the area: 无此类设施, not 0.0%
    assert "托育点" in output and "无此类设施" in output
    assert (out / "report.html").read_text(encoding="utf-8").count("无此类设施") >= 1
    # no floor area given: the supply-ratio map names the categories instead of showing zeros
    line = next(w for w in output.splitlines() if "has a floor area" in w)
    assert "菜市场/生鲜超市" in line and "社区卫生服务站" in line
    # budget used and remaining, printed and in the summary
    assert f"已用 used {plan.cost:g}" in output and f"剩余 remaining {200 - plan.cost:g}" in output
    assert all(len(f) for f in plan.sites["functions"])


def test_workbook_sheets_headers_rounding_and_total(report_run):
    out, _, area, plan = report_run
    book = openpyxl.load_workbook(out / "report.xlsx")
    assert book.sheetnames[:4] == ["覆盖率", "选址方案", "各居委会覆盖率", "缺口"]
    assert {"做减法", "归并", "各小区步行距离", "千人指标街道", "千人指标小区", "提示"} <= set(
        book.sheetnames
    )
    sheets = pd.read_excel(out / "report.xlsx", sheet_name=None)
    # shares are numbers shown as %, equal to the library's
    coverage = sheets["覆盖率"]
    cells = book["覆盖率"]
    share_column = list(coverage.columns).index("方案后覆盖率 share after") + 1
    assert cells.cell(row=2, column=share_column).number_format == "0.0%"
    mine = plan.coverage.query("category == 'food_market' and group == 'all'")["share_after"].iloc[
        0
    ]
    row = coverage[
        (coverage["类别 category"] == "菜市场/生鲜超市") & (coverage["人群 group"] == "全体 all")
    ]
    assert row["方案后覆盖率 share after"].iloc[0] == pytest.approx(mine, abs=1e-12)
    assert (
        coverage.loc[coverage["类别 category"] == "托育点", "现状覆盖率 share now"] == "无此类设施"
    ).all()
    # metres rounded to 1 m, equal to the library's distances
    distances = sheets["各小区步行距离"]
    column = distances["菜市场/生鲜超市 (m)"]
    finite = pd.to_numeric(column, errors="coerce")
    assert (finite.dropna() == finite.dropna().round()).all()
    table = area.access().table.query("category == 'food_market'").set_index("compound_name")
    expected = table.loc[distances["小区 compound"], "distance_m"].to_numpy()
    shown = np.where(column == "不可达 unreachable", np.inf, finite)
    np.testing.assert_array_equal(
        shown, np.where(np.isfinite(expected), np.round(expected), np.inf)
    )
    # the plan sheet: one row per site × function, each site's cost once, a total-cost row
    proposal = sheets["选址方案"]
    cost = [c for c in proposal.columns if c.startswith("改造费用")][0]
    assert proposal.iloc[-1]["站点 site"] == "合计 total"
    assert proposal.iloc[-1][cost] == pytest.approx(plan.cost)
    assert proposal.iloc[:-1][cost].sum() == pytest.approx(plan.cost)
    assert len(proposal) - 1 == len(pd.read_csv(out / "plan.csv"))
    # per 居委会: both committees, residents summing to the compounds inside them
    committees = sheets["各居委会覆盖率"]
    assert set(committees["范围 area"]) == {"西居委", "东居委"}
    assert committees["人口 residents (人)"].sum() == pytest.approx(
        area.compounds["population"].sum(), abs=1.0
    )
    for header in [*coverage.columns, *proposal.columns, *distances.columns]:  # no code headers
        assert not any(code == header for code in area.standard.categories)


def test_geopackage_layers_match_the_library(report_run):
    out, _, area, plan = report_run
    layers = dict(pyogrio.list_layers(out / "report.gpkg"))
    # no floor area in the facilities file: no supply_ratio layer (the warning says why)
    assert layers == {
        "streets": "LineString", "compounds": "Point", "facilities": "Point",
        "candidates": "Point", "chosen_sites": "Point", "adequacy": "Point",
        "isochrones": "Polygon",
    }  # fmt: skip
    assert len(pyogrio.read_dataframe(out / "report.gpkg", layer="streets")) == area.graph.n_edges
    compounds = pyogrio.read_dataframe(out / "report.gpkg", layer="compounds")
    gaps = area.access().gaps.groupby("compound_name").size()
    assert compounds.set_index("小区 compound")["缺口数 gaps"].to_dict() == {
        n: int(gaps.get(n, 0)) for n in area.compounds["name"]
    }
    sites = pyogrio.read_dataframe(out / "report.gpkg", layer="chosen_sites")
    assert sorted(sites["站点 site"]) == sorted(plan.sites["name"])
    assert sites.crs.to_epsg() == 4326


def test_report_page_has_no_horizontal_scroll_at_390px(report_run, browser):
    out = report_run[0]
    for width in (390, 1200):
        page = browser.new_page(viewport={"width": width, "height": 900})
        errors = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.goto((out / "report.html").as_uri())
        page.wait_for_selector(".leaflet-container")
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, (width, scroll, client)
        assert errors == []
        # on a phone the legend sits under the map and the layer switch folds away
        inside = page.locator(".leaflet-container .map-legend").count()
        assert (inside, page.locator(".map-legend.below").count()) == (
            (0, 1) if width == 390 else (1, 0)
        )
        folded = page.locator(".leaflet-control-layers-expanded").count() == 0
        assert folded == (width == 390)
        page.set_default_timeout(10_000)
        # a compound (markers may overlap: whichever is on top opens its popup)
        page.click(".leaflet-interactive >> nth=0", force=True)
        popup = page.inner_text(".leaflet-popup-content")
        assert "人口 population" in popup and "缺口 gaps" in popup and "function" not in popup
        page.select_option(
            "#map-colour",
            label="供需比 supply · 菜市场/生鲜超市（无设施面积数据 no floor area given）",
        )
        assert "no supply ratio shown" in page.inner_text("#supply-legend")
        page.close()


def test_no_facility_at_all_is_a_clear_error(tmp_path):
    folder = tmp_path / "area"
    folder.mkdir()
    _area_folder(folder)
    (folder / "facilities.csv").unlink()
    osm = tmp_path / "streets.osm"
    osm.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">'
        '<node id="1" lat="31.3180" lon="121.3920"/><node id="2" lat="31.3190" lon="121.3940"/>'
        '<way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way></osm>',
        encoding="utf-8",
    )
    (folder / "map.osm").unlink()
    (folder / "map.osm").symlink_to(osm)
    result = CliRunner().invoke(app, ["access", "--osm", str(osm), "--out", str(tmp_path / "o"),
                                      "--compounds", str(folder / "compounds.csv")],
                                terminal_width=200)  # fmt: skip
    assert result.exit_code == 2
    assert "has no facility" in result.output
    result = CliRunner().invoke(
        app, ["report", "--area", str(folder), "--out", str(tmp_path / "r")], terminal_width=200
    )
    assert result.exit_code == 2 and "has no facility" in result.output


# ---- supply ratios (2SFCA) on the demo area, which has floor areas ---------------------------


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    from lifecircle.report.planner import build_report, write_report_files

    area = Area.demo()
    out = tmp_path_factory.mktemp("demo-report")
    write_report_files(out, build_report(area, area.access(), area.plan(budget=500)))
    per_1000 = area.access(measures=["2sfca"]).supply_ratios.assign(
        value=lambda t: t["value"] * 1000.0
    )
    return out, area, per_1000.pivot(index="compound_id", columns="category", values="value")


def _supply_header(area, code):
    category = area.standard.categories[code]
    return f"{category.name_zh} (m²/千名{area.standard.groups[category.group].name_zh})"


def test_supply_sheet_and_layers_equal_the_library(demo_report):
    out, area, library = demo_report
    sheet = pd.read_excel(out / "report.xlsx", sheet_name="供需比").set_index("编号 id")
    layer = pyogrio.read_dataframe(out / "report.gpkg", layer="supply_ratio").set_index("编号 id")
    assert "bus_stop" not in library.columns  # no floor area: left out, not shown as zeros
    assert not any("公交车站" in c for c in sheet.columns)
    for code in library.columns:
        expected = library[code].reindex(sheet.index).to_numpy()
        header = _supply_header(area, code)
        np.testing.assert_allclose(sheet[header].to_numpy(), expected, atol=0.05)
        np.testing.assert_allclose(layer.loc[sheet.index, header].to_numpy(), expected, atol=0.05)
    # the lone day-care centre's 400 m² shared among the elderly within 300 m of it
    daycare = library["elderly_daycare"]
    elderly = area.compounds.set_index("id")["pop_60_plus"]
    assert (daycare * elderly).sum() / 1000 == pytest.approx(400.0)
    points = layer.geometry.reindex(area.compounds["id"])
    np.testing.assert_allclose(points.x, area.compounds["lon"])
    # the adequacy layer: one point per compound × norm, the status of access/adequacy.py
    from lifecircle.access.adequacy import adequacy

    today = adequacy(area).compounds
    rows = pyogrio.read_dataframe(out / "report.gpkg", layer="adequacy")
    assert len(rows) == len(today) == len(area.compounds) * len(area.standard.norms)
    words = {"met": "达标 met", "short": "不足 short", "no_facility": "无设施 no facility"}
    assert rows["结论 status"].tolist() == [words[s] for s in today["status"]]
    np.testing.assert_allclose(rows["差 short"], today["short"].round(1))
    np.testing.assert_allclose(rows["可达供给 available"], today["available"].round(1))


def _fills(page, colours):
    return page.evaluate(
        "cs => cs.map(c => document.querySelectorAll("
        "'.leaflet-overlay-pane path[fill=\"' + c + '\"]').length)",
        colours,
    )


def test_supply_map_switches_categories_without_sideways_scroll(demo_report, browser):
    out, area, library = demo_report
    classes = ["#deebf7", "#9ecae1", "#4292c6", "#08519c"]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto((out / "report.html").as_uri())
    page.wait_for_selector(".leaflet-container")
    for code in ("elderly_daycare", "fitness", "culture_centre"):
        label = area.standard.categories[code].name_zh
        page.select_option("#map-colour", label=f"供需比 supply · {label}")
        legend = page.inner_text("#supply-legend")
        assert label in legend and "m²/千名" in legend and not page.is_visible("#gap-legend")
        # each compound's colour class from the library's numbers: 0, then quarters of the top
        values = library[code].to_numpy()
        top = values.max()
        k = np.minimum(np.ceil(values / top * 4) - 1, 3)
        expected = [int(((values > 0) & (k == i)).sum()) for i in range(4)]
        assert _fills(page, classes) == expected, code
        assert _fills(page, ["#f7f7f7"]) == [int((values == 0).sum())]
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client
    # a popup carries the value with its unit; 文化活动中心 is one facility, so every compound
    # within its reach (the darkest class) holds the same share
    page.click('.leaflet-overlay-pane path[fill="#08519c"] >> nth=0', force=True)
    popup = page.inner_text(".leaflet-popup-content")
    top = library["culture_centre"].max()
    assert f"供需比 supply · 文化活动中心: {top:,.1f} m²/千名全体居民" in popup
    page.select_option("#map-colour", label="缺口数 gaps per compound")
    assert page.is_visible("#gap-legend") and not page.is_visible("#supply-legend")
    assert _fills(page, classes + ["#f7f7f7"]) == [0] * 5
    options = page.eval_on_selector_all("#map-colour option", "os => os.map(o => o.textContent)")
    assert "供需比 supply · 公交车站（无设施面积数据 no floor area given）" in options
    assert not any(code in " ".join(options) for code in ("bus_stop", "elderly_daycare"))
    assert errors == []
    page.close()
