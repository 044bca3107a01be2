"""Benders decomposition for p-median and MCLP against the existing exact solvers, published
optima and brute force; and an honest bound when time runs out."""

import itertools

import numpy as np
import pytest
from scipy import sparse

from datafiles import shared_data
from lifecircle.plan.benders import mclp_benders, pmedian_benders
from lifecircle.plan.coverage import Coverage
from lifecircle.plan.heuristics import (
    mclp_greedy_swap,
    mclp_local_search,
    mclp_neighbourhood_search,
    pmedian_greedy_swap,
)
from lifecircle.plan.models import MCLP, PMedian
from lifecircle.plan.orlib import read_orlib


def _published() -> dict[str, float]:
    text = shared_data("orlib-pmed", "pmedopt.txt").read_text()
    pairs = (line.split() for line in text.splitlines()[1:] if line.strip())
    return {name: float(value) for name, value in pairs}


@pytest.mark.parametrize("name", ["pmed1", "pmed2", "pmed4", "pmed5", "pmed7", "pmed10"])
def test_pmedian_benders_reaches_the_published_optimum_and_the_reference(name):
    instance = read_orlib(shared_data("orlib-pmed", f"{name}.txt"))
    model = PMedian.from_cost_matrix(instance.cost, instance.p)
    benders = model.solve(time_limit=60, method="benders")
    reference = model.solve(time_limit=60, method="exact")
    assert benders.status == reference.status == "optimal"
    assert benders.objective == reference.objective == _published()[name]
    assert len(benders.sites) == instance.p


def _random_pmedian(seed: int, n: int = 60, m: int = 25):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 100, (n, 2)), rng.uniform(0, 100, (m, 2))
    cost = np.floor(np.hypot(*(a[:, None, :] - b[None, :, :]).transpose(2, 0, 1)))
    return cost, rng.integers(1, 20, n).astype(float)


@pytest.mark.parametrize("seed", range(4))
def test_pmedian_benders_equals_brute_force(seed):
    cost, weights = _random_pmedian(seed, n=40, m=12)
    p = 3
    best = min(weights @ cost[:, list(s)].min(axis=1) for s in itertools.combinations(range(12), p))
    start = pmedian_greedy_swap(cost, weights, p)
    out = pmedian_benders(cost, weights, p, start, time_limit=30, integral=True)
    assert out.status == "optimal" and out.value == best == out.bound
    assert weights @ cost[:, out.sites].min(axis=1) == out.value


def _random_cover(seed: int, n: int, m: int, radius: float):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 10, (n, 2)), rng.uniform(0, 10, (m, 2))
    distance = np.hypot(*(a[:, None, :] - b[None, :, :]).transpose(2, 0, 1))
    return sparse.csr_matrix(distance <= radius), rng.integers(1, 100, n).astype(float)


@pytest.mark.parametrize("seed", range(4))
def test_mclp_benders_equals_brute_force_and_the_reference(seed):
    cover, weights = _random_cover(seed, 80, 14, 2.0)
    p = 3
    dense = cover.toarray()
    best = max(
        weights @ dense[:, list(s)].any(axis=1) for s in itertools.combinations(range(14), p)
    )
    start = mclp_greedy_swap(sparse.csr_matrix(cover, dtype=float), weights, p)
    out = mclp_benders(cover, weights, p, start, time_limit=30)
    assert out.status == "optimal" and out.value == best == out.bound
    assert weights @ dense[:, out.sites].any(axis=1) == out.value
    model = MCLP(Coverage(cover, weights, np.arange(80), np.arange(14)), p)
    benders, reference = model.solve(30, method="benders"), model.solve(30, method="exact")
    assert benders.method == "benders" and benders.objective == reference.objective == best


def _covered(dense: np.ndarray, weights: np.ndarray, sites) -> float:
    return float(weights @ dense[:, list(sites)].any(axis=1))


@pytest.mark.parametrize("seed", range(6))
def test_mclp_local_search_ends_where_no_single_swap_gains(seed):
    """The descent's incremental gains against brute force: every swap re-counted from scratch."""
    rng = np.random.default_rng(seed)
    cover, weights = _random_cover(seed, 120, 30, 1.8)
    weights = weights * rng.uniform(0.5, 1.5, weights.size)  # non-integer weights too
    dense = cover.toarray()
    p = 4
    start = rng.choice(30, p, replace=False)
    sites = mclp_local_search(cover, weights, start, time_limit=0.0)
    assert len(set(sites.tolist())) == p and sites.size == p
    value = _covered(dense, weights, sites)
    assert value >= _covered(dense, weights, start)
    for out in sites:
        for into in set(range(30)) - set(sites.tolist()):
            swapped = [s for s in sites if s != out] + [into]
            assert _covered(dense, weights, swapped) <= value + 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_mclp_iterated_local_search_never_loses_and_keeps_p_sites(seed):
    cover, weights = _random_cover(seed, 80, 14, 2.0)
    dense = cover.toarray()
    p = 3
    best = max(_covered(dense, weights, s) for s in itertools.combinations(range(14), p))
    start = np.arange(p) + seed
    sites = mclp_local_search(cover, weights, start, time_limit=0.2, seed=seed)
    assert sites.size == p and len(set(sites.tolist())) == p
    assert _covered(dense, weights, start) <= _covered(dense, weights, sites) <= best


def test_mclp_local_search_lies_between_its_start_and_the_exact_optimum():
    """2,000 × 150, p = 8: the exact HiGHS model is the reference; the search stays below it."""
    cover, weights = _random_cover(11, 2_000, 150, 1.2)
    reference = MCLP(Coverage(cover, weights, np.arange(2_000), np.arange(150)), 8)
    exact = reference.solve(60, method="exact")
    start = mclp_greedy_swap(sparse.csr_matrix(cover, dtype=float), weights, 8)
    sites = mclp_local_search(cover, weights, start, time_limit=2.0)
    value = _covered(cover.toarray(), weights, sites)
    assert exact.status == "optimal" and sites.size == 8
    assert _covered(cover.toarray(), weights, start) <= value <= exact.objective


@pytest.mark.parametrize("seed", range(4))
def test_mclp_neighbourhood_search_never_loses_and_stays_below_brute_force(seed):
    cover, weights = _random_cover(seed, 80, 14, 2.0)
    dense = cover.toarray()
    p = 4
    best = max(_covered(dense, weights, s) for s in itertools.combinations(range(14), p))
    start = np.arange(p) + seed
    sites = mclp_neighbourhood_search(cover, weights, start, time_limit=10, size=2, seed=seed)
    assert sites.size == p and len(set(sites.tolist())) == p
    assert _covered(dense, weights, start) <= _covered(dense, weights, sites) <= best


@pytest.mark.parametrize("seed", range(3))
def test_mclp_neighbourhood_search_over_the_whole_plan_is_exact(seed):
    """One row covered by every site: the district holds all p open sites and every site is a
    candidate, so the sub-MIP is the whole model; brute force is the reference."""
    cover, weights = _random_cover(seed, 80, 14, 2.0)
    cover = sparse.vstack([cover, sparse.csr_matrix(np.ones((1, 14), dtype=bool))]).tocsr()
    weights = np.append(weights, 1.0)
    dense = cover.toarray()
    p = 3
    best = max(_covered(dense, weights, s) for s in itertools.combinations(range(14), p))
    sites = mclp_neighbourhood_search(cover, weights, np.arange(p), time_limit=10, size=p)
    assert _covered(dense, weights, sites) == best


def test_mclp_local_search_with_every_site_open_changes_nothing():
    cover = sparse.csr_matrix(np.array([[1, 0], [0, 1]], dtype=bool))
    assert mclp_local_search(cover, np.ones(2), np.array([1, 0]), 0.1).tolist() == [0, 1]


def test_mclp_benders_on_a_larger_random_instance_matches_the_reference():
    cover, weights = _random_cover(11, 2_000, 150, 1.2)
    model = MCLP(Coverage(cover, weights, np.arange(2_000), np.arange(150)), 8)
    benders, reference = model.solve(60, method="benders"), model.solve(60, method="exact")
    assert benders.status == reference.status == "optimal"
    assert benders.objective == reference.objective


@pytest.mark.parametrize("limit", [0.05, 0.5])
def test_mclp_benders_cut_short_keeps_an_honest_bound(limit):
    """Stopped early (cutting planes unfinished or no master MIP), the bound still lies above the
    exact optimum and the value below it."""
    cover, weights = _random_cover(11, 2_000, 150, 1.2)
    exact = MCLP(Coverage(cover, weights, np.arange(2_000), np.arange(150)), 8).solve(60, "exact")
    start = mclp_greedy_swap(sparse.csr_matrix(cover, dtype=float), weights, 8)
    out = mclp_benders(cover, weights, 8, start, time_limit=limit)
    assert exact.status == "optimal"
    assert out.value <= exact.objective <= out.bound + 1e-6
    assert out.value == _covered(cover.toarray(), weights, out.sites)
    assert (out.status == "optimal") == (out.value == out.bound)


def test_a_time_out_reports_a_valid_bound_and_its_gap():
    """pmed16 (n = 400, p = 5) is not proven in half a second: the answer says so."""
    instance = read_orlib(shared_data("orlib-pmed", "pmed16.txt"))
    result = PMedian.from_cost_matrix(instance.cost, instance.p).solve(0.5, method="benders")
    optimum = _published()["pmed16"]
    assert result.objective >= optimum >= result.bound
    if result.status == "feasible":
        assert result.gap > 0 and result.gap == pytest.approx(
            (result.objective - result.bound) / result.objective
        )
    else:  # proven in time after all (a fast machine): then it is the optimum
        assert result.objective == optimum


def test_benders_is_refused_where_it_does_not_apply():
    from lifecircle.plan.models import LSCP, PCenter
    from lifecircle.plan.result import PlanInputError

    cost = np.array([[0.0, 5.0], [5.0, 0.0]])
    with pytest.raises(PlanInputError, match="pmedian and mclp only"):
        LSCP.from_cost_matrix(cost, 1.0).solve(method="benders")
    with pytest.raises(PlanInputError, match="pmedian and mclp only"):
        PCenter.from_cost_matrix(cost, 1).solve(method="benders")
