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


@numba.njit(cache=True)
def _bounded_search(
    indptr,
    indices,
    weights,
    s,
    k,
    radii,
    group_ptr,
    group_of,
    out,
    dist,
    seen,
    touched,
    heap_d,
    heap_n,
    with_nearest,
    best,
    best_label,
    local,
):
    """One search from node s (source number k) up to the largest radius, counted into `out`.

    Node v belongs to the groups group_of[group_ptr[v]:group_ptr[v+1]] (with an empty group_ptr,
    node v is group v); nodes settle in order of distance, so the first settled member of a group
    gives the group's distance to s. With
    `with_nearest`, each settled node also keeps the smallest distance seen in `best` and the
    source's index in its set (`local`) in `best_label`.
    """
    n_radii = radii.shape[0]
    limit = radii[n_radii - 1]
    n_touched = 1
    dist[s] = 0.0
    touched[0] = s
    size = _push(heap_d, heap_n, 0, 0.0, s)
    while size > 0:
        d, u, size = _pop(heap_d, heap_n, size)
        if d > dist[u]:
            continue
        if with_nearest and d < best[u]:
            best[u] = d
            best_label[u] = local
        if group_ptr.shape[0] == 0:  # every node its own group: each settles once per search
            for r in range(n_radii):
                if d <= radii[r]:
                    out[u, r] += 1
        else:
            for m in range(group_ptr[u], group_ptr[u + 1]):
                g = group_of[m]
                if seen[g] != k:
                    seen[g] = k
                    for r in range(n_radii):
                        if d <= radii[r]:
                            out[g, r] += 1
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


@numba.njit(cache=True)
def _count_chunk(
    c,
    n_chunks,
    t,
    indptr,
    indices,
    weights,
    sources,
    source_set,
    radii,
    group_ptr,
    group_of,
    out,
    dist,
    seen,
    touched,
    heap_d,
    heap_n,
    with_nearest,
    best,
    best_label,
    source_local,
):
    m = sources.shape[0]
    for k in range(c * m // n_chunks, (c + 1) * m // n_chunks):
        _bounded_search(
            indptr,
            indices,
            weights,
            sources[k],
            k,
            radii,
            group_ptr,
            group_of,
            out[t, source_set[k]],
            dist[t],
            seen[t],
            touched[t],
            heap_d[t],
            heap_n[t],
            with_nearest,
            best[t, source_set[k]],
            best_label[t, source_set[k]],
            source_local[k],
        )


@numba.njit(cache=True)
def _scratch(n_threads, n, n_edges, n_sets, n_groups, n_radii, with_nearest):
    out = np.zeros((n_threads, n_sets, n_groups, n_radii), dtype=np.int32)
    n_best = n if with_nearest else 1
    best = np.full((n_threads, n_sets, n_best), np.inf)
    best_label = np.full((n_threads, n_sets, n_best), -1, dtype=np.int64)
    dist = np.full((n_threads, n), np.inf)
    seen = np.full((n_threads, n_groups), -1, dtype=np.int64)
    touched = np.empty((n_threads, n), dtype=np.int64)
    heap_d = np.empty((n_threads, n_edges + 1), dtype=np.float64)
    heap_n = np.empty((n_threads, n_edges + 1), dtype=np.int64)
    return out, dist, seen, touched, heap_d, heap_n, best, best_label


@numba.njit(cache=True)
def _sum_threads(out, best, best_label):
    """Counts summed over threads; nearest = the smallest over threads (ties: lower index)."""
    total = out[0].copy()
    dist = best[0].copy()
    label = best_label[0].copy()
    for t in range(1, out.shape[0]):
        total += out[t]
        for k in range(dist.shape[0]):
            for v in range(dist.shape[1]):
                d = best[t, k, v]
                if d < dist[k, v] or (d == dist[k, v] and best_label[t, k, v] < label[k, v]):
                    dist[k, v] = d
                    label[k, v] = best_label[t, k, v]
    return total, dist, label


@numba.njit(cache=True, parallel=True)
def complete_nearest_kernel(indptr, indices, weights, dist, label):
    """Finish nearest distances known exactly up to some radius, for every set in parallel.

    Nodes with a finite distance are final; Dijkstra resumes from those next to an unknown node.
    Any shortest path to an unknown node leaves the known region at such a node, so the result is
    the multi-source Dijkstra's, to the last bit.
    """
    n = indptr.shape[0] - 1
    for k in numba.prange(dist.shape[0]):
        d_k = dist[k]
        l_k = label[k]
        heap_d = np.empty(indices.shape[0] + n + 1, dtype=np.float64)
        heap_n = np.empty(indices.shape[0] + n + 1, dtype=np.int64)
        size = 0
        for u in range(n):
            if d_k[u] < np.inf:
                for e in range(indptr[u], indptr[u + 1]):
                    if d_k[indices[e]] == np.inf:
                        size = _push(heap_d, heap_n, size, d_k[u], u)
                        break
        while size > 0:
            d, u, size = _pop(heap_d, heap_n, size)
            if d > d_k[u]:
                continue
            lu = l_k[u]
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                nd = d + weights[e]
                if nd < d_k[v]:
                    d_k[v] = nd
                    l_k[v] = lu
                    size = _push(heap_d, heap_n, size, nd, v)


@numba.njit(cache=True, parallel=True)
def count_kernel(
    indptr,
    indices,
    weights,
    sources,
    source_set,
    source_local,
    n_sets,
    radii,
    group_ptr,
    group_of,
    n_groups,
    with_nearest,
    n_chunks,
    n_workers,
):
    """Counts of sources within each radius (ascending) of each group, per source set.

    `n_workers` workers (one per thread), each with its own counts and scratch arrays, take every
    n-th of the `n_chunks` chunks of sources. Returns (counts int32 (n_sets, n_groups, n_radii),
    nearest distance and index per set and node within the largest radius (with_nearest)).
    """
    n = indptr.shape[0] - 1
    out, dist, seen, touched, heap_d, heap_n, best, best_label = _scratch(
        n_workers, n, indices.shape[0], n_sets, n_groups, radii.shape[0], with_nearest
    )
    for w in numba.prange(n_workers):
        for c in range(w, n_chunks, n_workers):
            _count_chunk(
                c,
                n_chunks,
                w,
                indptr,
                indices,
                weights,
                sources,
                source_set,
                radii,
                group_ptr,
                group_of,
                out,
                dist,
                seen,
                touched,
                heap_d,
                heap_n,
                with_nearest,
                best,
                best_label,
                source_local,
            )
    return _sum_threads(out, best, best_label)


@numba.njit(cache=True)
def count_kernel_serial(
    indptr,
    indices,
    weights,
    sources,
    source_set,
    source_local,
    n_sets,
    radii,
    group_ptr,
    group_of,
    n_groups,
    with_nearest,
):
    """`count_kernel` on the calling thread alone: for small jobs, where waking threads costs more."""
    n = indptr.shape[0] - 1
    out, dist, seen, touched, heap_d, heap_n, best, best_label = _scratch(
        1, n, indices.shape[0], n_sets, n_groups, radii.shape[0], with_nearest
    )
    _count_chunk(
        0,
        1,
        0,
        indptr,
        indices,
        weights,
        sources,
        source_set,
        radii,
        group_ptr,
        group_of,
        out,
        dist,
        seen,
        touched,
        heap_d,
        heap_n,
        with_nearest,
        best,
        best_label,
        source_local,
    )
    return out[0], best[0], best_label[0]
