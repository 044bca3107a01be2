"""Hub model against brute-force enumeration; infeasibility in words; closure and merge."""

import itertools

import numpy as np
import pytest
from scipy import sparse

from lifecircle.plan.hub import HubModel, HubRule, closure_analysis, merge_analysis

CODES = ("elderly_daycare", "nursery", "canteen")
RULE = HubRule(600, 2, ("elderly_daycare", "nursery", "canteen"), 2)


def _instance(seed: int, **options) -> HubModel:
    rng = np.random.default_rng(seed)
    n, m = 9, 4
    reach = [sparse.csr_matrix(rng.random((n, m)) < 0.35) for _ in CODES]
    return HubModel(
        compound_ids=np.array([f"c{i}" for i in range(n)]),
        functions=CODES,
        function_area=np.array([350.0, 200.0, 150.0]),
        weight=rng.integers(1, 100, (n, len(CODES))).astype(float),
        covered_before=rng.random((n, len(CODES))) < 0.3,
        site_ids=np.array(["s0", "s1", "s2", "s3"]),
        site_area=np.array([700.0, 400.0, 200.0, 650.0]),
        site_cost=np.array([30.0, 20.0, 10.0, 25.0]),
        reach=reach,
        function_names={"nursery": "托育点"},
        **options,
    )


def _brute_force(model: HubModel):
    """Best new coverage over every placement of functions at sites (and the cheapest cost)."""
    m, nf = len(model.site_ids), len(model.functions)
    best, cheapest = -1.0, np.inf
    for bits in itertools.product([False, True], repeat=m * nf):
        placed = np.array(bits).reshape(m, nf)
        opened = placed.any(axis=1)
        if (placed.astype(float) @ model.function_area > model.site_area).any():
            continue
        if model.max_functions_per_site and (placed.sum(1) > model.max_functions_per_site).any():
            continue
        if model.hub_rule is not None:
            hub = opened & (model.site_area >= model.hub_rule.min_area_m2)
            core = placed[:, [model.functions.index(c) for c in model.hub_rule.core]].sum(1)
            if (hub & ((placed.sum(1) < model.hub_rule.min_functions)
                       | (core < model.hub_rule.min_core))).any():  # fmt: skip
                continue
        after = model._covered_after(placed)
        if (after.sum(1) - model.covered_before.sum(1) < model._need()).any():
            continue
        cost = model.site_cost[opened].sum()
        cheapest = min(cheapest, cost)
        if model.budget is not None and cost > model.budget:
            continue
        best = max(best, float((model.weight * (after & ~model.covered_before)).sum()))
    return best, cheapest


@pytest.mark.parametrize(
    "options",
    [
        {"budget": 40.0},
        {"budget": 60.0, "max_functions_per_site": 2},
        {"budget": 60.0, "hub_rule": RULE},
        {"budget": 70.0, "min_compound_coverage": 0.34},
    ],
)
def test_hub_exact_equals_brute_force(options):
    for seed in range(3):
        model = _instance(seed, **options)
        expected, _ = _brute_force(model)
        result = model.solve(time_limit=30)
        if expected < 0:
            assert result.status == "infeasible" and result.explanation
            continue
        assert result.status == "optimal"
        assert result.objective == pytest.approx(expected)
        assert result.cost <= options["budget"] + 1e-9
        greedy = model.solve(method="heuristic")
        assert greedy.objective <= result.objective + 1e-9
        assert greedy.bound >= result.objective - 1e-6  # the LP bound is valid
        assert result.table["new_population"].sum() == pytest.approx(result.objective)


def test_floor_unreachable_compound_is_named():
    model = _instance(0, budget=100.0, min_compound_coverage=1.0)
    model.reach[1] = sparse.csr_matrix(model.reach[1].shape, dtype=bool)  # no site reaches nursery
    model.covered_before[:, 1] = False
    result = model.solve()
    assert result.status == "infeasible"
    assert "c0" in result.explanation and "托育点 nursery" in result.explanation


def test_budget_below_floor_names_cheapest_cost():
    rng = np.random.default_rng(5)
    model = _instance(5, budget=5.0, min_compound_coverage=0.34)
    model.reach = [sparse.csr_matrix(np.ones(r.shape, dtype=bool)) for r in model.reach]
    model.covered_before[:] = rng.random(model.covered_before.shape) < 0.0
    _, cheapest = _brute_force(model)
    result = model.solve()
    assert result.status == "infeasible"
    assert "budget 5" in result.explanation and f"{cheapest:g}" in result.explanation


def test_closure_and_merge_analysis():
    # compounds 0..3; facilities A serves 0,1; B serves 1; C serves 2,3; D serves 3
    serves = sparse.csr_matrix(
        np.array([[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1]], dtype=bool)
    )
    weight = np.array([10.0, 20.0, 30.0, 40.0])
    table = closure_analysis(np.array(["A", "B", "C", "D"]), serves, weight)
    assert table["population_losing"].tolist() == [10.0, 0.0, 30.0, 0.0]
    assert table["can_close"].tolist() == [False, True, False, True]
    # two canteens (function 0) and one day care (function 1); a candidate reaching all compounds
    reach_all = sparse.csr_matrix(np.ones((4, 1), dtype=bool))
    merged = merge_analysis(
        np.array(["A", "B", "C"]), np.array([0, 0, 1]), np.array([50.0, 60.0, 80.0]),
        serves[:, :3], np.array(["hub"]), np.array([500.0]), [reach_all, reach_all],
        np.array([150.0, 350.0]),
    )  # fmt: skip
    assert merged.loc[0, "facilities"] == ["A", "B", "C"] and merged.loc[0, "sites_merged"] == 3
    small = merge_analysis(
        np.array(["A", "B", "C"]), np.array([0, 0, 1]), np.array([50.0, 60.0, 80.0]),
        serves[:, :3], np.array(["hub"]), np.array([200.0]), [reach_all, reach_all],
        np.array([150.0, 350.0]),
    )  # fmt: skip
    assert small.loc[0, "facilities"] == ["A", "B"]  # day care does not fit in 200 m²


def test_no_placeable_function_gives_the_empty_plan():
    model = _instance(1, budget=50.0)
    model.site_area[:] = 50.0  # no function fits anywhere
    result = model.solve()
    assert (result.status, result.objective, result.sites) == ("optimal", 0.0, [])
