"""Site-selection models against published optima and an independent solver."""

import re

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, sparse

from datafiles import shared_data
from lifecircle.plan.coverage import CostMatrix
from lifecircle.plan.models import LSCP, MCLP, PCenter, PMedian
from lifecircle.plan.orlib import read_orlib
from lifecircle.plan.result import PlanInputError

QUICK_PMED = ["pmed1", "pmed2", "pmed3", "pmed5", "pmed10", "pmed15", "pmed20", "pmed25"]


def _published(name: str) -> dict[str, float]:
    text = shared_data("orlib-pmed", name).read_text()
    return {k: float(v) for k, v in re.findall(r"^(pmed\d+)\s+(\d+)\s*$", text, re.M)}


@pytest.mark.parametrize("name", QUICK_PMED)
def test_pmedian_orlib_matches_published_optimum(name):
    instance = read_orlib(shared_data("orlib-pmed", f"{name}.txt"))
    result = PMedian.from_cost_matrix(instance.cost, instance.p).solve(time_limit=60)
    assert result.status == "optimal"
    assert result.objective == _published("pmedopt.txt")[name]
    assert len(result.sites) == instance.p


@pytest.mark.parametrize("name", ["pmed1", "pmed4", "pmed5", "pmed10"])
def test_pcenter_orlib_matches_published_optimum(name):
    instance = read_orlib(shared_data("orlib-pmed", f"{name}.txt"))
    result = PCenter.from_cost_matrix(instance.cost, instance.p).solve(time_limit=60)
    assert result.status == "optimal"
    assert result.objective == _published("pcenter_opt.txt")[name]
    chosen = np.asarray(result.sites)
    assert instance.cost[:, chosen].min(axis=1).max() == result.objective


def _swain():
    table = pd.read_csv(
        shared_data("swain55", "swain.dat"), header=None, usecols=[0, 1, 2, 3],
        names=["id", "x", "y", "demand"],
    )  # fmt: skip
    xy = table[["x", "y"]].to_numpy(float)
    distance = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    return distance, table["demand"].to_numpy(float), table["id"].to_numpy()


def test_swain_mclp_matches_reference_table():
    distance, demand, ids = _swain()
    reference = pd.read_csv(shared_data("swain55", "mclp_lscp_reference_computed.csv"))
    for row in reference.itertuples():
        model = MCLP.from_cost_matrix(distance, row.S_euclid, row.p, weights=demand, site_ids=ids)
        result = model.solve(time_limit=30)
        assert result.status == "optimal", row
        assert result.objective == row.covered_demand, row


def test_swain_lscp_matches_reference():
    distance, _, _ = _swain()
    text = shared_data("swain55", "SOURCE.md").read_text()
    line = re.search(r"LSCP minimum #facilities: (.*)", text).group(1)
    expected = {float(s): int(n) for s, n in re.findall(r"S=(\d+):(\d+)", line)}
    assert len(expected) == 6
    for radius, count in expected.items():
        result = LSCP.from_cost_matrix(distance, radius).solve(time_limit=30)
        assert (result.status, result.objective) == ("optimal", count), radius
        covered = distance[:, np.asarray(result.sites)].min(axis=1) <= radius
        assert covered.all()


def test_swain_mandatory_closeness_354_of_640():
    distance, demand, ids = _swain()
    model = MCLP.from_cost_matrix(distance, 10, 5, weights=demand, mandatory_radius=15)
    result = model.solve(time_limit=30)
    assert (result.status, result.objective, demand.sum()) == ("optimal", 354, 640)
    assert distance[:, np.asarray(result.sites)].min(axis=1).max() <= 15
    infeasible = MCLP.from_cost_matrix(distance, 10, 3, weights=demand, mandatory_radius=15)
    out = infeasible.solve(time_limit=30)
    assert out.status == "infeasible" and "5" in out.explanation


def _random_instance(seed: int, n: int = 60, m: int = 20):
    rng = np.random.default_rng(seed)
    demand_xy, site_xy = rng.uniform(0, 100, (n, 2)), rng.uniform(0, 100, (m, 2))
    cost = np.hypot(*(demand_xy[:, None, :] - site_xy[None, :, :]).transpose(2, 0, 1))
    return np.round(cost), rng.integers(1, 20, n).astype(float)


@pytest.mark.parametrize("seed", range(4))
def test_heuristic_never_beats_optimum_and_gap_is_valid(seed):
    cost, weight = _random_instance(seed)
    cases = [
        (PMedian.from_cost_matrix(cost, 4, weights=weight), "min"),
        (PCenter.from_cost_matrix(cost, 4, weights=weight), "min"),
        (LSCP.from_cost_matrix(cost, cost.min(axis=1).max()), "min"),
        (MCLP.from_cost_matrix(cost, 20.0, 3, weights=weight), "max"),
    ]
    for model, sense in cases:
        exact = model.solve(method="exact", time_limit=30)
        heuristic = model.solve(method="heuristic", time_limit=30)
        assert exact.status == "optimal", model.name
        assert exact.gap == 0.0
        if sense == "min":
            assert heuristic.objective >= exact.objective - 1e-9, model.name
            assert heuristic.bound <= exact.objective + 1e-6, model.name
        else:
            assert heuristic.objective <= exact.objective + 1e-9, model.name
            assert heuristic.bound >= exact.objective - 1e-6, model.name
        assert heuristic.gap >= 0.0


def test_pmedian_and_mclp_agree_with_scipy_milp():
    cost, weight = _random_instance(7, n=25, m=10)
    n, m, p = cost.shape[0], cost.shape[1], 3
    # classical p-median: x_ij assignment, y_j open
    c = np.concatenate([(weight[:, None] * cost).ravel(), np.zeros(m)])
    assign = sparse.hstack(
        [sparse.kron(sparse.identity(n), np.ones((1, m))), sparse.csr_matrix((n, m))]
    )
    link = sparse.hstack(
        [sparse.identity(n * m), -sparse.kron(np.ones((n, 1)), sparse.identity(m))]
    )
    count = np.concatenate([np.zeros(n * m), np.ones(m)])[None, :]
    constraints = [
        optimize.LinearConstraint(assign, 1, 1),
        optimize.LinearConstraint(link, -np.inf, 0),
        optimize.LinearConstraint(count, p, p),
    ]
    reference = optimize.milp(c, constraints=constraints, integrality=np.ones(c.size),
                              bounds=optimize.Bounds(0, 1))  # fmt: skip
    ours = PMedian.from_cost_matrix(cost, p, weights=weight).solve(method="exact")
    assert reference.success and ours.objective == pytest.approx(reference.fun)
    # MCLP: u_i ≤ Σ_{j covers i} y_j
    cover = (cost <= 25).astype(float)
    c = np.concatenate([np.zeros(m), -weight])
    rows = sparse.hstack([-sparse.csr_matrix(cover), sparse.identity(n)])
    reference = optimize.milp(
        c,
        constraints=[optimize.LinearConstraint(rows, -np.inf, 0),
                     optimize.LinearConstraint(np.concatenate([np.ones(m), np.zeros(n)])[None], p, p)],
        integrality=np.concatenate([np.ones(m), np.zeros(n)]),
        bounds=optimize.Bounds(0, 1),
    )  # fmt: skip
    ours = MCLP.from_cost_matrix(cost, 25, p, weights=weight).solve(method="exact")
    assert reference.success and ours.objective == pytest.approx(-reference.fun)


def test_long_table_merges_and_reports_bad_rows():
    table = pd.DataFrame(
        {"demand": ["a", "a", "b", "c", "c"], "site": ["s1", "s2", "s2", "s1", "s3"],
         "cost": [1, 5, 2, 3, 9]}
    )  # fmt: skip
    demand = pd.DataFrame({"id": ["a", "b", "c"], "weight": [10, 20, 30]})
    costs = CostMatrix.from_long_table(table, demand)
    assert costs.cost.shape == (3, 3) and costs.cost[2, 2] == 9 and np.isinf(costs.cost[1, 0])
    result = MCLP.from_long_table(table, radius=3, p=1, demand=demand).solve()
    assert result.objective == 40 and result.sites == ["s1"]
    with pytest.raises(PlanInputError, match="row 4.*'cost'"):
        CostMatrix.from_long_table(table.assign(cost=["1", "2", "x", "3", "4"]), demand)
    with pytest.raises(PlanInputError, match="'demand'.*'z'"):
        CostMatrix.from_long_table(table.assign(demand=["a", "z", "b", "c", "c"]), demand)
    with pytest.raises(PlanInputError, match="missing column 'cost'"):
        CostMatrix.from_long_table(table.drop(columns="cost"), demand)
    with pytest.raises(PlanInputError, match="p=4"):
        PMedian.from_long_table(table, p=4, demand=demand)
    lscp = LSCP.from_long_table(table, radius=0.5, demand=demand).solve()
    assert lscp.status == "infeasible" and "a, b, c" in lscp.explanation
