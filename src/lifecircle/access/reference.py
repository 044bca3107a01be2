"""Reference versions of the engine on scipy.sparse.csgraph: the yardstick in tests and bench.

Same signatures and results as `lifecircle.access.engine`; the compiled kernels there are the ones
to use. Nearest uses multi-source `min_only`; counts run bounded searches in blocks of sources.
"""

import numpy as np
from scipy.sparse import csgraph

from lifecircle.network.graph import WalkGraph


def nearest_facility(
    graph: WalkGraph, facility_nodes: np.ndarray, limit: float = np.inf
) -> tuple[np.ndarray, np.ndarray]:
    """Distance from every node to its nearest facility and that facility's index.

    Returns (dist, which): dist[n] in metres (inf beyond `limit` or unreachable), which[n] the
    index into `facility_nodes` of the nearest one (-1 where none).
    """
    facility_nodes = np.asarray(facility_nodes, dtype=np.int64)
    n = graph.n_nodes
    if facility_nodes.size == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    dist, _, source = csgraph.dijkstra(
        graph.csr_matrix(),
        directed=True,
        indices=facility_nodes,
        min_only=True,
        limit=limit,
        return_predecessors=True,
    )
    # Several facilities may share a node: report the first of them.
    first_at_node = np.full(n, -1, dtype=np.int64)
    first_at_node[facility_nodes[::-1]] = np.arange(facility_nodes.size - 1, -1, -1)
    which = np.where(source >= 0, first_at_node[np.maximum(source, 0)], -1)
    return dist, which


def count_within(
    graph: WalkGraph, facility_nodes: np.ndarray, radii: np.ndarray, chunk: int = 64
) -> np.ndarray:
    """How many facilities lie within each radius of every node (network distance <= radius).

    Returns an int32 array of shape (n_nodes, len(radii)).
    """
    radii = np.asarray(radii, dtype=np.float64)
    facility_nodes = np.asarray(facility_nodes, dtype=np.int64)
    counts = np.zeros((graph.n_nodes, radii.size), dtype=np.int32)
    if facility_nodes.size == 0 or radii.size == 0:
        return counts
    matrix = graph.csr_matrix()
    for start in range(0, facility_nodes.size, chunk):
        block = csgraph.dijkstra(
            matrix, directed=True, indices=facility_nodes[start : start + chunk], limit=radii.max()
        )
        for j, radius in enumerate(radii):
            counts[:, j] += (block <= radius).sum(axis=0, dtype=np.int32)
    return counts


def count_within_groups(
    graph, facility_nodes, radii, member_node, member_owner, n_groups, chunk=64
):
    """`engine.count_within_groups` by dense blocks of scipy searches (min over each group)."""
    radii, facility_nodes = np.asarray(radii, float), np.asarray(facility_nodes, np.int64)
    member_node, member_owner = (
        np.asarray(member_node, np.int64),
        np.asarray(member_owner, np.int64),
    )
    counts = np.zeros((n_groups, radii.size), dtype=np.int32)
    if facility_nodes.size == 0 or radii.size == 0 or member_node.size == 0:
        return counts
    matrix = graph.csr_matrix()
    for start in range(0, facility_nodes.size, chunk):
        block = csgraph.dijkstra(
            matrix, directed=True, indices=facility_nodes[start : start + chunk], limit=radii.max()
        )[:, member_node]
        nearest = np.full((n_groups, block.shape[0]), np.inf)
        np.minimum.at(nearest, member_owner, block.T)
        for j, radius in enumerate(radii):
            counts[:, j] += (nearest <= radius).sum(axis=1, dtype=np.int32)
    return counts
