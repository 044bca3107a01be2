"""Local search for the hub model: swap an opened site for a closed one and re-assign functions.

Starting from a feasible plan (the greedy's), each round tries, for every opened site, to close it
and open instead the closed site whose best functions (chosen by the model's own fill rule on the
coverage the other sites leave) gain most; the best improving swap within the budget that keeps
every floor and coverage target is made. Then every opened site's functions are refilled on the
coverage of the others (function re-assignment). Rounds repeat until nothing improves or the time
is up. Coverage is counted per (compound, function), so a swap is evaluated by sparse products.
"""

import time

import numpy as np
from scipy import sparse


def _value(model, counts: np.ndarray) -> float:
    new = (counts > 0) & ~model.covered_before
    return float((model.objective_weight * new).sum())


def _counts(model, placed: np.ndarray) -> np.ndarray:
    """How many placed (site, function) pairs reach each (compound, function)."""
    return np.column_stack(
        [model.reach[f] @ placed[:, f].astype(np.float64) for f in range(len(model.functions))]
    )


def improve_hub_plan(
    model, opened: np.ndarray, placed: np.ndarray, time_limit: float = 10.0
) -> tuple[np.ndarray, np.ndarray]:
    """A plan at least as good as (opened, placed), by site swaps with function re-assignment.

    `model` is a HubModel; the plan given must meet its constraints (it is returned unchanged
    otherwise). Returns (open mask over sites, placed mask sites × functions).

    Example
    -------
    >>> opened, placed = improve_hub_plan(model, *model.greedy())  # doctest: +SKIP
    """
    deadline = time.perf_counter() + time_limit
    if not model._meets_constraints(placed):
        return opened, placed
    opened, placed = opened.copy(), placed & opened[:, None]
    nf = len(model.functions)
    fits = model.allowed & (model.function_area[None, :] <= model.site_area[:, None])
    hub_sites = model._rule_sites()
    reach_t = [sparse.csr_matrix(r.T, dtype=np.float64) for r in model.reach]
    weight = model.objective_weight
    no_progress = np.zeros(nf)
    counts = _counts(model, placed)
    value = _value(model, counts)

    def gains_without(counts_left: np.ndarray) -> np.ndarray:
        """Per site and function: the value a placement there would add to `counts_left`."""
        open_cells = (counts_left == 0) & ~model.covered_before
        return np.column_stack([reach_t[f] @ (weight[:, f] * open_cells[:, f]) for f in range(nf)])

    def fill(j: int, gains: np.ndarray) -> list | None:
        return model._fill(j, gains[j], no_progress, fits[j], hub_sites[j])

    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        spent = float(model.site_cost[opened].sum())
        best = None
        for j_out in np.flatnonzero(opened):
            if time.perf_counter() > deadline:
                break
            left = counts - _counts_of_site(model, placed, j_out)
            gains = gains_without(left)
            base = _value(model, left)
            budget_left = np.inf if model.budget is None else model.budget - spent
            budget_left += model.site_cost[j_out]
            for j_in in np.flatnonzero(~opened & (model.site_cost <= budget_left + 1e-9)):
                chosen = fill(j_in, gains)
                if not chosen:
                    continue
                # the fill's gains are per function; sum them (they do not overlap across f)
                gain = float(gains[j_in, chosen].sum())
                if base + gain > value + 1e-9 * max(1.0, value) and (
                    best is None or base + gain > best[0]
                ):
                    best = (base + gain, j_out, j_in, chosen)
        if best is not None:
            _, j_out, j_in, chosen = best
            trial = placed.copy()
            trial[j_out] = False
            trial[j_in, chosen] = True
            if model._meets_constraints(trial):
                placed, opened[j_out], opened[j_in] = trial, False, True
                counts = _counts(model, placed)
                value = _value(model, counts)
                improved = True
        placed, counts, value, refilled = _reassign(
            model, opened, placed, counts, value, gains_without, fill, deadline
        )
        improved |= refilled
    return opened & placed.any(axis=1), placed


def _counts_of_site(model, placed: np.ndarray, j: int) -> np.ndarray:
    n, nf = model.covered_before.shape
    out = np.zeros((n, nf))
    for f in np.flatnonzero(placed[j]):
        out[:, f] = model.reach[f][:, j].toarray().ravel()
    return out


def _reassign(model, opened, placed, counts, value, gains_without, fill, deadline):
    """Refill each opened site's functions on the coverage the other sites leave."""
    changed = False
    for j in np.flatnonzero(opened):
        if time.perf_counter() > deadline:
            break
        left = counts - _counts_of_site(model, placed, j)
        gains = gains_without(left)
        chosen = fill(j, gains)
        if not chosen:
            continue
        total = _value(model, left) + float(gains[j, chosen].sum())
        if total > value + 1e-9 * max(1.0, value):
            trial = placed.copy()
            trial[j] = False
            trial[j, chosen] = True
            if model._meets_constraints(trial):
                placed = trial
                counts = _counts(model, placed)
                value = _value(model, counts)
                changed = True
    return placed, counts, value, changed
