"""Each hub site's function sets against subsets checked one by one; the Lagrangian bound against
the proven optimum and the LP bound; the fractional knapsack against scipy's LP solver."""

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from lifecircle.plan.highs import solve_mip
from lifecircle.plan.hub_lagrange import SitePatterns, _knapsack_lp, lagrangian_bound
from test_plan_hub_search import CODES, CORE, _model


def _feasible_sets(model, j):
    """Every subset of functions site j may host, each rule checked directly."""
    nf = len(model.functions)
    out = []
    for size in range(1, nf + 1):
        for chosen in itertools.combinations(range(nf), size):
            chosen = list(chosen)
            if not model.allowed[j, chosen].all():
                continue
            if model.function_area[chosen].sum() > model.site_area[j] + 1e-9:
                continue
            if model.max_functions_per_site and size > model.max_functions_per_site:
                continue
            if model.site_area[j] >= model.hub_rule.min_area_m2 and (
                size < model.hub_rule.min_functions
                or sum(CODES[f] in CORE for f in chosen) < model.hub_rule.min_core
            ):
                continue
            out.append(chosen)
    return out


@pytest.mark.parametrize("seed", range(3))
def test_best_set_equals_every_subset_checked(seed):
    model = _model(seed, n=60, m=12)
    model.allowed = np.random.default_rng(seed).random(model.allowed.shape) < 0.8
    patterns = SitePatterns.from_model(model)
    gains = np.random.default_rng(seed + 7).uniform(0, 10, (12, len(CODES)))
    gains[gains < 3] = 0.0  # some functions are worth nothing
    total, chosen = patterns.best(gains)
    for j in range(12):
        options = _feasible_sets(model, j)
        expected = max((gains[j, s].sum() for s in options), default=0.0)
        assert total[j] == pytest.approx(expected)
        picked = np.flatnonzero(chosen[j])
        if not options:
            assert picked.size == 0
            continue
        assert gains[j, picked].sum() == pytest.approx(expected)
        assert any(set(picked) <= set(s) for s in options)  # within a feasible set
        hub = model.site_area[j] >= model.hub_rule.min_area_m2
        if not hub:  # a function worth nothing is only kept for the hub rule
            assert (gains[j, picked] > 0).all()
        else:
            assert picked.size >= model.hub_rule.min_functions


def test_fractional_knapsack_equals_scipy_linprog():
    rng = np.random.default_rng(5)
    for _ in range(20):
        value, cost = rng.uniform(-5, 30, 25), rng.uniform(1, 20, 25)
        budget = float(rng.uniform(10, 150))
        y = _knapsack_lp(value, cost, budget)
        lp = linprog(-value, A_ub=cost[None, :], b_ub=[budget], bounds=(0, 1))
        assert value @ y == pytest.approx(-lp.fun)
        assert cost @ y <= budget + 1e-9 and (y >= 0).all() and (y <= 1).all()


@pytest.mark.parametrize("seed", range(4))
def test_bound_lies_between_the_optimum_and_the_lp_bound(seed):
    model = _model(seed)
    optimum = model.solve(time_limit=60)
    assert optimum.status == "optimal"
    pair_site, pair_function = model._pairs()
    rows, _, row_of = model._demand_rows(pair_site, pair_function)
    cost, a, lower, upper, integer = model._matrix(pair_site, pair_function, rows, row_of)
    lp = solve_mip(cost, a, lower, upper, np.zeros(cost.size), np.ones(cost.size), integer,
                   maximize=True, relax=True)  # fmt: skip
    k = rows.shape[0]
    bound = lagrangian_bound(
        rows, cost[-k:], pair_site, pair_function, SitePatterns.from_model(model),
        model.site_cost, model.budget, np.abs(lp.row_duals[:k]), optimum.objective, 10.0,
    )  # fmt: skip
    assert optimum.objective - 1e-6 <= bound <= lp.objective + 1e-6
    # any multipliers give a valid bound, zero ones included
    zero = lagrangian_bound(
        rows, cost[-k:], pair_site, pair_function, SitePatterns.from_model(model),
        model.site_cost, model.budget, np.zeros(k), optimum.objective, 10.0, iterations=1,
    )  # fmt: skip
    assert zero >= optimum.objective - 1e-6
