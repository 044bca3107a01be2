"""Each hub site's possible function sets, and the Lagrangian bound they give.

A site's fills (the functions it hosts) are few: the subsets of the functions that are allowed
there, fit its floor area, keep the per-site limit and, at a hub-sized site, the embedded-service
rule. `SitePatterns` enumerates the maximal ones once per kind of site, so the best fill for any
per-function values is a small matrix product: exact, where a greedy fill by value per m² is not.

`lagrangian_bound` dualises the coverage rows (u_k ≤ Σ x over the pairs reaching row k) with
multipliers 0 ≤ λ_k ≤ w_k. What is left splits: each row gives max(0, w_k − λ_k), each site its
best fill at the prices Σ λ of the rows its pairs reach, and the sites are chosen by the budget's
knapsack (its LP: a valid upper bound). Any λ gives an upper bound on the best plan; subgradient
steps from the LP's row duals lower it. Each site's fill is integral, so the bound is at most the
LP bound when started from the LP's duals, and it is only valid for the plain model: coverage
targets and floors are not dualised, and the caller does not use it when they are set.
"""

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

MAX_ENUMERATED_FUNCTIONS = 16
"""Beyond this many functions the 2^F subsets are not enumerated (no patterns)."""


@dataclass
class SitePatterns:
    """The maximal feasible function sets of every site, shared by sites of the same kind.

    `group[j]` indexes `sets`, a list of (S × F) boolean matrices (a site that can host nothing
    has S = 0); `min_functions`, `min_core` and `core` restate the hub rule for the sites
    `is_hub` marks, so a chosen set can shed functions worth nothing and still keep it.
    """

    group: np.ndarray
    sets: list[np.ndarray]
    is_hub: np.ndarray
    core: np.ndarray
    min_functions: int
    min_core: int

    @classmethod
    def from_model(cls, model) -> "SitePatterns | None":
        """Enumerate the sets of a HubModel (None when it has too many functions).

        Example
        -------
        >>> patterns = SitePatterns.from_model(model)  # doctest: +SKIP
        >>> value, chosen = patterns.best(gains)  # doctest: +SKIP
        """
        nf = len(model.functions)
        if nf > MAX_ENUMERATED_FUNCTIONS:
            return None
        m = len(model.site_ids)
        masks = np.arange(1 << nf)
        bits = ((masks[:, None] >> np.arange(nf)) & 1).astype(bool)
        area = bits @ model.function_area
        count = bits.sum(axis=1)
        rule = model.hub_rule
        core = np.array([rule is not None and f in rule.core for f in model.functions])
        n_core = bits[:, core].sum(axis=1)
        limit = model.max_functions_per_site or nf
        pair_site, pair_function = model._pairs()
        fits = np.zeros((m, nf), dtype=bool)
        fits[pair_site, pair_function] = True
        is_hub = model._rule_sites()
        keys: dict[tuple, int] = {}
        group = np.empty(m, dtype=np.int64)
        sets = []
        for j in range(m):
            key = (fits[j].tobytes(), float(model.site_area[j]), bool(is_hub[j]))
            if key not in keys:
                outside = masks & ~int(np.dot(fits[j], 1 << np.arange(nf)))
                feasible = (outside == 0) & (area <= model.site_area[j] + 1e-9) & (count <= limit)
                if is_hub[j]:
                    feasible &= (count >= rule.min_functions) & (n_core >= rule.min_core)
                feasible[0] = False  # the empty set hosts nothing
                grown = np.zeros(masks.size, dtype=bool)
                for f in range(nf):
                    bigger = masks | (1 << f)
                    grown |= (bigger != masks) & feasible[bigger]
                keys[key] = len(sets)
                sets.append(bits[feasible & ~grown])
            group[j] = keys[key]
        return cls(group, sets, is_hub, core,
                   rule.min_functions if rule else 0, rule.min_core if rule else 0)  # fmt: skip

    def best(
        self, value: np.ndarray, prune: bool = True, sites: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The best set of each of `sites` (default all) for per-(site, function) values ≥ 0.

        `value` is m × F. Returns (the set's total value per site, chosen sites × F mask), in
        the order of `sites`. With `prune`, functions worth nothing are shed where the hub rule
        allows, so no site hosts a function for nothing.
        """
        sites = np.arange(value.shape[0]) if sites is None else np.asarray(sites)
        total = np.zeros(sites.size)
        chosen = np.zeros((sites.size, value.shape[1]), dtype=bool)
        group = self.group[sites]
        for g in np.unique(group):
            options = self.sets[g]
            at = np.flatnonzero(group == g)
            if options.shape[0] == 0:
                continue
            scores = value[sites[at]] @ options.T.astype(np.float64)
            pick = scores.argmax(axis=1)
            total[at] = scores[np.arange(at.size), pick]
            chosen[at] = options[pick]
        if prune:
            self._shed_worthless(value[sites], chosen, self.is_hub[sites])
        return total, chosen

    def _shed_worthless(self, value: np.ndarray, chosen: np.ndarray, is_hub: np.ndarray) -> None:
        worthless = chosen & (value <= 0)
        for j in np.flatnonzero(worthless.any(axis=1)):
            if not is_hub[j]:
                chosen[j, worthless[j]] = False
                continue
            for f in np.flatnonzero(worthless[j]):  # one at a time, keeping the rule
                count = chosen[j].sum() - 1
                n_core = (chosen[j] & self.core).sum() - self.core[f]
                if count >= self.min_functions and n_core >= self.min_core:
                    chosen[j, f] = False


def _knapsack_lp(value: np.ndarray, cost: np.ndarray, budget: float | None) -> np.ndarray:
    """Fractional 0/1 knapsack (Dantzig): y in [0, 1] maximising value·y within the budget."""
    y = np.zeros(value.size)
    worth = np.flatnonzero(value > 0)
    if budget is None:
        y[worth] = 1.0
        return y
    free = worth[cost[worth] <= 0]
    y[free] = 1.0
    paid = worth[cost[worth] > 0]
    order = paid[np.argsort(-value[paid] / cost[paid], kind="stable")]
    spent = np.cumsum(cost[order])
    whole = spent <= budget + 1e-9
    y[order[whole]] = 1.0
    rest = order[~whole]
    if rest.size:
        left = budget - (spent[whole][-1] if whole.any() else 0.0)
        y[rest[0]] = max(left, 0.0) / cost[rest[0]]
    return y


def lagrangian_bound(
    rows: sparse.csr_matrix,
    row_weight: np.ndarray,
    pair_site: np.ndarray,
    pair_function: np.ndarray,
    patterns: SitePatterns,
    site_cost: np.ndarray,
    budget: float | None,
    multipliers: np.ndarray,
    incumbent: float,
    time_limit: float,
    iterations: int = 2000,
) -> float:
    """Upper bound on new coverage, by subgradient steps on the coverage rows' multipliers.

    rows is k × pairs (row r is reached by pair q); row_weight the value of covering each row;
    multipliers a start (the LP's row duals: the bound then starts at or below the LP bound);
    incumbent the best plan's value (the step's target). Stops after `iterations`, at
    `time_limit` seconds, or when the bound meets the incumbent.

    Example
    -------
    >>> lagrangian_bound(rows, w, ps, pf, patterns, cost, 3000.0, duals, 1e6, 5.0)  # doctest: +SKIP
    """
    deadline = time.perf_counter() + time_limit
    m, nf = len(site_cost), patterns.core.size
    reach_of_pair = sparse.csr_matrix(rows.T)
    lam = np.clip(multipliers, 0.0, row_weight)
    best = np.inf
    step_scale, stalled, direction = 0.1, 0, None
    price = np.zeros((m, nf))
    with threadpool_limits(limits=1, user_api="blas"):  # tiny products: threads only wait
        for _ in range(iterations):
            price[pair_site, pair_function] = reach_of_pair @ lam
            site_value, chosen = patterns.best(price, prune=False)
            y = _knapsack_lp(site_value, site_cost, budget)
            value = float(np.maximum(row_weight - lam, 0.0).sum() + site_value @ y)
            if not np.isfinite(best) or value < best - 1e-9 * max(1.0, abs(best)):
                best, stalled = value, 0
            else:
                stalled += 1
                if stalled >= 50:
                    step_scale, stalled = step_scale / 2, 0
            if best <= incumbent + 1e-9 * max(1.0, incumbent) or time.perf_counter() > deadline:
                break
            x = (chosen * y[:, None])[pair_site, pair_function]
            slope = rows @ x - (row_weight > lam)  # ∂ bound / ∂ λ
            direction = slope if direction is None else slope + 0.3 * direction
            norm = float(direction @ direction)
            if norm <= 0 or step_scale < 1e-6:
                break
            lam = np.clip(
                lam - step_scale * (value - incumbent) / norm * direction, 0.0, row_weight
            )
    return best
