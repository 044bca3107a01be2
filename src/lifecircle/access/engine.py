"""Network distances from facilities: nearest facility and counts within radii.

Pure functions on the graph's CSR arrays, run by the compiled kernels in `kernel`. Walking graphs
are symmetric, so searches run from the facility side and their results are read at every node.
`reference` holds the scipy versions these are tested and benchmarked against.
"""

import numba
import numpy as np

from lifecircle.access.kernel import (
    complete_nearest_kernel,
    count_kernel,
    count_kernel_serial,
    nearest_kernel,
    nearest_many_kernel,
)
from lifecircle.network.graph import WalkGraph


def nearest_facility(
    graph: WalkGraph, facility_nodes: np.ndarray, limit: float = np.inf
) -> tuple[np.ndarray, np.ndarray]:
    """Distance from every node to its nearest facility and that facility's index.

    Returns (dist, which): dist[n] in metres (inf beyond `limit` or unreachable), which[n] the
    index into `facility_nodes` of the nearest one (-1 where none; of facilities sharing a node,
    the first).
    """
    facility_nodes = np.asarray(facility_nodes, dtype=np.int64)
    return nearest_kernel(graph.indptr, graph.indices, graph.weights, facility_nodes, float(limit))


def nearest_facility_many(
    graph: WalkGraph, facility_sets: list[np.ndarray], limit: float = np.inf
) -> tuple[np.ndarray, np.ndarray]:
    """`nearest_facility` for several facility sets (e.g. one per category), in parallel.

    Returns (dist, which) of shape (len(facility_sets), n_nodes).
    """
    sets = [np.asarray(s, dtype=np.int64) for s in facility_sets]
    ptr = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([s.size for s in sets], out=ptr[1:])
    flat = np.concatenate(sets) if sets else np.zeros(0, dtype=np.int64)
    with numba.parallel_chunksize(1):
        return nearest_many_kernel(
            graph.indptr, graph.indices, graph.weights, flat, ptr, float(limit)
        )


PARALLEL_MIN_SOURCES = 256
"""Below this many searches one thread does the work: waking the others would cost more."""


def count_within(graph: WalkGraph, facility_nodes: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """How many facilities lie within each radius of every node (network distance <= radius).

    Returns an int32 array of shape (n_nodes, len(radii)).
    """
    return count_within_many(graph, [facility_nodes], radii)[0]


def count_within_groups(
    graph: WalkGraph,
    facility_nodes: np.ndarray,
    radii: np.ndarray,
    member_node: np.ndarray,
    member_owner: np.ndarray,
    n_groups: int,
) -> np.ndarray:
    """How many facilities lie within each radius of any node of a group (e.g. a compound's gates).

    Group g is the set of nodes `member_node[member_owner == g]`; a facility counts once for a group
    when its distance to the nearest member is <= radius. Returns int32 (n_groups, len(radii)).
    """
    return count_within_many(graph, [facility_nodes], radii, member_node, member_owner, n_groups)[0]


def count_within_many(
    graph: WalkGraph,
    facility_sets: list[np.ndarray],
    radii: np.ndarray,
    member_node: np.ndarray | None = None,
    member_owner: np.ndarray | None = None,
    n_groups: int | None = None,
) -> np.ndarray:
    """`count_within_groups` for several facility sets (e.g. one per category) in one parallel run.

    Without members, every node is its own group. Returns int32 (n_sets, n_groups, len(radii)).
    """
    return _searches(graph, facility_sets, radii, member_node, member_owner, n_groups, False)[0]


def nearest_and_counts_many(
    graph: WalkGraph,
    facility_sets: list[np.ndarray],
    radii: np.ndarray,
    member_node: np.ndarray | None = None,
    member_owner: np.ndarray | None = None,
    n_groups: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest facility of every node and counts within radii, for several sets, in one pass.

    The bounded searches that count also record, for every node they reach, the nearest facility;
    a multi-source Dijkstra then continues only from the edge of that region, for nodes beyond the
    largest radius. Same results as `nearest_facility_many` and `count_within_many` (ties between
    equally near facilities may name another one). Returns (dist, which, counts).
    """
    counts, dist, which = _searches(
        graph, facility_sets, radii, member_node, member_owner, n_groups, True
    )
    complete_nearest_kernel(graph.indptr, graph.indices, graph.weights, dist, which)
    return dist, which, counts


def _searches(graph, facility_sets, radii, member_node, member_owner, n_groups, with_nearest):
    radii = np.asarray(radii, dtype=np.float64)
    n = graph.n_nodes
    identity = member_node is None
    if identity:
        member_node = member_owner = np.arange(n, dtype=np.int64)
        n_groups = n
    member_node = np.asarray(member_node, dtype=np.int64)
    member_owner = np.asarray(member_owner, dtype=np.int64)
    sets = [np.asarray(nodes, dtype=np.int64) for nodes in facility_sets]
    sources = np.concatenate(sets) if sets else np.zeros(0, dtype=np.int64)
    if radii.size == 0:
        raise ValueError("至少需要一个半径 at least one radius is needed")
    if sources.size == 0 or member_node.size == 0:
        shape = (len(sets), n if with_nearest else 1)
        return (
            np.zeros((len(sets), n_groups, radii.size), dtype=np.int32),
            np.full(shape, np.inf),
            np.full(shape, -1, dtype=np.int64),
        )
    sizes = [s.size for s in sets]
    source_set = np.repeat(np.arange(len(sets), dtype=np.int64), sizes)
    source_local = np.arange(sources.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    if identity:  # the kernel reads an empty group index as "every node is its own group"
        group_ptr, group_of = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    else:
        group_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(member_node, minlength=n), out=group_ptr[1:])
        group_of = member_owner[np.argsort(member_node, kind="stable")]
    ascending = np.argsort(radii, kind="stable")
    args = (
        graph.indptr,
        graph.indices,
        graph.weights,
        sources,
        source_set,
        source_local.astype(np.int64),
        len(sets),
        radii[ascending],
        group_ptr,
        group_of,
        n_groups,
        with_nearest,
    )
    threads = numba.get_num_threads()
    if threads == 1 or sources.size < PARALLEL_MIN_SOURCES:
        counts, dist, which = count_kernel_serial(*args)
    else:
        counts, dist, which = count_kernel(*args, min(sources.size, 16 * threads), threads)
    return counts[:, :, np.argsort(ascending)], dist, which
