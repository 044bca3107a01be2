"""Walk graph, snapping onto edge segments and the distance engine against networkx."""

import networkx as nx
import numpy as np
import pytest

from lifecircle.access.engine import count_within, nearest_facility
from lifecircle.network.graph import GraphError, WalkGraph
from lifecircle.network.snap import attach_points


def grid_graph(n: int = 6, step: float = 80.0, seed: int = 1) -> WalkGraph:
    rng = np.random.default_rng(seed)
    xs, ys = np.meshgrid(np.arange(n) * step, np.arange(n) * step)
    x = xs.ravel() + rng.uniform(-10, 10, n * n)
    y = ys.ravel() + rng.uniform(-10, 10, n * n)
    u, v = [], []
    for i in range(n):
        for j in range(n):
            k = i * n + j
            if j < n - 1:
                u.append(k)
                v.append(k + 1)
            if i < n - 1:
                u.append(k)
                v.append(k + n)
    return WalkGraph.from_edges(x, y, np.array(u), np.array(v), "EPSG:32651")


def to_networkx(graph: WalkGraph) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(graph.n_nodes))
    for a, b, w in zip(graph.edge_u, graph.edge_v, graph.edge_length, strict=True):
        g.add_edge(int(a), int(b), weight=float(w))
    return g


def test_csr_is_symmetric_and_lengths_are_euclidean():
    graph = grid_graph()
    m = graph.csr_matrix()
    assert (m != m.T).nnz == 0
    expected = np.hypot(
        graph.x[graph.edge_u] - graph.x[graph.edge_v], graph.y[graph.edge_u] - graph.y[graph.edge_v]
    )
    np.testing.assert_allclose(graph.edge_length, expected)


def test_parallel_edges_keep_shortest_and_zero_length_is_rejected():
    x = np.array([0.0, 100.0, 200.0])
    y = np.zeros(3)
    graph = WalkGraph.from_edges(
        x,
        y,
        np.array([0, 1, 1]),
        np.array([1, 0, 2]),
        "EPSG:32651",
        np.array([120.0, 100.0, 100.0]),
    )
    assert graph.n_edges == 2
    assert sorted(graph.edge_length) == [100.0, 100.0]
    with pytest.raises(GraphError):
        WalkGraph.from_edges(x, y, np.array([0]), np.array([1]), "EPSG:32651", np.array([0.0]))


def test_snapping_splits_edges_and_keeps_distances_exact():
    graph = grid_graph()
    rng = np.random.default_rng(7)
    px = rng.uniform(-20, 420, 40)
    py = rng.uniform(-20, 420, 40)
    snapped = attach_points(graph, px, py, max_offset_m=300)
    assert (snapped.node >= 0).all()
    g2 = snapped.graph
    # Each projection lies on the segment it split, at its reported offset from the point; the
    # point is a node of its own, joined to it by a connector of that length.
    street = snapped.street_node
    np.testing.assert_allclose(
        np.hypot(g2.x[street] - px, g2.y[street] - py), snapped.offset_m, atol=1e-6
    )
    np.testing.assert_allclose(g2.x[snapped.node], px, atol=1e-9)
    np.testing.assert_allclose(g2.y[snapped.node], py, atol=1e-9)
    # Splitting keeps the street length; the connectors add exactly the offsets.
    assert g2.edge_length.sum() == pytest.approx(
        graph.edge_length.sum() + snapped.offset_m.sum(), rel=1e-12
    )
    assert (np.bincount(np.concatenate([g2.edge_u, g2.edge_v]))[snapped.node] == 1).all()

    reference = to_networkx(g2)
    facilities = snapped.node[:8]
    dist, which = nearest_facility(g2, facilities)
    ref = nx.multi_source_dijkstra_path_length(reference, set(int(f) for f in facilities))
    for node in range(g2.n_nodes):
        assert dist[node] == pytest.approx(ref[node], abs=1e-6)
        assert dist[node] == pytest.approx(
            nx.dijkstra_path_length(reference, int(facilities[which[node]]), node), abs=1e-6
        )

    radii = np.array([100.0, 250.0])
    counts = count_within(g2, facilities, radii)
    expected = np.zeros_like(counts)
    for f in facilities:
        lengths = nx.single_source_dijkstra_path_length(reference, int(f))
        for node, d in lengths.items():
            expected[node] += d <= radii
    np.testing.assert_array_equal(counts, expected)


def test_far_point_is_reported_not_snapped():
    graph = grid_graph()
    snapped = attach_points(graph, np.array([5000.0]), np.array([5000.0]), max_offset_m=300)
    assert snapped.node[0] == -1
    assert snapped.offset_m[0] > 4000
    assert snapped.graph.n_nodes == graph.n_nodes


def test_save_and_load_round_trip(tmp_path):
    graph = grid_graph()
    path = graph.save(tmp_path / "g.npz")
    loaded = WalkGraph.load(path)
    np.testing.assert_array_equal(loaded.indices, graph.indices)
    np.testing.assert_array_equal(loaded.weights, graph.weights)
    assert loaded.crs == graph.crs
    (tmp_path / "bad.npz").write_bytes(b"not a graph")
    with pytest.raises(GraphError):
        WalkGraph.load(tmp_path / "bad.npz")
