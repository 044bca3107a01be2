"""The demo sub-district and `lifecircle demo` end to end: distances vs networkx, outputs agree."""

import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from lifecircle.access.area import analyse, attach
from lifecircle.cli import app
from lifecircle.data.area import CANDIDATE_COLUMNS, COMPOUND_COLUMNS, FACILITY_COLUMNS
from lifecircle.data.demo import build_demo_area
from lifecircle.geo.projection import LocalProjection

GROUP_COLUMN = {
    "all": "population",
    "elderly": "pop_60_plus",
    "preschool": "pop_0_6",
    "school": "pop_7_14",
}


@pytest.fixture(scope="module")
def area():
    return build_demo_area()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--out", str(out)], terminal_width=200)
    assert result.exit_code == 0, result.output
    return out / "demo", result.output


def test_demo_area_is_deterministic_illustrative_and_complete(area):
    again = build_demo_area()
    for name in ("compounds", "facilities", "candidates", "gates"):
        pd.testing.assert_frame_equal(getattr(area, name), getattr(again, name))
    np.testing.assert_array_equal(area.graph.edge_length, again.graph.edge_length)
    assert "示意数据" in area.note and "Illustrative" in area.note
    assert set(COMPOUND_COLUMNS) <= set(area.compounds.columns)
    assert set(FACILITY_COLUMNS) <= set(area.facilities.columns)
    assert set(CANDIDATE_COLUMNS) <= set(area.candidates.columns)
    assert 18 <= len(area.compounds) <= 24
    assert area.compounds["id"].is_unique and area.facilities["id"].is_unique
    assert set(area.facilities["category"]) <= set(area.standard.categories)
    names = " ".join(area.candidates["name"])
    for story in ("门卫室", "废弃物业用房", "中山南二路930号", "零陵路231号", "零陵路404号"):
        assert story in names
    assert (area.candidates["floor_area"] > 0).all() and (area.candidates["cost"] > 0).all()
    # Lon/lat agree with the projected coordinates, around Xuhui, Shanghai.
    lon, lat = LocalProjection(area.crs).to_lonlat(area.compounds["x"], area.compounds["y"])
    np.testing.assert_allclose(lon, area.compounds["lon"], atol=1e-9)
    np.testing.assert_allclose(lat, area.compounds["lat"], atol=1e-9)
    assert (abs(area.compounds["lon"] - 121.45) < 0.05).all()
    assert (abs(area.compounds["lat"] - 31.19) < 0.05).all()


def test_old_compound_opens_on_main_road_and_all_points_reach_a_street(area):
    old = area.compounds[area.compounds["built_year"] < 1980]
    assert (old["pop_60_plus"] / old["population"] > 0.35).all()
    c01 = area.gates[area.gates["compound_id"] == "C01"]
    assert len(c01) == 1  # one gate, on the main road along the south edge
    assert float(c01["y"].iloc[0]) - area.graph.y.min() < 10
    attached = attach(area, max_offset_m=30.0)
    assert attached.warnings == []
    assert (attached.facility_node >= 0).all() and (attached.candidate_node >= 0).all()


def test_demo_distances_equal_networkx_dijkstra(area):
    attached = attach(area)
    result = analyse(area, attached=attached)
    graph = attached.graph
    reference = nx.Graph()
    reference.add_nodes_from(range(graph.n_nodes))
    for u, v, w in zip(graph.edge_u, graph.edge_v, graph.edge_length, strict=True):
        reference.add_edge(int(u), int(v), weight=float(w))
    owner = attached.compound_entry_owner
    entries = attached.compound_entry_node
    compared = 0
    for code, category in area.standard.categories.items():
        rows = np.flatnonzero(area.facilities["category"].to_numpy() == code)
        got = result.access[result.access["category"] == code].set_index("compound_id")
        lengths = [
            nx.single_source_dijkstra_path_length(reference, int(attached.facility_node[r]))
            for r in rows
        ]
        for c, cid in enumerate(area.compounds["id"]):
            mine = entries[owner == c]
            per_facility = [min(d.get(int(n), np.inf) for n in mine) for d in lengths]
            expected = min(per_facility, default=np.inf)
            actual = got.loc[cid, "distance_m"]
            if np.isinf(expected):
                assert np.isinf(actual)
            else:
                assert actual == pytest.approx(expected, abs=1e-6)
                compared += 1
            within = sum(d <= category.threshold_m for d in per_facility)
            assert got.loc[cid, "count_within_threshold"] == within
            assert bool(got.loc[cid, "covered"]) == (expected <= category.threshold_m)
    assert compared > 200


class _ReportReader(HTMLParser):
    """Collects table cells (`data-value`), coverage cells (`data-share`) and asset URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.headers: dict[str, list[str]] = {}
        self.shares: dict[tuple[str, str, str], float] = {}
        self.asset_urls: list[str] = []
        self._table: str | None = None
        self._in_head = False
        self._th: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "id" in a:
            self._table = a["id"]
            self.tables[self._table] = []
            self.headers[self._table] = []
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table and not self._in_head:
            self.tables[self._table].append([])
        elif tag == "td" and self._table and "data-value" in a:
            self.tables[self._table][-1].append(a["data-value"])
        elif tag == "th" and self._in_head:
            self._th = []
        if tag == "td" and "data-share" in a:
            self.shares[(a["data-category"], a["data-group"], a["data-when"])] = float(
                a["data-share"]
            )
        if tag == "script" and "src" in a:
            self.asset_urls.append(a["src"])
        if tag == "link" and "href" in a:
            self.asset_urls.append(a["href"])

    def handle_data(self, data):
        if self._th is not None:
            self._th.append(data)

    def handle_endtag(self, tag):
        if tag == "th" and self._th is not None:
            if self._table:
                self.headers[self._table].append("".join(self._th))
            self._th = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table":
            self._table = None


def _read_report(folder) -> tuple[str, _ReportReader]:
    text = (folder / "report.html").read_text(encoding="utf-8")
    reader = _ReportReader()
    reader.feed(text)
    return text, reader


def test_demo_writes_self_contained_report_and_tables(demo_run):
    folder, output = demo_run
    for name in ("report.html", "access.csv", "plan.csv"):
        assert (folder / name).is_file(), name
        assert name in output
    text, reader = _read_report(folder)
    assert reader.asset_urls == []  # nothing loaded from elsewhere: no <script src>, no <link>
    assert not re.search(r"url\(\s*['\"]?https?:", text)
    assert "L.tileLayer(" not in text  # the library defines it; the report must not call it
    assert not re.search(r"https?://[^\s\"']*\{z\}", text)  # no tile URL template
    assert "L.map(" in text and "示意数据" in text
    assert "sourceMappingURL" not in text


def test_report_numbers_match_access_csv(demo_run, area):
    """The per-compound distance table shows access.csv's distances rounded to 1 m, by name."""
    folder, _ = demo_run
    access = pd.read_csv(folder / "access.csv")
    _, reader = _read_report(folder)
    shown = pd.DataFrame(
        reader.tables["compounds-table"], columns=reader.headers["compounds-table"]
    )
    assert shown["小区 compound"].tolist() == area.compounds["name"].tolist()
    checked = 0
    for code, category in area.standard.categories.items():
        column = shown[f"{category.name_zh} (m)"].astype(float).to_numpy()
        expected = (
            access[access["category"] == code].set_index("compound_name")["distance_m"]
            .loc[shown["小区 compound"]].to_numpy(float)
        )  # fmt: skip
        np.testing.assert_array_equal(
            column, np.where(np.isfinite(expected), np.round(expected), expected)
        )
        checked += column.size
    assert checked == len(access)
    text = (folder / "report.html").read_text(encoding="utf-8")
    for code in area.standard.categories:  # no category code is shown as text
        assert f">{code}<" not in text and f"({code})" not in text


def test_coverage_recomputed_from_access_csv_equals_report_and_summary(demo_run):
    folder, output = demo_run
    access = pd.read_csv(folder / "access.csv")
    _, reader = _read_report(folder)
    assert reader.shares
    checked = 0
    for (code, group, when), share in reader.shares.items():
        rows = access[access["category"] == code]
        covered = rows["covered" if when == "before" else "covered_after"].astype(bool)
        head = rows[GROUP_COLUMN[group]].astype(float)
        expected = head[covered.to_numpy()].sum() / head.sum()
        assert share == pytest.approx(expected, abs=1e-12), (code, group, when)
        checked += 1
    n_categories = access["category"].nunique()
    assert checked >= n_categories * len(GROUP_COLUMN)
    # The printed summary shows the same shares (one decimal), before → after.
    for code in ("service_station", "canteen", "nursery", "bus_stop"):
        rows = access[access["category"] == code]
        head = rows["population"].astype(float)
        before = head[rows["covered"].astype(bool).to_numpy()].sum() / head.sum()
        after = head[rows["covered_after"].astype(bool).to_numpy()].sum() / head.sum()
        assert f"{before * 100:.1f}→{after * 100:.1f}" in output
    # The plan really adds coverage in the demo (its gaps are deliberate and closable).
    assert (
        reader.shares[("service_station", "all", "after")]
        > reader.shares[("service_station", "all", "before")]
    )


def test_report_plan_table_matches_plan_csv(demo_run, area):
    folder, output = demo_run
    plan = pd.read_csv(folder / "plan.csv")
    assert len(plan) > 0 and plan["site"].nunique() >= 2
    _, reader = _read_report(folder)
    rows = [r for r in reader.tables["plan-table"] if r]  # the foot (total) has no data-value
    shown = pd.DataFrame(rows, columns=reader.headers["plan-table"])
    assert len(shown) == len(plan)
    names = area.candidates.set_index("id")["name"]
    assert shown["站点 site"].tolist() == names.loc[plan["site"]].tolist()
    assert shown["功能 function"].tolist() == plan["function_name"].tolist()
    np.testing.assert_array_equal(
        shown["新增覆盖 newly covered (人)"].astype(float),
        plan["new_population"].round().astype(float),
    )
    assert "万元" in output and "optimal" in output
    # The map marks exactly the opened sites, each with its functions, and draws every street.
    text = (folder / "report.html").read_text(encoding="utf-8")
    payload = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', text)
    data = json.loads(payload.group(1))  # JSON reads the escaped "<\/" back as "</"
    proposed = {c["id"]: c["functions"] for c in data["candidates"] if c["proposed"]}
    assert set(proposed) == set(plan["site"])
    for site, rows in plan.groupby("site"):
        assert proposed[site] == rows["function_name"].tolist()
    assert len(data["streets"]) == build_demo_area().graph.n_edges
    assert len(data["compounds"]) == len(build_demo_area().compounds)
    # Within the budget, and each site holds its functions' floor areas.
    by_site = plan.groupby("site").agg(
        cost=("site_cost", "first"),
        used=("floor_area_m2", "sum"),
        area=("site_floor_area_m2", "first"),
    )
    assert by_site["cost"].sum() <= 500.0
    assert (by_site["used"] <= by_site["area"]).all()


def test_covered_after_equals_a_fresh_analysis_with_the_sites_opened(demo_run, area):
    """Independent path: add the proposed functions as facilities, run the access engine again."""
    folder, _ = demo_run
    plan = pd.read_csv(folder / "plan.csv")
    access = pd.read_csv(folder / "access.csv")
    sites = area.candidates.set_index("id").loc[plan["site"]]
    opened = pd.DataFrame(
        {
            "id": [f"new-{s}-{f}" for s, f in zip(plan["site"], plan["function"], strict=True)],
            "name": sites["name"].to_numpy(),
            "category": plan["function"].to_numpy(),
            "lon": sites["lon"].to_numpy(),
            "lat": sites["lat"].to_numpy(),
            "x": sites["x"].to_numpy(),
            "y": sites["y"].to_numpy(),
        }
    )
    after_area = replace(area, facilities=pd.concat([area.facilities, opened], ignore_index=True))
    fresh = analyse(after_area).access.set_index(["compound_id", "category"])["covered"]
    claimed = access.set_index(["compound_id", "category"])["covered_after"].astype(bool)
    pd.testing.assert_series_equal(
        fresh.loc[claimed.index].astype(bool), claimed, check_names=False
    )


def test_demo_with_unknown_standard_says_so(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--standard", "nope"])
    assert result.exit_code == 2
    assert "nope" in result.output and "gb50180-2018" in result.output
    assert not (tmp_path / "demo" / "report.html").exists()
