"""Fast heuristics (vectorised numpy): greedy + best-improvement swap (Teitz–Bart).

They give the incumbents the exact models start from, and the answers on instances too large
for an exact proof (then reported with their gap to a valid bound).
"""

import numpy as np
from scipy import sparse


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
