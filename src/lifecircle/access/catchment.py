"""Catchment pairs: every (origin, demand group) pair within walking reach, with its distance.

The floating-catchment measures, the adequacy report, the capacitated models and the `--od`
table all read the same sparse structure: one bounded Dijkstra per origin (a facility's node, or
all entry nodes of a compound at once) up to the origin's own limit, recording each demand group
(a compound reached through the nearest of its gates, or a bare node) the first time one of its
members settles. Nothing n × m is ever allocated: the output holds only the pairs within reach.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np

from lifecircle.access.kernel import _pop, _push
from lifecircle.network.graph import WalkGraph


@numba.njit(cache=True, nogil=True)
def _catchment_chunk(graph, origins, first, last, limits, groups, n_groups):
    """Pairs of origins first..last-1: (origin, group, distance), grown by doubling."""
    indptr, indices, weights = graph
    origin_ptr, origin_nodes = origins
    group_ptr, group_of = groups
    identity = group_ptr.shape[0] == 0
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    touched = np.empty(n, dtype=np.int64)
    seen = np.full(n_groups, -1, dtype=np.int64)
    heap_d = np.empty(indices.shape[0] + origin_nodes.shape[0] + 1, dtype=np.float64)
    heap_n = np.empty(indices.shape[0] + origin_nodes.shape[0] + 1, dtype=np.int64)
    capacity = 1024
    out_origin = np.empty(capacity, dtype=np.int64)
    out_group = np.empty(capacity, dtype=np.int64)
    out_dist = np.empty(capacity, dtype=np.float64)
    size_out = 0
    for k in range(first, last):
        limit = limits[k]
        size = 0
        n_touched = 0
        for s in origin_nodes[origin_ptr[k] : origin_ptr[k + 1]]:
            if dist[s] > 0.0:
                if dist[s] == np.inf:
                    touched[n_touched] = s
                    n_touched += 1
                dist[s] = 0.0
                size = _push(heap_d, heap_n, size, 0.0, s)
        while size > 0:
            d, u, size = _pop(heap_d, heap_n, size)
            if d > dist[u]:
                continue
            lo, hi = (u, u + 1) if identity else (group_ptr[u], group_ptr[u + 1])
            for m in range(lo, hi):
                g = u if identity else group_of[m]
                if seen[g] == k:
                    continue
                seen[g] = k
                if size_out == capacity:
                    capacity *= 2
                    out_origin = _grown(out_origin, capacity)
                    out_group = _grown(out_group, capacity)
                    out_dist = _grown(out_dist, capacity)
                out_origin[size_out] = k
                out_group[size_out] = g
                out_dist[size_out] = d
                size_out += 1
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                nd = d + weights[e]
                if nd < dist[v] and nd <= limit:
                    if dist[v] == np.inf:
                        touched[n_touched] = v
                        n_touched += 1
                    dist[v] = nd
                    size = _push(heap_d, heap_n, size, nd, v)
        for t in range(n_touched):
            dist[touched[t]] = np.inf
    return out_origin[:size_out], out_group[:size_out], out_dist[:size_out]


@numba.njit(cache=True, nogil=True)
def _grown(values, capacity):
    out = np.empty(capacity, dtype=values.dtype)
    out[: values.shape[0]] = values
    return out


@dataclass(frozen=True)
class CatchmentPairs:
    """Sparse (origin, group, distance_m) triples, each origin's pairs together.

    `origin[k]` indexes the origins given to `catchment_pairs`, `group[k]` the demand groups;
    `distance_m[k]` is the network distance from the origin to the group's nearest member, and
    only pairs with distance <= that origin's limit are present.
    """

    origin: np.ndarray
    group: np.ndarray
    distance_m: np.ndarray
    n_origins: int
    n_groups: int

    def within(self, limit_of_origin: np.ndarray) -> "CatchmentPairs":
        """The pairs within a smaller limit per origin (an array over origins)."""
        keep = self.distance_m <= np.asarray(limit_of_origin, dtype=np.float64)[self.origin]
        return CatchmentPairs(
            self.origin[keep], self.group[keep], self.distance_m[keep], self.n_origins,
            self.n_groups,
        )  # fmt: skip


def catchment_pairs(
    graph: WalkGraph,
    origin_nodes: list[np.ndarray] | np.ndarray,
    limits: np.ndarray | float,
    member_node: np.ndarray | None = None,
    member_owner: np.ndarray | None = None,
    n_groups: int | None = None,
    threads: int | None = None,
) -> CatchmentPairs:
    """Every (origin, group) pair within each origin's walking limit, from bounded searches.

    Parameters
    ----------
    graph : WalkGraph
        The (attached) walk graph.
    origin_nodes : list of arrays, or an array
        The start nodes of each origin: one node for a facility, all entry nodes of a compound.
        A flat array means one node per origin.
    limits : float or array
        Largest distance searched from each origin, in metres.
    member_node, member_owner, n_groups : arrays, int
        Group g is the node set ``member_node[member_owner == g]`` (a compound's gates). Without
        them, every node is its own group.
    threads : int, optional
        Worker threads (default: numba's thread count).

    Returns
    -------
    CatchmentPairs

    Examples
    --------
    >>> import numpy as np
    >>> from lifecircle.network.graph import WalkGraph
    >>> line = WalkGraph.from_edges(np.arange(4.0) * 100, np.zeros(4), [0, 1, 2], [1, 2, 3], "X")
    >>> pairs = catchment_pairs(line, np.array([0]), 250.0)
    >>> pairs.group.tolist(), pairs.distance_m.tolist()
    ([0, 1, 2], [0.0, 100.0, 200.0])
    """
    if isinstance(origin_nodes, np.ndarray) and origin_nodes.ndim == 1:
        sets = [np.asarray([node], dtype=np.int64) for node in origin_nodes]
    else:
        sets = [np.asarray(nodes, dtype=np.int64).ravel() for nodes in origin_nodes]
    n_origins = len(sets)
    limits = np.broadcast_to(np.asarray(limits, dtype=np.float64), (n_origins,)).copy()
    identity = member_node is None
    if identity:
        n_groups = graph.n_nodes
        group_ptr = group_of = np.zeros(0, dtype=np.int64)
    else:
        member_node = np.asarray(member_node, dtype=np.int64)
        member_owner = np.asarray(member_owner, dtype=np.int64)
        group_ptr = np.zeros(graph.n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(member_node, minlength=graph.n_nodes), out=group_ptr[1:])
        group_of = member_owner[np.argsort(member_node, kind="stable")]
    empty = CatchmentPairs(
        np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), n_origins, int(n_groups)
    )
    if n_origins == 0 or (not identity and member_node.size == 0):
        return empty
    # Search in node order (the OSM reader numbers nodes along a Z-order curve): searches that
    # follow each other then work on the same part of memory.
    first_node = np.array([s[0] if s.size else -1 for s in sets], dtype=np.int64)
    order = np.argsort(first_node, kind="stable")
    ptr = np.zeros(n_origins + 1, dtype=np.int64)
    np.cumsum([sets[k].size for k in order], out=ptr[1:])
    flat = np.concatenate([sets[k] for k in order])
    args = ((graph.indptr, graph.indices, graph.weights), (ptr, flat))
    rest = (limits[order], (group_ptr, group_of), int(n_groups))
    workers = max(1, threads or numba.get_num_threads())
    n_chunks = 1 if n_origins < 64 or workers == 1 else 2 * workers
    bounds = np.linspace(0, n_origins, n_chunks + 1).astype(np.int64)
    jobs = list(zip(bounds[:-1], bounds[1:], strict=True))
    if n_chunks == 1:
        parts = [_catchment_chunk(*args, 0, n_origins, *rest)]
    else:
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(lambda job: _catchment_chunk(*args, job[0], job[1], *rest), jobs))
    # Each origin's pairs come out together, nearest first (the order in which groups settle).
    origin = order[np.concatenate([p[0] for p in parts])]
    group = np.concatenate([p[1] for p in parts])
    distance = np.concatenate([p[2] for p in parts])
    return CatchmentPairs(origin, group, distance, n_origins, int(n_groups))
