"""Fast heuristics: greedy + best-improvement swap (Teitz–Bart, vectorised numpy), and for MCLP
an iterated swap local search compiled with numba.

They give the incumbents the exact models start from, and the answers on instances too large
for an exact proof (then reported with their gap to a valid bound).
"""

import time

import numba
import numpy as np
from scipy import sparse

from lifecircle.plan.highs import solve_mip, stack


def _finite_costs(cost: np.ndarray) -> np.ndarray:
    """Unreachable pairs (inf) → a penalty larger than any finite total, so they are avoided."""
    finite = cost[np.isfinite(cost)]
    big = (finite.max() + 1.0) * (cost.shape[0] + 1) if finite.size else 1.0
    return np.where(np.isfinite(cost), cost, big)


def _two_nearest(cost: np.ndarray, open_sites: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per row: nearest open cost, its position in open_sites, and the second nearest cost."""
    sub = cost[:, open_sites]
    if open_sites.size == 1:
        return (
            sub[:, 0].copy(),
            np.zeros(cost.shape[0], dtype=np.int64),
            np.full(cost.shape[0], np.inf),
        )
    two = np.argpartition(sub, 1, axis=1)[:, :2]
    rows = np.arange(cost.shape[0])
    a, b = sub[rows, two[:, 0]], sub[rows, two[:, 1]]
    first = np.where(a <= b, two[:, 0], two[:, 1])
    return np.minimum(a, b), first, np.maximum(a, b)


def pmedian_greedy_swap(
    cost: np.ndarray, weights: np.ndarray, p: int, max_rounds: int = 10_000
) -> np.ndarray:
    """Open p sites minimising Σ w·(cost to nearest open site): greedy add, then best swaps."""
    d = _finite_costs(cost)
    n, m = d.shape
    nearest = np.full(n, d.max() * 2 + 1)
    chosen: list[int] = []
    closed = np.ones(m, dtype=bool)
    for _ in range(p):
        saving = weights @ np.maximum(nearest[:, None] - d, 0.0)
        saving[~closed] = -1.0
        j = int(np.argmax(saving))
        chosen.append(j)
        closed[j] = False
        nearest = np.minimum(nearest, d[:, j])
    return pmedian_swap(cost, weights, np.array(chosen, dtype=np.int64), max_rounds)


def pmedian_swap(
    cost: np.ndarray, weights: np.ndarray, open_sites: np.ndarray, max_rounds: int = 10_000
) -> np.ndarray:
    """Best-improvement swaps (Teitz–Bart, vectorised) from the given open sites."""
    d = _finite_costs(cost)
    n, m = d.shape
    open_sites = np.array(open_sites, dtype=np.int64)
    if open_sites.size >= m:
        return np.sort(open_sites)
    for _ in range(max_rounds):
        d1, first, d2 = _two_nearest(d, open_sites)
        near1 = np.minimum(d, d1[:, None])
        gain_add = weights @ (near1 - d1[:, None])  # ≤ 0: adding j alone
        loss = weights[:, None] * (np.minimum(d, d2[:, None]) - near1)
        owner = sparse.csr_matrix((np.ones(n), (first, np.arange(n))), shape=(open_sites.size, n))
        delta = gain_add[None, :] + owner @ loss  # (p, m): remove open r, add j
        delta[:, open_sites] = np.inf
        r, j = np.unravel_index(np.argmin(delta), delta.shape)
        if delta[r, j] >= -1e-9 * max(1.0, abs(weights @ d1)):
            break
        open_sites[r] = j
    return np.sort(open_sites)


def mclp_greedy_swap(
    cover: sparse.csr_matrix,
    weights: np.ndarray,
    p: int,
    mandatory: sparse.csr_matrix | None = None,
    max_rounds: int = 10_000,
    start: np.ndarray | None = None,
) -> np.ndarray | None:
    """Open p sites maximising covered weight; with `mandatory`, every row of it stays covered.

    `start` (e.g. the sites an LP relaxation opens) is kept before the greedy fills up to p.
    Returns None when the greedy cannot meet the mandatory rows with p sites.
    """
    a = sparse.csc_matrix(cover, dtype=np.float64)
    m = a.shape[1]
    chosen: list[int] = []
    if start is not None and mandatory is None:
        chosen = [int(j) for j in start[:p]]
    elif mandatory is not None:
        cover_sites = lscp_greedy(mandatory)
        if cover_sites is None or cover_sites.size > p:
            return None
        chosen = list(cover_sites)
    count = np.asarray(a[:, chosen].sum(axis=1)).ravel() if chosen else np.zeros(a.shape[0])
    at = a.T.tocsr()
    while len(chosen) < min(p, m):
        gain = at @ (weights * (count == 0))
        gain[chosen] = -1.0
        j = int(np.argmax(gain))
        chosen.append(j)
        count += a[:, j].toarray().ravel()
    open_sites = np.array(chosen, dtype=np.int64)
    if p >= m or open_sites.size == 0:
        return np.sort(open_sites)
    b = sparse.csc_matrix(mandatory, dtype=np.float64) if mandatory is not None else None
    mcount = np.asarray(b[:, open_sites].sum(axis=1)).ravel() if b is not None else None
    for _ in range(max_rounds):
        single = weights * (count == 1)
        add = at @ (weights * (count == 0))
        loss = single @ a[:, open_sites]
        overlap = (at @ sparse.diags(single) @ a[:, open_sites]).toarray()  # (m, p)
        delta = add[:, None] - loss[None, :] + overlap
        if b is not None:
            only = (mcount == 1).astype(np.float64)
            unique_r = only @ b[:, open_sites]
            kept = (b.T @ sparse.diags(only) @ b[:, open_sites]).toarray()
            delta[unique_r[None, :] - kept > 0.5] = -np.inf
        delta[open_sites, :] = -np.inf
        j, r = np.unravel_index(np.argmax(delta), delta.shape)
        if delta[j, r] <= 1e-9 * max(1.0, weights.sum()):
            break
        count += a[:, j].toarray().ravel() - a[:, open_sites[r]].toarray().ravel()
        if b is not None:
            mcount += b[:, j].toarray().ravel() - b[:, open_sites[r]].toarray().ravel()
        open_sites[r] = j
    return np.sort(open_sites)


FAR = 0.1  # share of the local search's kicks to a site anywhere (else one nearby)


@numba.njit(cache=True)
def _swap(cptr, crow, w, count, owner, where, open_sites, loss, pos, j) -> float:
    """Close open_sites[pos] and open j in its place; returns the change in covered weight.

    count[i]: open sites covering row i; owner[i]: the sum of their indices (the one site when
    count is 1); where[j]: j's position among the open sites or −1; loss[q]: the weight only
    open_sites[q] covers."""
    r = open_sites[pos]
    change = 0.0
    for t in range(cptr[r], cptr[r + 1]):
        i = crow[t]
        count[i] -= 1
        owner[i] -= r
        if count[i] == 0:
            change -= w[i]
        elif count[i] == 1:
            loss[where[owner[i]]] += w[i]
    where[r] = -1
    loss[pos] = 0.0
    open_sites[pos] = j
    where[j] = pos
    for t in range(cptr[j], cptr[j + 1]):
        i = crow[t]
        if count[i] == 0:
            change += w[i]
            loss[pos] += w[i]
        elif count[i] == 1:
            loss[where[owner[i]]] -= w[i]
        count[i] += 1
        owner[i] += j
    return change


@numba.njit(cache=True)
def _near(cptr, crow, rptr, rcol, site, stamp, mark, cand, n_cand) -> int:
    """Append to cand the closed sites that share a demand row with `site` (once per stamp)."""
    for t in range(cptr[site], cptr[site + 1]):
        i = crow[t]
        for u in range(rptr[i], rptr[i + 1]):
            j = rcol[u]
            if mark[j] != stamp:
                mark[j] = stamp
                cand[n_cand] = j
                n_cand += 1
    return n_cand


@numba.njit(cache=True)
def _descent(cptr, crow, rptr, rcol, w, count, owner, where, open_sites, loss, tol, cand,
             n_cand, stamp, mark, log, n_log):  # fmt: skip
    """Best-improvement swaps, `j` among cand[:n_cand] in, any open site out, until none gains.

    Each swap's neighbours join the candidates (when cand is not every site). Swaps are logged
    (position, site closed) so that a caller can undo them. Returns (gain, n_cand, n_log)."""
    p = loss.size
    every = n_cand == cptr.size - 1
    extra = np.zeros(p)
    touched = np.empty(p, dtype=np.int64)
    total = 0.0
    while n_log < log.shape[0]:
        lowest = np.argmin(loss)
        best, best_j, best_pos = tol, -1, -1
        for a in range(n_cand):
            j = cand[a]
            if where[j] >= 0:
                continue
            add, n_touched = 0.0, 0
            for t in range(cptr[j], cptr[j + 1]):
                i = crow[t]
                if count[i] == 0:
                    add += w[i]
                elif count[i] == 1:
                    q = where[owner[i]]
                    if extra[q] == 0.0:
                        touched[n_touched] = q
                        n_touched += 1
                    extra[q] += w[i]
            # gain of swapping j for q: add − loss[q] + extra[q]; an untouched q has extra 0
            if add - loss[lowest] > best:
                best, best_j, best_pos = add - loss[lowest], j, lowest
            for b in range(n_touched):
                q = touched[b]
                if add + extra[q] - loss[q] > best:
                    best, best_j, best_pos = add + extra[q] - loss[q], j, q
                extra[q] = 0.0
        if best_j < 0:
            break
        log[n_log, 0] = best_pos
        log[n_log, 1] = open_sites[best_pos]
        n_log += 1
        if not every:
            n_cand = _near(cptr, crow, rptr, rcol, open_sites[best_pos], stamp, mark, cand, n_cand)
            n_cand = _near(cptr, crow, rptr, rcol, best_j, stamp, mark, cand, n_cand)
        total += _swap(cptr, crow, w, count, owner, where, open_sites, loss, best_pos, best_j)
    return total, n_cand, n_log


@numba.njit(cache=True)
def _kicks(cptr, crow, rptr, rcol, w, count, owner, where, open_sites, loss, tol, rounds,
           kick, far, seed, stamp0, mark, cand, log, undo) -> tuple[float, int]:  # fmt: skip
    """Iterated local search: `kick` random swaps with nearby sites, then a descent among the
    sites near the change; a round that ends worse is undone (if `undo`). Returns (gain, last
    improving round or −1)."""
    np.random.seed(seed)
    p = open_sites.size
    gained, last = 0.0, -1
    for k in range(rounds):
        stamp = stamp0 + k
        n_log, n_cand, change = 0, 0, 0.0
        for _ in range(kick):
            pos = np.random.randint(p)
            r = open_sites[pos]
            if cptr[r + 1] == cptr[r]:
                continue
            for _try in range(20):
                if np.random.random() < far:  # anywhere: moves a site between districts
                    j = np.random.randint(cptr.size - 1)
                else:  # a site sharing a demand row with r
                    i = crow[cptr[r] + np.random.randint(cptr[r + 1] - cptr[r])]
                    j = rcol[rptr[i] + np.random.randint(rptr[i + 1] - rptr[i])]
                if where[j] < 0:
                    log[n_log, 0] = pos
                    log[n_log, 1] = r
                    n_log += 1
                    n_cand = _near(cptr, crow, rptr, rcol, r, stamp, mark, cand, n_cand)
                    n_cand = _near(cptr, crow, rptr, rcol, j, stamp, mark, cand, n_cand)
                    change += _swap(cptr, crow, w, count, owner, where, open_sites, loss, pos, j)
                    break
        more, n_cand, n_log = _descent(cptr, crow, rptr, rcol, w, count, owner, where,
                                       open_sites, loss, tol, cand, n_cand, stamp, mark, log,
                                       n_log)  # fmt: skip
        change += more
        if change < -tol and undo:
            for a in range(n_log - 1, -1, -1):
                _swap(cptr, crow, w, count, owner, where, open_sites, loss, log[a, 0], log[a, 1])
        else:
            gained += change
            if change > tol:
                last = k
    return gained, last


def mclp_local_search(
    cover: sparse.spmatrix,
    weights: np.ndarray,
    sites: np.ndarray,
    time_limit: float = 5.0,
    seed: int = 0,
    kick: int = 2,
    stall: int = 2_000,
) -> np.ndarray:
    """Swap local search for MCLP from `sites`: covered weight never drops, p stays p.

    A best-improvement swap descent with incremental gains (vertex substitution: one pass over
    the coverage per move), then iterated local search: rounds of `kick` random swaps of an
    open site with a site sharing a demand row and a descent among the sites near the change,
    a round undone if it ends worse (equal is kept, to walk plateaus). A kick swaps in a site
    sharing a demand row with the one it closes, or (share FAR) a site anywhere. After `stall`
    rounds without a gain the search goes on from the best plan so far after a large kick
    (p/10 swaps), until `time_limit` seconds or three runs in a row without a better plan;
    the best plan seen is returned.

    Parameters
    ----------
    cover : sparse matrix (demand rows × sites), nonzero where the site covers the row.
    weights : weight of each row.
    sites : the p distinct starting sites.
    time_limit : seconds for the iterated part (0: the descent only).
    seed : random seed of the kicks.
    kick : random swaps per round.
    stall : rounds without a gain that end a run.

    Returns
    -------
    np.ndarray
        The p sites found, sorted.

    Example
    -------
    >>> cover = sparse.csr_matrix(np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1]]))
    >>> mclp_local_search(cover, np.array([1.0, 1.0, 5.0]), np.array([1]), 0.0).tolist()
    [2]
    """
    began = time.perf_counter()
    csc, csr = sparse.csc_matrix(cover), sparse.csr_matrix(cover)
    cptr, crow = csc.indptr.astype(np.int64), csc.indices.astype(np.int64)
    rptr, rcol = csr.indptr.astype(np.int64), csr.indices.astype(np.int64)
    w = np.asarray(weights, dtype=np.float64)
    m = cover.shape[1]
    sites = np.array(sites, dtype=np.int64)
    if sites.size in (0, m):
        return np.sort(sites)
    tol = 1e-9 * max(1.0, float(w.sum()))
    mark = np.full(m, -1, dtype=np.int64)
    every, cand = np.arange(m, dtype=np.int64), np.empty(m, dtype=np.int64)
    log = np.empty((max(10_000, 4 * sites.size), 2), dtype=np.int64)
    stall = max(stall, 1)
    best, best_value, stamp, idle = None, -np.inf, 0, 0
    kick_big = max(kick, sites.size // 10)
    while best is None or (time.perf_counter() - began < time_limit and idle < 3):
        state = (cptr, crow, rptr, rcol, w, *_coverage_state(csc, w, sites), tol)
        value = float(w @ (state[5] > 0))
        while True:  # the full descent, resumed while its log fills up
            gain, _, n_log = _descent(*state, every, m, -1, mark, log, 0)
            value += gain
            if n_log < log.shape[0]:
                break
        if best is not None:  # a large kick from the best plan so far, kept even if worse
            gain, _ = _kicks(*state, 1, kick_big, FAR, seed + stamp, stamp, mark, cand, log, False)
            value, stamp = value + gain, stamp + 1
        rounds, done, last_gain = 16, 0, 0
        while time.perf_counter() - began < time_limit and done - last_gain <= stall:
            tick = time.perf_counter()
            gain, last = _kicks(
                *state, rounds, kick, FAR, seed + stamp, stamp, mark, cand, log, True
            )
            value += gain
            if last >= 0:
                last_gain = done + last
            done, stamp = done + rounds, stamp + rounds
            if time.perf_counter() - tick < 0.05:  # about 20 clock checks a second
                rounds = min(2 * rounds, stall)
        idle = 0 if value > best_value + tol else idle + 1
        if idle == 0:
            best, best_value = state[8].copy(), value
        sites = best
    return np.sort(best)


def mclp_neighbourhood_search(
    cover: sparse.spmatrix,
    weights: np.ndarray,
    sites: np.ndarray,
    time_limit: float = 30.0,
    size: int = 10,
    seed: int = 0,
    sub_limit: float = 5.0,
) -> np.ndarray:
    """MCLP large-neighbourhood search: re-solve districts of the plan exactly with HiGHS.

    Around an open site, the `size` open sites nearest to it in the site graph (sites sharing a
    demand row) are freed, with every site sharing a demand row with them; HiGHS chooses the
    best `size` of these for the rows no other open site covers (POPMUSIC, Taillard and Voss
    2002). An answer that covers more replaces the district. Districts are centred on the open
    sites in turn (random order) until a whole round gains nothing or `time_limit` seconds pass;
    each sub-MIP gets `sub_limit` seconds at most. Covered weight never drops; p stays p.

    Parameters
    ----------
    cover : sparse matrix (demand rows × sites), nonzero where the site covers the row.
    weights : weight of each row.
    sites : the p distinct starting sites.
    time_limit : seconds in all.
    size : open sites freed per district.
    seed : random seed of the order of the districts.
    sub_limit : seconds per sub-MIP.

    Returns
    -------
    np.ndarray
        The p sites found, sorted.

    Example
    -------
    >>> cover = sparse.csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1]]))
    >>> mclp_neighbourhood_search(cover, np.array([1.0, 1.0, 5.0]), np.array([0])).tolist()
    [2]
    """
    began = time.perf_counter()
    csr = sparse.csr_matrix(cover, dtype=np.float64)
    csc = sparse.csc_matrix(csr)
    w = np.asarray(weights, dtype=np.float64)
    m = csr.shape[1]
    sites = np.array(sites, dtype=np.int64)
    if sites.size in (0, m):
        return np.sort(sites)
    pattern = sparse.csc_matrix(csc, dtype=bool).astype(np.float32)
    graph = sparse.csr_matrix(pattern.T @ pattern)
    count = np.bincount(csc[:, sites].indices, minlength=csr.shape[0])
    tol = 1e-9 * max(1.0, float(w.sum()))
    rng = np.random.default_rng(seed)
    opened = np.zeros(m, dtype=bool)
    opened[sites] = True
    queue, idle = [], 0
    while idle < sites.size and time.perf_counter() - began < time_limit:
        if not queue:
            queue = rng.permutation(sites).tolist()
        centre = queue.pop()
        if not opened[centre]:
            continue
        free = _district(graph, opened, centre, size)
        candidates = np.union1d(free, graph[free].indices)
        reached = np.unique(csc[:, candidates].indices)
        own = np.bincount(csc[:, free].indices, minlength=csr.shape[0])
        open_rows = reached[count[reached] == own[reached]]  # no site outside the district
        a = sparse.csr_matrix(csr[open_rows][:, candidates])
        y0 = np.isin(candidates, free).astype(np.float64)
        k, c = open_rows.size, candidates.size
        out = solve_mip(
            np.concatenate([np.zeros(c), w[open_rows]]),
            stack(
                [
                    sparse.hstack([-a, sparse.identity(k)], format="csr"),
                    sparse.csr_matrix(np.concatenate([np.ones(c), np.zeros(k)])[None, :]),
                ],
                c + k,
            ),
            np.concatenate([np.full(k, -np.inf), [free.size]]),
            np.concatenate([np.zeros(k), [free.size]]),
            np.zeros(c + k),
            np.ones(c + k),
            np.concatenate([np.ones(c, dtype=bool), np.zeros(k, dtype=bool)]),
            maximize=True,
            time_limit=min(sub_limit, max(time_limit - (time.perf_counter() - began), 0.1)),
            start=np.concatenate([y0, np.minimum(1.0, a @ y0)]),
        )
        chosen = candidates[out.x[:c] > 0.5] if out.x is not None else free
        y1 = np.isin(candidates, chosen).astype(np.float64)
        before = float(w[open_rows] @ np.minimum(1.0, a @ y0))
        after = float(w[open_rows] @ np.minimum(1.0, a @ y1))
        if chosen.size != free.size or after <= before + tol:
            idle += 1
            continue
        sites = np.concatenate([np.setdiff1d(sites, free), chosen])
        opened[free], opened[chosen] = False, True
        count += np.bincount(csc[:, chosen].indices, minlength=count.size) - own
        queue += np.setdiff1d(chosen, free).tolist()  # new sites: centres again soon
        idle = 0
    return np.sort(sites)


SWAP_SHARE = 0.5  # share of `mclp_improve`'s time for swap restarts; the rest re-solves districts
RESTARTS_IDLE = 8  # swap restarts in a row without a better plan end the restarts


def mclp_improve(
    cover: sparse.spmatrix, weights: np.ndarray, sites: np.ndarray, time_limit: float
) -> np.ndarray:
    """MCLP search from `sites` within `time_limit` seconds: the iterated swap local search from
    `sites` with seeds 0, 1, … (the best plan kept) until `SWAP_SHARE` of the time is spent or
    `RESTARTS_IDLE` runs in a row find nothing better, then the large-neighbourhood search
    (`mclp_neighbourhood_search`) from the best plan with the time left.

    Example
    -------
    >>> cover = sparse.csr_matrix(np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1]]))
    >>> mclp_improve(cover, np.array([1.0, 1.0, 5.0]), np.array([1]), 0.5).tolist()
    [2]
    """
    began = time.perf_counter()
    csc = sparse.csc_matrix(cover, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)

    def covered(chosen: np.ndarray) -> float:
        return float(w @ (np.bincount(csc[:, chosen].indices, minlength=w.size) > 0))

    def left(share: float) -> float:
        return share * time_limit - (time.perf_counter() - began)

    best = mclp_local_search(csc, w, sites, left(SWAP_SHARE))
    best_value, seed, idle = covered(best), 1, 0
    while left(SWAP_SHARE) > 0 and idle < RESTARTS_IDLE:
        other = mclp_local_search(csc, w, sites, left(SWAP_SHARE), seed=seed)
        seed, idle = seed + 1, idle + 1
        if covered(other) > best_value:
            best, best_value, idle = other, covered(other), 0
    return mclp_neighbourhood_search(csc, w, best, left(1.0))


def _district(graph: sparse.csr_matrix, opened: np.ndarray, centre: int, size: int) -> np.ndarray:
    """`centre` and the open sites nearest to it in `graph` (breadth first), `size` in all."""
    seen = np.zeros(opened.size, dtype=bool)
    seen[centre] = True
    frontier, free = np.array([centre]), [centre]
    while len(free) < size and frontier.size:
        near = np.unique(graph[frontier].indices)
        near = near[~seen[near]]
        seen[near] = True
        free.extend(near[opened[near]][: size - len(free)].tolist())
        frontier = near
    return np.array(free, dtype=np.int64)


def _coverage_state(csc: sparse.csc_matrix, w: np.ndarray, sites: np.ndarray):
    """(count, owner, where, open sites, loss) of `_swap` for the open `sites`."""
    n, m = csc.shape
    open_sites = sites.copy()
    where = np.full(m, -1, dtype=np.int64)
    where[open_sites] = np.arange(open_sites.size)
    chosen = csc[:, open_sites]
    column = np.repeat(open_sites, np.diff(chosen.indptr))
    count = np.bincount(chosen.indices, minlength=n).astype(np.int64)
    owner = np.bincount(chosen.indices, weights=column, minlength=n).astype(np.int64)
    single = np.where(count == 1, w, 0.0)[chosen.indices]
    loss = np.add.reduceat(single, chosen.indptr[:-1]) if single.size else np.zeros(sites.size)
    loss[np.diff(chosen.indptr) == 0] = 0.0
    return count, owner, where, open_sites, loss


def lscp_greedy(cover: sparse.spmatrix) -> np.ndarray | None:
    """Greedy set cover (most uncovered rows first), then drop redundant sites; None if impossible."""
    a = sparse.csc_matrix(cover, dtype=np.float64)
    if a.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    if np.any(np.diff(sparse.csr_matrix(a).indptr) == 0):
        return None
    at = a.T.tocsr()
    uncovered = np.ones(a.shape[0])
    count = np.zeros(a.shape[0])
    chosen: list[int] = []
    while uncovered.any():
        j = int(np.argmax(at @ uncovered))
        chosen.append(j)
        column = a[:, j].toarray().ravel()
        count += column
        uncovered[column > 0] = 0.0
    for j in sorted(chosen, key=lambda s: a[:, s].nnz):
        column = a[:, j].toarray().ravel()
        if np.all(count[column > 0] >= 2):
            count -= column
            chosen.remove(j)
    return np.sort(np.array(chosen, dtype=np.int64))


def pcenter_greedy(cost: np.ndarray, p: int, levels: np.ndarray) -> tuple[float, np.ndarray]:
    """Smallest radius among `levels` (sorted) whose greedy set cover needs ≤ p sites."""
    best_sites = None
    lo, hi = 0, levels.size - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        sites = lscp_greedy(sparse.csr_matrix(cost <= levels[mid]))
        if sites is not None and sites.size <= p:
            best_sites, hi = sites, mid - 1
        else:
            lo = mid + 1
    if best_sites is None:
        return np.inf, np.zeros(0, dtype=np.int64)
    radius = cost[:, best_sites].min(axis=1).max()
    return float(radius), best_sites


def pmedian_lagrangian(
    cost: np.ndarray, weights: np.ndarray, p: int, upper: float, rounds: int = 600
) -> tuple[float, np.ndarray, np.ndarray]:
    """Lagrangian bound of p-median (assignment constraints relaxed; Beasley 1985).

    Returns (best lower bound, the site penalties ρ_j at the best multipliers, the sites the
    relaxation opens most often — a good start for swaps): with ρ sorted,
    a site j outside the best p sets cannot be in any solution better than `upper` when
    bound + ρ_j − ρ_(p) ≥ upper (Lagrangian fixing).
    """
    d = weights[:, None] * _finite_costs(cost)
    lam = np.sort(d, axis=1)[:, min(1, d.shape[1] - 1)].copy()
    best, best_rho, factor, stall = -np.inf, None, 2.0, 0
    opened = np.zeros(d.shape[1])
    for _ in range(rounds):
        reduced = np.minimum(d - lam[:, None], 0.0)
        rho = reduced.sum(axis=0)
        chosen = np.argpartition(rho, p - 1)[:p]
        value = lam.sum() + rho[chosen].sum()
        opened[chosen] += 1.0
        if value > best + 1e-9 * max(1.0, abs(value)):
            best, best_rho, stall = value, rho, 0
        else:
            stall += 1
            if stall >= 20:
                factor, stall = factor / 2.0, 0
        if factor < 1e-4 or best >= upper - 1e-9:
            break
        gradient = 1.0 - (reduced[:, chosen] < 0).sum(axis=1)
        norm = float(gradient @ gradient)
        if norm == 0.0:
            break
        lam += factor * (upper - value) / norm * gradient
    return best, best_rho, np.argsort(-opened, kind="stable")[:p]
