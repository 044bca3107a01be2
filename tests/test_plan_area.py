"""Planning on the demo area: walking distances, hub plan, before/after table, `lifecircle plan`."""

import json

import networkx as nx
import numpy as np
import pytest
from typer.testing import CliRunner

from lifecircle.access.area import analyse
from lifecircle.cli import app
from lifecircle.data.demo import build_demo_area
from lifecircle.plan.area import (
    candidate_distances,
    coverage_before_after,
    plan_area_model,
    plan_hubs,
)


@pytest.fixture(scope="module")
def demo():
    area = build_demo_area()
    return area, analyse(area)


def test_candidate_distances_match_networkx(demo):
    area, access = demo
    attached = access.attached
    distance = candidate_distances(area, access, limit=5000.0)
    g = attached.graph
    graph = nx.Graph()
    for u, v, w in zip(g.edge_u, g.edge_v, g.edge_length, strict=True):
        if not graph.has_edge(u, v) or graph[u][v]["weight"] > w:
            graph.add_edge(int(u), int(v), weight=float(w))
    for j in range(len(area.candidates)):
        lengths = nx.single_source_dijkstra_path_length(graph, int(attached.candidate_node[j]))
        for i in range(len(area.compounds)):
            entries = attached.compound_entry_node[attached.compound_entry_owner == i]
            expected = min((lengths.get(int(e), np.inf) for e in entries), default=np.inf)
            expected = expected if expected <= 5000 else np.inf
            assert distance[i, j] == pytest.approx(expected), (i, j)


def test_hub_plan_on_demo_respects_budget_and_rule(demo):
    area, access = demo
    result = plan_hubs(area, access, budget=500.0)
    assert result.status == "optimal"
    cost = area.candidates.set_index("id").loc[result.sites, "cost"].sum()
    assert cost <= 500.0 and result.cost == pytest.approx(cost)
    rule = area.standard.hub_rule
    for site, functions in result.functions.items():
        floor = area.candidates.set_index("id").loc[site, "floor_area"]
        used = sum(area.standard.categories[f].floor_area_m2 for f in functions)
        assert used <= floor
        if floor >= rule["min_area_m2"]:
            assert len(functions) >= rule["min_functions"]
            assert len(set(functions) & set(rule["core_functions"])) >= rule["min_core_functions"]
    table = coverage_before_after(area, access, result)
    assert (table["covered_after"] >= table["covered_before"]).all()
    gained = table[table["group"] != "all"]
    assert gained["covered_after"].gt(gained["covered_before"]).any()
    bigger = plan_hubs(area, access, budget=1000.0)
    assert bigger.objective >= result.objective


def test_single_function_models_on_demo(demo):
    area, access = demo
    for model in ("mclp", "pmedian", "pcenter"):
        result = plan_area_model(area, access, model, p=2)
        assert result.status == "optimal" and len(result.sites) == 2, model
    lscp = plan_area_model(area, access, "lscp", radius=3000.0)
    assert lscp.status == "optimal" and lscp.objective >= 1


def test_plan_command_writes_files(tmp_path):
    result = CliRunner().invoke(
        app, ["plan", "--demo", "--model", "hub", "--budget", "400", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    features = json.loads((tmp_path / "plan.geojson").read_text())["features"]
    assert features and all(f["properties"]["functions"] for f in features)
    assert (tmp_path / "plan.csv").read_text().startswith("site,")
    assert "share_after" in (tmp_path / "coverage_before_after.csv").read_text()
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["budget"] == 400 and summary["cost"] + summary["budget_remaining"] == 400
    assert f"剩余 remaining {summary['budget_remaining']:g}" in result.output
    bad = CliRunner().invoke(app, ["plan", "--demo", "--model", "nope", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "nope" in bad.output


def test_plan_command_reads_an_area_folder(tmp_path):
    import pandas as pd

    from datafiles import shared_data
    from lifecircle.network.osm import read_osm

    source = shared_data("shanghai-shu-baoshan-osm", "shu_baoshan_map_1.osm")
    (tmp_path / "map.osm").symlink_to(source)
    buildings = read_osm(source).buildings
    homes = buildings.head(20)
    pd.DataFrame({
        "id": homes["id"], "name": [f"小区{i}" for i in range(len(homes))],
        "lon": homes["lon"], "lat": homes["lat"], "population": homes["population"],
        "pop_60_plus": (homes["population"] * 0.3).round(),
    }).to_csv(tmp_path / "compounds.csv", index=False)  # fmt: skip
    spaces = buildings.tail(6)
    pd.DataFrame({
        "id": [f"S{i}" for i in range(6)], "name": [f"闲置{i}" for i in range(6)],
        "lon": spaces["lon"].to_numpy(), "lat": spaces["lat"].to_numpy(),
        "floor_area": [200, 700, 300, 900, 150, 650], "cost": [30, 120, 40, 150, 20, 100],
    }).to_csv(tmp_path / "candidates.csv", index=False)  # fmt: skip
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["plan", "--area", str(tmp_path), "--model", "hub", "--budget", "200",
              "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "coverage_before_after.csv")
    assert (summary["covered_after"] > summary["covered_before"]).any()
    plan = pd.read_csv(out / "plan.csv")
    assert plan.groupby("site")["site_cost"].first().sum() <= 200


def test_bad_candidates_are_named(demo):
    import dataclasses

    from lifecircle.plan.result import PlanInputError

    area, access = demo
    empty = dataclasses.replace(area, candidates=area.candidates.iloc[:0])
    with pytest.raises(PlanInputError, match="no candidate sites"):
        plan_hubs(empty, access, budget=100.0)
    costs = area.candidates.copy()
    costs.loc[2, "cost"] = None
    with pytest.raises(PlanInputError, match=f"{costs.loc[2, 'id']} has no cost"):
        plan_hubs(dataclasses.replace(area, candidates=costs), access, budget=100.0)


def test_plan_command_reports_targets_met_and_out_of_reach(tmp_path):
    met = CliRunner().invoke(app, ["plan", "--demo", "--budget", "500", "--target", "托育点=10%",
                                   "--out", str(tmp_path / "a")])  # fmt: skip
    assert met.exit_code == 0, met.output
    assert "目标 target 托育点 ≥ 10.0%" in met.output and "达到 met" in met.output
    far = CliRunner().invoke(app, ["plan", "--demo", "--budget", "500", "--target", "nursery=0.9",
                                   "--out", str(tmp_path / "b")])  # fmt: skip
    assert far.exit_code == 1
    assert "未达到 not met" in far.output and "候选点够不到 no candidate reaches" in far.output
    bad = CliRunner().invoke(
        app, ["plan", "--demo", "--target", "魔法屋=1", "--out", str(tmp_path)]
    )
    assert bad.exit_code == 2 and "魔法屋" in bad.output and "unknown category" in bad.output
