"""Area-level accessibility: gates, counts over several entries, coverage and gaps vs networkx."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from lifecircle.access.area import (
    NoCompoundsError,
    NoFacilitiesError,
    analyse,
    attach,
    compound_min,
    equity,
    weighted_gini,
)
from lifecircle.data.area import Area
from lifecircle.errors import InputError
from lifecircle.standards import load_standard
from test_graph_core import grid_graph, to_networkx


def small_area() -> Area:
    graph = grid_graph(n=8, step=80.0, seed=3)
    compounds = pd.DataFrame(
        {
            "id": ["c1", "c2", "c3", "c4"],
            "name": ["一村", "二村", "三村", "远村"],
            "x": [40.0, 300.0, 500.0, 9000.0],
            "y": [40.0, 300.0, 100.0, 9000.0],
            "population": [1000, 2000, 1500, 50],
            "pop_60_plus": [300, 200, 100, 10],
            "pop_0_6": [50, 80, 60, 1],
            "pop_7_14": [70, 90, 40, 2],
        }
    )
    # c2 has two gates on opposite sides; the centroid is not used for it.
    gates = pd.DataFrame(
        {"compound_id": ["c2", "c2", "nobody"], "x": [250.0, 410.0, 0.0], "y": [245.0, 330.0, 0.0]}
    )
    facilities = pd.DataFrame(
        {
            "id": [f"f{i}" for i in range(7)],
            "name": ["站A", "站B", "菜场", "公园", "幼儿园", "火星设施", "远站"],
            "category": [
                "service_station",
                "service_station",
                "food_market",
                "park",
                "kindergarten",
                "teleporter",
                "service_station",
            ],
            "x": [100.0, 450.0, 260.0, 20.0, 560.0, 300.0, -5000.0],
            "y": [90.0, 350.0, 150.0, 500.0, 20.0, 300.0, 0.0],
        }
    )
    candidates = pd.DataFrame({"id": ["k1"], "name": ["闲置房"], "x": [330.0], "y": [170.0]})
    return Area(
        name="test",
        crs="EPSG:32651",
        graph=graph,
        standard=load_standard("gb50180-2018"),
        compounds=compounds,
        facilities=facilities,
        candidates=candidates,
        gates=gates,
    )


def test_attach_uses_gates_and_reports_far_points():
    area = small_area()
    attached = attach(area)
    owners = attached.compound_entry_owner.tolist()
    assert owners.count(1) == 2  # c2 through its two gates only
    assert owners.count(0) == 1 and owners.count(2) == 1
    assert 3 not in owners  # the far compound is not silently snapped
    assert attached.facility_node[6] == -1 and (attached.facility_node[:6] >= 0).all()
    assert attached.candidate_node[0] >= 0
    text = "\n".join(attached.warnings)
    assert "远村" in text and "远站" in text and "nobody" in text
    far = next(w for w in attached.warnings if "远站" in w)
    assert "4920 m" in far or "49" in far  # the distance is named
    g = attached.graph
    entry_x = np.array([250.0, 410.0, 40.0, 500.0])
    entry_y = np.array([245.0, 330.0, 40.0, 100.0])
    # Each entry is a node at the point itself, hanging on its projection on the street.
    np.testing.assert_allclose(g.x[attached.compound_entry_node], entry_x, atol=1e-9)
    np.testing.assert_allclose(g.y[attached.compound_entry_node], entry_y, atol=1e-9)
    street = attached.street_node_of[attached.compound_entry_node]
    np.testing.assert_allclose(
        np.hypot(g.x[street] - entry_x, g.y[street] - entry_y),
        attached.compound_entry_offset,
        atol=1e-6,
    )


def test_compound_min_takes_best_entry():
    area = small_area()
    attached = attach(area)
    values = np.arange(attached.graph.n_nodes, dtype=float)
    best = compound_min(attached, values, 4)
    gate_nodes = attached.compound_entry_node[attached.compound_entry_owner == 1]
    assert best[1] == values[gate_nodes].min()
    assert best[3] == np.inf


def test_analyse_matches_networkx_through_gates():
    area = small_area()
    result = analyse(area)
    attached = result.attached
    reference = to_networkx(attached.graph)
    access = result.access.set_index(["compound_id", "category"])
    standard = area.standard
    for category in ("service_station", "food_market", "park", "kindergarten", "canteen"):
        rows = np.flatnonzero(
            (area.facilities["category"] == category).to_numpy() & (attached.facility_node >= 0)
        )
        fac_nodes = attached.facility_node[rows]
        threshold = standard.threshold_m(category)
        for c, cid in enumerate(area.compounds["id"]):
            row = access.loc[(cid, category)]
            entries = attached.compound_entry_node[attached.compound_entry_owner == c]
            per_facility = [
                min(
                    (
                        nx.dijkstra_path_length(reference, int(e), int(f))
                        for e in entries
                        if nx.has_path(reference, int(e), int(f))
                    ),
                    default=np.inf,
                )
                for f in fac_nodes
            ]
            expected = min(per_facility, default=np.inf)
            assert row["distance_m"] == pytest.approx(expected, abs=1e-6)
            assert row["covered"] == (expected <= threshold)
            assert row["count_within_threshold"] == sum(d <= threshold for d in per_facility)
            for level in standard.level_distances():
                assert row[f"count_within_{level:g}m"] == sum(d <= level for d in per_facility)
            if np.isfinite(expected):
                nearest = area.facilities.set_index("id").loc[row["nearest_facility_id"]]
                k = list(area.facilities["id"]).index(row["nearest_facility_id"])
                assert per_facility[list(rows).index(k)] == pytest.approx(expected, abs=1e-6)
                assert nearest["category"] == category
            else:
                assert pd.isna(row["nearest_facility_id"])
    assert any("teleporter" in w for w in result.warnings)


def test_coverage_and_gaps_are_consistent():
    area = small_area()
    result = analyse(area)
    cov = result.coverage.set_index(["category", "group"])
    assert len(result.coverage) == 4 * len(area.standard.categories)
    for category in area.standard.categories:
        covered = result.access[result.access["category"] == category]["covered"].to_numpy()
        for group, column in (("all", "population"), ("elderly", "pop_60_plus")):
            row = cov.loc[(category, group)]
            assert row["population"] == area.compounds[column].sum()
            assert row["covered_population"] == area.compounds[column][covered].sum()
    assert not result.gaps["covered"].any()
    assert len(result.gaps) == int((~result.access["covered"]).sum())
    far = result.gaps[(result.gaps["compound_id"] == "c4") & (result.gaps["category"] == "canteen")]
    assert far["target_population"].iloc[0] == 10  # canteen serves the elderly


def test_weighted_gini_equals_pairwise_definition():
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1000, 30)
    w = rng.integers(0, 50, 30).astype(float)
    pairs = (w[:, None] * w[None, :] * np.abs(x[:, None] - x[None, :])).sum()
    expected = pairs / (2 * w.sum() * (w * x).sum())
    assert weighted_gini(x, w) == pytest.approx(expected, rel=1e-12)
    assert weighted_gini(np.full(5, 300.0), np.ones(5)) == 0.0


def test_equity_counts_who_is_left_out():
    area = small_area()
    result = analyse(area)
    table = equity(area, result).set_index(["category", "group"])
    row = table.loc[("service_station", "all")]
    access = result.access[result.access["category"] == "service_station"]
    left = area.compounds["population"][~access["covered"].to_numpy()].sum()
    assert row["left_out_population"] == left
    assert row["unreachable_population"] == 50  # the far compound
    assert 0 <= row["gini_distance"] < 1


def test_no_facilities_or_no_compounds_is_a_typed_input_error():
    area = small_area()
    area.facilities = area.facilities.iloc[0:0]
    with pytest.raises(NoFacilitiesError, match="no facility of any category") as caught:
        analyse(area)
    assert isinstance(caught.value, InputError)
    area = small_area()
    area.facilities = area.facilities[area.facilities["category"] == "teleporter"]
    with pytest.raises(NoFacilitiesError):
        analyse(area)
    area = small_area()
    area.compounds, area.gates = area.compounds.iloc[0:0], area.gates.iloc[0:0]
    with pytest.raises(NoCompoundsError, match="no compounds") as caught:
        analyse(area)
    assert isinstance(caught.value, InputError)


def test_category_without_facilities_is_not_zero_percent():
    area = small_area()
    result = analyse(area)
    has = {"service_station", "food_market", "park", "kindergarten"}
    coverage = result.coverage.set_index(["category", "group"])
    for code in area.standard.categories:
        row = coverage.loc[(code, "all")]
        assert row["no_facility"] == (code not in has)
        assert np.isnan(row["share"]) == (code not in has)
    assert coverage.loc[("kindergarten", "all"), "share"] >= 0
    access = result.access.set_index("category")
    assert access.loc["canteen", "no_facility"].all()
    assert not access.loc["park", "no_facility"].any()
    text = next(w for w in result.warnings if "no facility of these categories" in w)
    assert "canteen" in text and "社区食堂" in text and "park" not in text
    table = equity(area, result).set_index(["category", "group"])
    assert table.loc[("canteen", "all"), "no_facility"]
    assert np.isnan(table.loc[("canteen", "all"), "left_out_share"])


def test_points_far_from_the_street_are_named_with_their_distance():
    area = small_area()
    assert not any("over 50 m" in w for w in attach(area).warnings)
    attached = attach(area, warn_offset_m=20.0)
    offsets = dict(
        zip(attached.compound_entry_owner.tolist(), attached.compound_entry_offset, strict=True)
    )
    text = "\n".join(attached.warnings)
    assert f"c1 一村 is {offsets[0]:.0f} m from the nearest street (over 20 m)" in text
    assert "c2 二村 is" not in text  # its gates lie within 20 m of a street
