"""Compiled Dijkstra kernels (numba) on CSR arrays.

A lazy binary heap of (distance, node); a node is settled when popped at its current distance.
Every distance is the float64 sum of edge weights along the path, relaxed in the same way as
scipy's csgraph.dijkstra, so results are equal bit for bit, not merely close.
"""

import numba
import numpy as np


@numba.njit(cache=True, inline="always")
def _push(heap_d, heap_n, size, d, n):
    i = size
    heap_d[i] = d
    heap_n[i] = n
    while i > 0:
        parent = (i - 1) >> 1
        if heap_d[parent] <= d:
            break
        heap_d[i] = heap_d[parent]
        heap_n[i] = heap_n[parent]
        i = parent
    heap_d[i] = d
    heap_n[i] = n
    return size + 1


@numba.njit(cache=True, inline="always")
def _pop(heap_d, heap_n, size):
    top_d = heap_d[0]
    top_n = heap_n[0]
    size -= 1
    if size > 0:
        d = heap_d[size]
        n = heap_n[size]
        i = 0
        while True:
            child = 2 * i + 1
            if child >= size:
                break
            if child + 1 < size and heap_d[child + 1] < heap_d[child]:
                child += 1
            if heap_d[child] >= d:
                break
            heap_d[i] = heap_d[child]
            heap_n[i] = heap_n[child]
            i = child
        heap_d[i] = d
        heap_n[i] = n
    return top_d, top_n, size


@numba.njit(cache=True)
def _multi_source(indptr, indices, weights, sources, limit, dist, label):
    """Multi-source Dijkstra into `dist` / `label` (index into `sources` of the nearest)."""
    n_sources = sources.shape[0]
    heap_d = np.empty(indices.shape[0] + n_sources + 1, dtype=np.float64)
    heap_n = np.empty(indices.shape[0] + n_sources + 1, dtype=np.int64)
    size = 0
    for k in range(n_sources):
        s = sources[k]
        if dist[s] > 0.0:
            dist[s] = 0.0
            label[s] = k
            size = _push(heap_d, heap_n, size, 0.0, s)
    while size > 0:
        d, u, size = _pop(heap_d, heap_n, size)
        if d > dist[u]:
            continue
        lu = label[u]
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            nd = d + weights[e]
            if nd < dist[v] and nd <= limit:
                dist[v] = nd
                label[v] = lu
                size = _push(heap_d, heap_n, size, nd, v)


@numba.njit(cache=True)
def nearest_kernel(indptr, indices, weights, sources, limit):
    """Distance to the nearest source and its index (-1 where none within `limit`)."""
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    label = np.full(n, -1, dtype=np.int64)
    _multi_source(indptr, indices, weights, sources, limit, dist, label)
    return dist, label


@numba.njit(cache=True, parallel=True)
def nearest_many_kernel(indptr, indices, weights, sources, source_ptr, limit):
    """`nearest_kernel` for several source sets at once (set k is sources[ptr[k]:ptr[k+1]])."""
    n = indptr.shape[0] - 1
    n_sets = source_ptr.shape[0] - 1
    dist = np.full((n_sets, n), np.inf)
    label = np.full((n_sets, n), -1, dtype=np.int64)
    for k in numba.prange(n_sets):
        _multi_source(
            indptr,
            indices,
            weights,
            sources[source_ptr[k] : source_ptr[k + 1]],
            limit,
            dist[k],
            label[k],
        )
    return dist, label


@numba.njit(cache=True, parallel=True)
def count_kernel(
    indptr, indices, weights, sources, radii, group_ptr, group_of, n_groups, n_workers
):
    """How many sources lie within each radius of each group of nodes.

    Node v belongs to the groups group_of[group_ptr[v]:group_ptr[v+1]]. One search per source,
    bounded by the largest radius; the first settled member of a group gives the group's distance
    (nodes settle in order of distance). Workers take sources in strides and keep their own counts.
    """
    n = indptr.shape[0] - 1
    n_radii = radii.shape[0]
    limit = radii.max()
    counts = np.zeros((n_workers, n_groups, n_radii), dtype=np.int32)
    for w in numba.prange(n_workers):
        dist = np.full(n, np.inf)
        seen = np.full(n_groups, -1, dtype=np.int64)
        touched = np.empty(n, dtype=np.int64)
        heap_d = np.empty(indices.shape[0] + 1, dtype=np.float64)
        heap_n = np.empty(indices.shape[0] + 1, dtype=np.int64)
        mine = counts[w]
        for k in range(w, sources.shape[0], n_workers):
            s = sources[k]
            n_touched = 0
            dist[s] = 0.0
            touched[n_touched] = s
            n_touched += 1
            size = _push(heap_d, heap_n, 0, 0.0, s)
            while size > 0:
                d, u, size = _pop(heap_d, heap_n, size)
                if d > dist[u]:
                    continue
                for m in range(group_ptr[u], group_ptr[u + 1]):
                    g = group_of[m]
                    if seen[g] != k:
                        seen[g] = k
                        for r in range(n_radii):
                            if d <= radii[r]:
                                mine[g, r] += 1
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
    return counts.sum(axis=0).astype(np.int32)
