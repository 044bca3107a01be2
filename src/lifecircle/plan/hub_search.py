"""Local search for the hub model: swap an opened site for a closed one and re-assign functions.

Starting from a feasible plan (the greedy's), each round tries, for every opened site, to close it
and open instead the closed site whose best functions on the coverage the other sites leave gain
most (and, while the budget allows, to open one more site); the best improving move within the
budget that keeps every floor and coverage target is made. Then every opened site's functions
are refilled on the coverage of the others (function re-assignment). Rounds repeat until nothing
improves or the time is up. A site's best functions are exact when its function sets can be
enumerated (`SitePatterns`), else the model's own fill rule. Coverage is counted per (compound,
function), so a move is evaluated by sparse products.
"""

import time

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

from lifecircle.plan.hub_lagrange import SitePatterns


def _value(model, counts: np.ndarray) -> float:
    new = (counts > 0) & ~model.covered_before
    return float((model.objective_weight * new).sum())


def _counts(model, placed: np.ndarray) -> np.ndarray:
    """How many placed (site, function) pairs reach each (compound, function)."""
    return np.column_stack(
        [model.reach[f] @ placed[:, f].astype(np.float64) for f in range(len(model.functions))]
    )


class _Fills:
    """The best functions of candidate sites for given per-(site, function) gains."""

    def __init__(self, model, patterns: SitePatterns | None):
        self.model, self.patterns = model, patterns
        self.fits = model.allowed & (model.function_area[None, :] <= model.site_area[:, None])
        self.hub_sites = model._rule_sites()
        self.no_progress = np.zeros(len(model.functions))

    def best(self, gains: np.ndarray, sites: np.ndarray) -> tuple[np.ndarray, list]:
        """(gain of each site's best fill, its functions) for the given sites."""
        if self.patterns is not None:
            total, chosen = self.patterns.best(gains, sites=sites)
            return total, [np.flatnonzero(row) for row in chosen]
        picks = [self.model._fill(j, gains[j], self.no_progress, self.fits[j], self.hub_sites[j])
                 for j in sites]  # fmt: skip
        total = np.array(
            [gains[j, c].sum() if c else 0.0 for j, c in zip(sites, picks, strict=True)]
        )
        return total, [np.asarray(c if c else [], dtype=np.int64) for c in picks]


def improve_hub_plan(
    model,
    opened: np.ndarray,
    placed: np.ndarray,
    time_limit: float = 10.0,
    patterns: SitePatterns | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A plan at least as good as (opened, placed), by site swaps with function re-assignment.

    `model` is a HubModel; the plan given must meet its constraints (it is returned unchanged
    otherwise). `patterns` (from `SitePatterns.from_model`) makes each site's fill exact.
    Returns (open mask over sites, placed mask sites × functions).

    Example
    -------
    >>> opened, placed = improve_hub_plan(model, *model.greedy())  # doctest: +SKIP
    """
    with threadpool_limits(limits=1, user_api="blas"):  # tiny products: threads only wait
        return _search(model, opened, placed, time.perf_counter() + time_limit, patterns)


def _search(model, opened, placed, deadline, patterns):
    """The rounds of `improve_hub_plan`, until `deadline` (a perf_counter time)."""
    if not model._meets_constraints(placed):
        return opened, placed
    opened, placed = opened.copy(), placed & opened[:, None]
    nf = len(model.functions)
    reach_t = [sparse.csr_matrix(r.T, dtype=np.float64) for r in model.reach]
    weight = model.objective_weight
    fills = _Fills(model, patterns)
    counts = _counts(model, placed)
    value = _value(model, counts)

    def gains_without(counts_left: np.ndarray) -> np.ndarray:
        """Per site and function: the value a placement there would add to `counts_left`."""
        open_cells = (counts_left == 0) & ~model.covered_before
        return np.column_stack([reach_t[f] @ (weight[:, f] * open_cells[:, f]) for f in range(nf)])

    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        spent = float(model.site_cost[opened].sum())
        best = None
        for j_out in [-1, *np.flatnonzero(opened)]:  # -1: open one more site, closing none
            if time.perf_counter() > deadline:
                break
            left = counts if j_out < 0 else counts - _counts_of_site(model, placed, j_out)
            budget_left = np.inf if model.budget is None else model.budget - spent
            budget_left += 0.0 if j_out < 0 else model.site_cost[j_out]
            closed = np.flatnonzero(~opened & (model.site_cost <= budget_left + 1e-9))
            if closed.size == 0:
                continue
            gains = gains_without(left)
            gain, chosen = fills.best(gains, closed)
            pick = int(np.argmax(gain))
            total = _value(model, left) + float(gain[pick])
            if (
                chosen[pick].size
                and total > value + 1e-9 * max(1.0, value)
                and (best is None or total > best[0])
            ):
                best = (total, j_out, int(closed[pick]), chosen[pick])
        if best is not None:
            _, j_out, j_in, chosen = best
            trial = placed.copy()
            if j_out >= 0:
                trial[j_out] = False
            trial[j_in, chosen] = True
            if model._meets_constraints(trial):
                placed, opened[j_in] = trial, True
                if j_out >= 0:
                    opened[j_out] = False
                counts = _counts(model, placed)
                value = _value(model, counts)
                improved = True
        placed, counts, value, refilled = _reassign(
            model, opened, placed, counts, value, gains_without, fills, deadline
        )
        improved |= refilled
    return opened & placed.any(axis=1), placed


def _counts_of_site(model, placed: np.ndarray, j: int) -> np.ndarray:
    n, nf = model.covered_before.shape
    out = np.zeros((n, nf))
    for f in np.flatnonzero(placed[j]):
        out[:, f] = model.reach[f][:, j].toarray().ravel()
    return out


def _reassign(model, opened, placed, counts, value, gains_without, fills, deadline):
    """Refill each opened site's functions on the coverage the other sites leave."""
    changed = False
    for j in np.flatnonzero(opened):
        if time.perf_counter() > deadline:
            break
        left = counts - _counts_of_site(model, placed, j)
        gains = gains_without(left)
        gain, chosen = fills.best(gains, np.array([j]))
        if not chosen[0].size:
            continue
        total = _value(model, left) + float(gain[0])
        if total > value + 1e-9 * max(1.0, value):
            trial = placed.copy()
            trial[j] = False
            trial[j, chosen[0]] = True
            if model._meets_constraints(trial):
                placed = trial
                counts = _counts(model, placed)
                value = _value(model, counts)
                changed = True
    return placed, counts, value, changed
