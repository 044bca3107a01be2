"""Capacitated p-median, MCLP and hub against brute force; the uncapacitated limit."""

import itertools

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from lifecircle.plan.capacitated import (
    CapacitatedHub,
    CapacitatedMCLP,
    CapacitatedPMedian,
    capacity_from_area,
    overloaded_sites,
)
from lifecircle.plan.hub import HubModel, HubRule
from lifecircle.plan.models import MCLP, PMedian
from lifecircle.plan.result import INFEASIBLE, OPTIMAL


def _instance(seed: int, n: int = 6, m: int = 4):
    rng = np.random.default_rng(seed)
    cost = rng.integers(50, 600, (n, m)).astype(float)
    cost[rng.random((n, m)) < 0.2] = np.inf
    cost[np.arange(n), rng.integers(0, m, n)] = rng.integers(50, 300, n)  # everyone reaches one
    weight = rng.integers(1, 40, n).astype(float)
    capacity = rng.integers(20, 90, m).astype(float)
    return cost, weight, capacity


def _single_assignments(cost, weight, capacity, sites, radius, must_serve):
    """Every single assignment of demand to open sites within reach (None = unserved)."""
    n = cost.shape[0]
    options = []
    for i in range(n):
        near = [j for j in sites if np.isfinite(cost[i, j]) and cost[i, j] <= radius]
        options.append(near if must_serve else near + [None])
    for choice in itertools.product(*options):
        load = np.zeros(cost.shape[1])
        for i, j in enumerate(choice):
            if j is not None:
                load[j] += weight[i]
        if (load <= capacity + 1e-9).all():
            yield choice


def _split_lp(cost, weight, capacity, sites, radius, must_serve, minimise):
    """Best split assignment to fixed open sites, by scipy's linprog (an independent LP)."""
    pairs = [
        (i, j)
        for i in range(cost.shape[0])
        for j in sites
        if np.isfinite(cost[i, j]) and cost[i, j] <= radius
    ]
    if not pairs:
        return 0.0 if not must_serve else None
    c = np.array([weight[i] * (cost[i, j] if minimise else -1.0) for i, j in pairs])
    a_cap = np.zeros((cost.shape[1], len(pairs)))
    a_dem = np.zeros((cost.shape[0], len(pairs)))
    for k, (i, j) in enumerate(pairs):
        a_cap[j, k] = weight[i]
        a_dem[i, k] = 1.0
    kw = {"A_eq": a_dem, "b_eq": np.ones(cost.shape[0])} if must_serve else {}
    a_ub = a_cap if must_serve else np.vstack([a_cap, a_dem])
    b_ub = capacity if must_serve else np.r_[capacity, np.ones(cost.shape[0])]
    out = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs", **kw)
    if out.status != 0:
        return None
    return out.fun if minimise else -out.fun


def _brute_pmedian(cost, weight, capacity, p, single):
    best = np.inf
    for sites in itertools.combinations(range(cost.shape[1]), p):
        if single:
            for choice in _single_assignments(cost, weight, capacity, sites, np.inf, True):
                best = min(best, sum(weight[i] * cost[i, j] for i, j in enumerate(choice)))
        else:
            value = _split_lp(cost, weight, capacity, sites, np.inf, True, True)
            if value is not None:
                best = min(best, value)
    return best


def _brute_mclp(cost, weight, capacity, p, radius, single):
    best = -1.0
    for sites in itertools.combinations(range(cost.shape[1]), p):
        if single:
            for choice in _single_assignments(cost, weight, capacity, sites, radius, False):
                best = max(best, sum(weight[i] for i, j in enumerate(choice) if j is not None))
        else:
            best = max(best, _split_lp(cost, weight, capacity, sites, radius, False, False))
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("single", [True, False])
def test_capacitated_pmedian_equals_brute_force(seed, single):
    cost, weight, capacity = _instance(seed)
    capacity *= 1.6  # mostly feasible
    plan = CapacitatedPMedian.from_cost_matrix(cost, capacity, 2, weight, single=single).solve()
    expected = _brute_pmedian(cost, weight, capacity, 2, single)
    if not np.isfinite(expected):
        assert plan.status == INFEASIBLE and plan.explanation
        return
    assert plan.status == OPTIMAL
    assert plan.objective == pytest.approx(expected, rel=1e-6)
    loads = plan.table.set_index("site")["load"]
    assert (loads <= plan.table.set_index("site")["capacity"] + 1e-6).all()
    assert plan.assigned.groupby("demand")["share"].sum().to_numpy() == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("single", [True, False])
def test_capacitated_mclp_equals_brute_force(seed, single):
    cost, weight, capacity = _instance(seed)
    plan = CapacitatedMCLP.from_cost_matrix(cost, capacity, 2, weight, single=single,
                                            radius=300.0).solve()  # fmt: skip
    assert plan.status == OPTIMAL
    assert plan.objective == pytest.approx(_brute_mclp(cost, weight, capacity, 2, 300.0, single))
    assigned = plan.assigned
    assert (assigned["cost"] <= 300.0).all()
    if single:
        assert set(assigned["share"]) <= {1.0}


@pytest.mark.parametrize("seed", range(4))
def test_uncapacitated_is_the_limit_as_capacity_grows(seed):
    cost, weight, capacity = _instance(seed, n=12, m=6)
    finite = np.where(np.isfinite(cost), cost, 1e6)
    pmedian = PMedian.from_cost_matrix(finite, 3, weight).solve()
    mclp = MCLP.from_cost_matrix(cost, 300.0, 3, weight).solve()
    previous_p, previous_m = np.inf, 0.0
    for scale in (1.0, 3.0, 10.0, 1e6):
        cap = capacity * scale
        p = CapacitatedPMedian.from_cost_matrix(finite, cap, 3, weight).solve()
        m = CapacitatedMCLP.from_cost_matrix(cost, cap, 3, weight, radius=300.0).solve()
        if p.status != INFEASIBLE:
            assert p.objective <= previous_p + 1e-6  # more capacity never hurts
            previous_p = p.objective
        assert m.objective >= previous_m - 1e-6
        previous_m = m.objective
    assert previous_p == pytest.approx(pmedian.objective)
    assert previous_m == pytest.approx(mclp.objective)
    unlimited = np.full(cost.shape[1], np.inf)
    assert CapacitatedMCLP.from_cost_matrix(cost, unlimited, 3, weight, radius=300.0).solve(
    ).objective == pytest.approx(mclp.objective)  # fmt: skip


def test_pmedian_capacity_short_is_explained():
    cost = np.array([[1.0, 2.0], [1.0, 2.0]])
    plan = CapacitatedPMedian.from_cost_matrix(cost, [10.0, 10.0], 1, [30.0, 30.0]).solve()
    assert plan.status == INFEASIBLE and "60" in plan.explanation


CODES = ("elderly_daycare", "nursery", "canteen")


def _hub(seed: int, **options) -> HubModel:
    rng = np.random.default_rng(seed)
    n, m = 5, 3
    return HubModel(
        compound_ids=np.array([f"c{i}" for i in range(n)]),
        functions=CODES,
        function_area=np.array([350.0, 200.0, 150.0]),
        weight=rng.integers(1, 60, (n, len(CODES))).astype(float),
        covered_before=rng.random((n, len(CODES))) < 0.2,
        site_ids=np.array(["s0", "s1", "s2"]),
        site_area=np.array([700.0, 400.0, 200.0]),
        site_cost=np.array([30.0, 20.0, 10.0]),
        reach=[sparse.csr_matrix(rng.random((n, m)) < 0.5) for _ in CODES],
        **options,
    )


def _brute_hub(hub: HubModel, capacity: np.ndarray) -> float:
    """Best single assignment over every placement of functions (split is not enumerable)."""
    m, nf = len(hub.site_ids), len(hub.functions)
    n = len(hub.compound_ids)
    best = 0.0
    for bits in itertools.product([False, True], repeat=m * nf):
        placed = np.array(bits).reshape(m, nf)
        if (placed.astype(float) @ hub.function_area > hub.site_area + 1e-9).any():
            continue
        if hub.budget is not None and hub.site_cost[placed.any(1)].sum() > hub.budget:
            continue
        if hub.hub_rule is not None:
            big = placed.any(1) & (hub.site_area >= hub.hub_rule.min_area_m2)
            core = placed[:, [hub.functions.index(c) for c in hub.hub_rule.core]].sum(1)
            if (big & ((placed.sum(1) < hub.hub_rule.min_functions)
                       | (core < hub.hub_rule.min_core))).any():  # fmt: skip
                continue
        total = 0.0
        for f in range(nf):
            # per function: best single assignment of compounds to placed sites within reach
            reach = hub.reach[f].toarray()
            options = []
            for i in range(n):
                near = [j for j in range(m) if placed[j, f] and reach[i, j]]
                options.append(near + [None] if not hub.covered_before[i, f] else [None])
            best_f = 0.0
            for choice in itertools.product(*options):
                load = np.zeros(m)
                for i, j in enumerate(choice):
                    if j is not None:
                        load[j] += hub.weight[i, f]
                if (load <= capacity[:, f] + 1e-9).all():
                    best_f = max(best_f, sum(hub.weight[i, f] for i, j in enumerate(choice)
                                             if j is not None))  # fmt: skip
            total += best_f
        best = max(best, total)
    return best


@pytest.mark.parametrize("seed", range(4))
def test_capacitated_hub_equals_brute_force(seed):
    hub = _hub(seed, budget=45.0)
    capacity = capacity_from_area(np.outer(np.ones(3), hub.function_area), 4.0)  # 4 m²/person
    plan = CapacitatedHub.from_hub_model(hub, capacity, single=True).solve()
    assert plan.status == OPTIMAL
    assert plan.objective == pytest.approx(_brute_hub(hub, capacity))
    assert (plan.table["load"] <= plan.table["capacity"] + 1e-6).all()
    split = CapacitatedHub.from_hub_model(hub, capacity).solve()
    assert split.objective >= plan.objective - 1e-6  # splitting can only serve more


@pytest.mark.parametrize("seed", range(4))
def test_capacitated_hub_limit_is_the_hub_model(seed):
    rule = HubRule(600, 2, CODES, 2)
    hub = _hub(seed, budget=45.0, hub_rule=rule, objective="heads")  # both count heads
    unlimited = np.full((3, 3), np.inf)
    assert CapacitatedHub.from_hub_model(hub, unlimited).solve().objective == pytest.approx(
        hub.solve().objective
    )
    huge = CapacitatedHub.from_hub_model(hub, np.full((3, 3), 1e7), single=True).solve()
    assert huge.objective == pytest.approx(hub.solve().objective)


def test_overloaded_sites_names_the_sites_beyond_capacity():
    import pandas as pd

    load = pd.Series({"s0": 500.0, "s1": 100.0, "s2": 40.0})
    capacity = pd.Series({"s0": 200.0, "s1": 150.0, "s2": 0.0})
    over = overloaded_sites(load, capacity)
    assert over["site"].tolist() == ["s0", "s2"]
    assert over["over"].tolist() == [300.0, 40.0]
