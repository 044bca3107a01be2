"""The hub model's local search (site swaps with function re-assignment): it improves on the
greedy, keeps every rule, and never passes the proven optimum."""

import numpy as np
import pytest
from scipy import sparse
from scipy.spatial import cKDTree

from lifecircle.plan.hub import HubModel, HubRule
from lifecircle.plan.hub_lagrange import SitePatterns
from lifecircle.plan.hub_search import improve_hub_plan

CORE = ("elderly_daycare", "nursery", "after_school", "canteen")
CODES = (*CORE, "service_station", "culture_station")


def _within(demand, sites, radius):
    lists = cKDTree(sites).query_ball_point(demand, radius)
    rows = np.repeat(np.arange(len(lists)), [len(x) for x in lists])
    cols = np.concatenate([np.asarray(x, dtype=np.int64) for x in lists])
    return sparse.csr_matrix((np.ones(rows.size, bool), (rows, cols)), (len(demand), len(sites)))


def _model(seed: int, n: int = 300, m: int = 40) -> HubModel:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 3000, (8, 2))
    demand = centres[rng.integers(0, 8, n)] + rng.normal(0, 250, (n, 2))
    sites = demand[rng.choice(n, m, replace=False)] + rng.normal(0, 80, (m, 2))
    weight = rng.integers(50, 3000, n).astype(float)
    return HubModel(
        compound_ids=np.arange(n), functions=CODES,
        function_area=rng.choice([100.0, 200.0, 350.0], len(CODES)),
        weight=weight[:, None] * rng.uniform(0.05, 1.0, (n, len(CODES))).round(2),
        covered_before=rng.random((n, len(CODES))) < 0.3, site_ids=np.arange(m),
        site_area=rng.choice([150.0, 300.0, 600.0, 900.0], m),
        site_cost=rng.uniform(10, 100, m).round(1),
        reach=[_within(demand, sites, r) for r in [300.0] * 4 + [500.0] * 2],
        budget=300.0, max_functions_per_site=3, objective="heads",
        hub_rule=HubRule(600.0, 3, CORE, 2),
    )  # fmt: skip


def _value(model: HubModel, placed: np.ndarray) -> float:
    """Newly covered weight, computed directly from the reach matrices."""
    total = 0.0
    for f in range(len(model.functions)):
        reached = np.asarray(model.reach[f][:, placed[:, f]].sum(axis=1)).ravel() > 0
        total += float(model.weight[reached & ~model.covered_before[:, f], f].sum())
    return total


@pytest.mark.parametrize("enumerated", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_search_keeps_the_rules_and_stays_between_greedy_and_optimum(seed, enumerated):
    model = _model(seed)
    opened, placed = model.greedy()
    greedy = _value(model, placed & opened[:, None])
    patterns = SitePatterns.from_model(model) if enumerated else None
    better_open, better = improve_hub_plan(model, opened, placed, 20, patterns)
    value = _value(model, better)
    optimum = model.solve(time_limit=60, method="exact")
    assert optimum.status == "optimal"
    assert greedy <= value <= optimum.objective + 1e-6
    assert model.site_cost[better_open].sum() <= model.budget + 1e-9
    assert not better[~better_open].any()
    for j in np.flatnonzero(better_open):
        chosen = np.flatnonzero(better[j])
        assert 1 <= chosen.size <= 3
        assert model.function_area[chosen].sum() <= model.site_area[j] + 1e-9
        if model.site_area[j] >= 600:  # the embedded-service rule
            assert chosen.size >= 3 and sum(CODES[f] in CORE for f in chosen) >= 2


def test_search_improves_on_the_greedy():
    model = _model(3)
    opened, placed = model.greedy()
    _, better = improve_hub_plan(model, opened, placed, time_limit=20)
    assert _value(model, better) > _value(model, placed & opened[:, None]) * 1.05
    _, exact_fills = improve_hub_plan(model, opened, placed, 20, SitePatterns.from_model(model))
    assert _value(model, exact_fills) > _value(model, placed & opened[:, None]) * 1.05
