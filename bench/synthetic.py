"""A synthetic city walk graph for the benchmark: a perturbed grid with edges removed."""

import numpy as np
from scipy.sparse import csgraph

from lifecircle.network.graph import WalkGraph
from lifecircle.network.osm import z_order


def synthetic_city(
    n_nodes: int = 1_000_000, block_m: float = 60.0, removed: float = 0.12, seed: int = 0
) -> WalkGraph:
    """Grid of ~n_nodes with node jitter of a quarter block, `removed` share of edges dropped,
    then the largest connected component (so node count ends a little below n_nodes)."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_nodes)))
    ids = np.arange(side * side).reshape(side, side)
    x = (ids.ravel() % side) * block_m + rng.uniform(-block_m / 4, block_m / 4, ids.size)
    y = (ids.ravel() // side) * block_m + rng.uniform(-block_m / 4, block_m / 4, ids.size)
    u = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    v = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    keep = rng.random(u.size) >= removed
    graph = WalkGraph.from_edges(x, y, u[keep], v[keep], "EPSG:32651")
    _, label = csgraph.connected_components(graph.csr_matrix(), directed=False)
    largest = np.argmax(np.bincount(label))
    inside = label == largest
    # Number the kept nodes along a Z-order curve, as the OSM reader does.
    kept = np.flatnonzero(inside)
    order = np.argsort(z_order(graph.x[kept], graph.y[kept]), kind="stable")
    new_id = np.full(graph.n_nodes, -1, dtype=np.int64)
    new_id[kept[order]] = np.arange(kept.size)
    both = inside[graph.edge_u] & inside[graph.edge_v]
    return WalkGraph.from_edges(
        graph.x[kept[order]],
        graph.y[kept[order]],
        new_id[graph.edge_u[both]],
        new_id[graph.edge_v[both]],
        graph.crs,
        graph.edge_length[both],
    )


def synthetic_facilities(
    graph: WalkGraph, n_categories: int = 20, total: int = 75_000, seed: int = 1
) -> list[np.ndarray]:
    """Facility nodes per category, uniformly at random, `total` in all."""
    rng = np.random.default_rng(seed)
    sizes = np.full(n_categories, total // n_categories)
    sizes[: total % n_categories] += 1
    return [rng.integers(0, graph.n_nodes, k) for k in sizes]
