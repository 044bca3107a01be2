"""Benders decomposition for p-median and MCLP, with HiGHS as the master.

p-median follows Duran-Mateluna, Ales and Elloumi (EJOR 2023): the radius formulation's level
variables are projected out; what is left is a master over the sites y and one variable θ_i per
client with the cuts

    θ_i ≥ D − Σ_{j: c_ij < D} (D − c_ij) · y_j        for any distance level D of client i,

separated at a point y by taking D where the y-mass of the sites nearest to i first reaches 1
(the subproblem's optimal dual, computed by a sort, no LP).

MCLP follows Cordeau, Furini and Ljubić (EJOR 2019): the coverage variables are projected out;
θ_i ≤ 1 and the cuts θ_i ≤ Σ_{j covers i} y_j are added only where a point y violates them.

Both solve the master's LP relaxation by cutting planes first, fix sites by LP reduced costs
against the incumbent (warm start from greedy + swap), then solve the master MIP, add the cuts its
integer answer violates and solve again, until the master's bound meets the incumbent or the time
runs out. The master is a relaxation, so its bound is valid at every step and the gap is honest.
"""

import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from lifecircle.plan.heuristics import _finite_costs
from lifecircle.plan.highs import _finite, _new_highs
from lifecircle.plan.result import FEASIBLE, OPTIMAL

_INF = highspy.kHighsInf


@dataclass
class BendersOutcome:
    """Best sites found, their true objective, a valid bound and how the decomposition went."""

    sites: np.ndarray
    value: float
    bound: float
    status: str
    iterations: int
    cuts: int
    fixed: int
    seconds: float


class _Master:
    """HiGHS model with columns y (m sites, then binary) and θ (k), rows added as cuts."""

    def __init__(self, theta_cost, p, theta_lower, theta_upper, m, maximize):
        self.m, self.k = m, theta_cost.size
        self.h_cost = np.asarray(theta_cost, dtype=np.float64)
        self.h = _new_highs()
        # HiGHS runs one thread pool per process: every model here asks for the same size
        self.h.setOptionValue("threads", 1)
        n_col = m + self.k
        self.h.passModel(
            int(n_col), 1, int(m), 2, -1 if maximize else 1, 0.0,
            np.concatenate([np.zeros(m), theta_cost]).astype(np.float64),
            np.zeros(n_col), _finite(np.concatenate([np.ones(m), theta_upper])),
            np.array([float(p)]), np.array([float(p)]),
            np.array([0], dtype=np.int32), np.arange(m, dtype=np.int32), np.ones(m),
            np.zeros(n_col, dtype=np.int32),
        )  # fmt: skip
        self.h.changeColsBounds(
            self.k,
            np.arange(m, n_col, dtype=np.int32),
            _finite(theta_lower),
            _finite(np.asarray(theta_upper, dtype=np.float64)),
        )
        self.cuts = 0

    def add(self, rows: sparse.csr_matrix, lower: np.ndarray, upper: np.ndarray) -> None:
        rows = sparse.csr_matrix(rows)
        self.h.addRows(
            rows.shape[0], _finite(lower), _finite(upper), rows.nnz,
            rows.indptr[:-1].astype(np.int32), rows.indices.astype(np.int32),
            rows.data.astype(np.float64),
        )  # fmt: skip
        self.cuts += rows.shape[0]

    def lp(self, time_limit: float):
        """(y, θ, objective, reduced costs of y) of the LP relaxation, or None."""
        h = self.h
        h.setOptionValue("time_limit", float(max(time_limit, 0.05)))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = h.getSolution()
        x = np.asarray(solution.col_value)
        duals = np.asarray(solution.col_dual)
        return x[: self.m], x[self.m :], h.getInfo().objective_function_value, duals[: self.m]

    def integral(self) -> None:
        self.h.changeColsIntegrality(
            self.m, np.arange(self.m, dtype=np.int32), np.ones(self.m, dtype=np.int32)
        )

    def fix(self, sites: np.ndarray, value: float) -> None:
        if sites.size:
            self.h.changeColsBounds(
                sites.size, sites.astype(np.int32), np.full(sites.size, value),
                np.full(sites.size, value),
            )  # fmt: skip

    def mip(self, time_limit: float, start: np.ndarray, cutoff: float | None, gap: float):
        """(y or None, master objective, master bound, proven) of the master MIP."""
        h = self.h
        h.setOptionValue("time_limit", float(max(time_limit, 0.05)))
        h.setOptionValue("mip_rel_gap", gap)
        if cutoff is not None:
            h.setOptionValue("objective_bound", float(cutoff))
        incumbent = highspy.HighsSolution()
        incumbent.col_value = np.asarray(start, dtype=np.float64).tolist()
        incumbent.value_valid = True
        h.setSolution(incumbent)
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None, np.nan, np.nan, True
        has = info.primal_solution_status == 2
        x = np.asarray(h.getSolution().col_value) if has else None
        proven = status == highspy.HighsModelStatus.kOptimal
        objective = info.objective_function_value if has else np.nan
        bound = info.mip_dual_bound if np.isfinite(info.mip_dual_bound) else np.nan
        if proven and not np.isfinite(bound):
            bound = objective
        return (None if x is None else x[: self.m]), objective, bound, proven


@dataclass
class _MasterRun:
    """One master MIP run: true solutions seen, cuts to add, its bound, nothing-below-cut-off."""

    solutions: list
    cuts: list
    bound: float
    infeasible: bool


def _mip_until_cut(self, time_limit, start, cutoff, check) -> _MasterRun:
    """Run the master MIP; stop at the first solution `check` finds cuts for.

    `check(y, θ)` returns (sites, distances per client, violated clients, their distances).
    """
    h = self.h
    run = _MasterRun([], [], np.nan, False)

    def on_solution(kind, message, output, data_in, user):
        x = np.asarray(output.mip_solution)
        if x.size < self.m + self.k:
            return
        sites, near, short, values = check(x[: self.m], x[self.m :])
        run.solutions.append((sites, float(self.h_cost @ near)))
        if short.size:
            run.cuts.append((short, values))
            data_in.user_interrupt = True

    h.setCallback(on_solution, None)
    h.startCallback(highspy.cb.HighsCallbackType.kCallbackMipSolution)
    try:
        x, objective, bound, proven = self.mip(time_limit, start, cutoff, 1e-9)
    finally:
        h.stopCallback(highspy.cb.HighsCallbackType.kCallbackMipSolution)
    if x is None and proven:
        run.infeasible = True
    elif x is not None and not run.cuts:
        sites, near, short, values = check(x, np.asarray(h.getSolution().col_value)[self.m :])
        run.solutions.append((sites, float(self.h_cost @ near)))
        if short.size:
            run.cuts.append((short, values))
    if proven or not run.cuts:
        run.bound = bound
    return run


_Master.mip_until_cut = _mip_until_cut


def _left(deadline: float) -> float:
    return deadline - time.perf_counter()


# ---------------------------------------------------------------- p-median


class _PMedianCuts:
    """Per client: sites in order of cost, and the cut of the radius formulation at a point y."""

    def __init__(self, cost: np.ndarray):
        self.order = np.argsort(cost, axis=1, kind="stable")
        self.sorted = np.take_along_axis(cost, self.order, axis=1)

    def levels(self, y: np.ndarray, clients: np.ndarray) -> np.ndarray:
        """For each client, the cost level D where the y-mass of its nearest sites reaches 1."""
        m = self.order.shape[1]
        out = np.empty(clients.size)
        todo = np.arange(clients.size)
        width = min(m, 32)
        while todo.size:
            rows = clients[todo]
            mass = np.cumsum(y[self.order[rows, :width]], axis=1)
            reached = mass[:, -1] >= 1.0 - 1e-9
            done = reached | (width >= m)
            position = np.argmax(mass >= 1.0 - 1e-9, axis=1)
            position[~reached] = width - 1
            out[todo[done]] = self.sorted[rows[done], position[done]]
            todo = todo[~done]
            width = min(m, width * 4)
        return out

    def value(self, y: np.ndarray, clients: np.ndarray, level: np.ndarray) -> np.ndarray:
        """Right-hand side D − Σ_{c_ij < D} (D − c_ij) y_j of each client's cut at y."""
        out = level.copy()
        for chunk in np.array_split(np.arange(clients.size), max(1, clients.size // 256)):
            rows = clients[chunk]
            s = self.sorted[rows]
            out[chunk] -= (np.maximum(level[chunk, None] - s, 0.0) * y[self.order[rows]]).sum(1)
        return out

    def level_pool(self, free: np.ndarray, cap: np.ndarray, m: int, budget: int):
        """Cuts at every distance level of the `free` sites up to each client's `cap`.

        With all of them the master is as strong as the radius formulation truncated at `cap`;
        when their nonzeros would pass `budget`, levels are thinned evenly per client.
        """
        n = self.order.shape[0]
        keep = np.zeros(m, dtype=bool)
        keep[free] = True
        clients, levels = [], []
        counts = np.array([np.searchsorted(self.sorted[i][keep[self.order[i]]], cap[i], "right")
                           for i in range(n)])  # fmt: skip
        nnz = float((counts.astype(float) ** 2).sum() / 2)
        thin = max(1.0, np.sqrt(nnz / budget)) if budget > 0 else np.inf
        for i in range(n):
            costs = self.sorted[i][keep[self.order[i]]][: counts[i]]
            distinct = np.unique(costs)
            if not np.isfinite(thin) or distinct.size == 0:
                continue
            pick = distinct[:: int(np.ceil(thin))] if thin > 1 else distinct
            clients.append(np.full(pick.size, i))
            levels.append(pick)
        if not clients:
            return np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(clients), np.concatenate(levels)

    def rows(self, clients: np.ndarray, level: np.ndarray, m: int, n: int):
        """Cut rows θ_i + Σ (D − c_ij) y_j ≥ D for the given clients and levels."""
        counts = np.array(
            [np.searchsorted(self.sorted[i], d, side="left") for i, d in zip(clients, level)],
            dtype=np.int64,
        )
        indptr = np.concatenate([[0], np.cumsum(counts + 1)])
        indices = np.empty(indptr[-1], dtype=np.int64)
        data = np.empty(indptr[-1])
        for r, (i, d, c) in enumerate(zip(clients, level, counts, strict=True)):
            a = indptr[r]
            indices[a : a + c] = self.order[i, :c]
            data[a : a + c] = d - self.sorted[i, :c]
            indices[a + c] = m + i
            data[a + c] = 1.0
        return sparse.csr_matrix((data, indices, indptr), shape=(clients.size, m + n))


def _violated(c: np.ndarray, y: np.ndarray, theta: np.ndarray):
    """(sites, true value, clients whose θ is below their distance, those distances)."""
    sites = np.flatnonzero(y > 0.5)
    near = c[:, sites].min(axis=1)
    short = np.flatnonzero(near > theta + 1e-7 * np.maximum(1.0, near))
    return sites, near, short, near[short]


def pmedian_benders(
    cost: np.ndarray,
    weights: np.ndarray,
    p: int,
    start: np.ndarray,
    time_limit: float = 60.0,
    integral: bool = False,
    pool_nonzeros: int = 4_000_000,
) -> BendersOutcome:
    """Exact p-median by Benders decomposition of the radius formulation.

    `start` holds p sites (from greedy + swap); `integral` says costs and weights are integers
    (the objective then moves in whole steps, a stronger pruning rule). Returns the best sites,
    their value and a valid lower bound; status "optimal" when they meet.

    Example
    -------
    >>> cost = np.array([[0.0, 4.0], [3.0, 0.0], [1.0, 2.0]])
    >>> out = pmedian_benders(cost, np.ones(3), 1, np.array([0]))
    >>> out.status, out.value, list(out.sites)
    ('optimal', 4.0, [0])
    """
    began = time.perf_counter()
    deadline = began + time_limit
    n, m = cost.shape
    weights = np.asarray(weights, dtype=np.float64)
    live = weights > 0
    c = _finite_costs(cost[live])
    w = weights[live]
    n = c.shape[0]
    cuts = _PMedianCuts(c)
    step = 1.0 - 1e-6 if integral else 1e-6 * max(1.0, float(w @ c.min(axis=1)))

    def true_value(sites: np.ndarray) -> float:
        return float(w @ c[:, sites].min(axis=1))

    best = np.sort(np.asarray(start, dtype=np.int64))
    upper = true_value(best)
    master = _Master(w, p, cuts.sorted[:, 0], np.full(n, np.inf), m, maximize=False)
    y_best = np.zeros(m)
    y_best[best] = 1.0
    everyone = np.arange(n)
    near = c[:, best].min(axis=1)
    master.add(cuts.rows(everyone, near, m, n), near, np.full(n, np.inf))

    # 1. LP relaxation by cutting planes, separating at points between the LP answer and a
    #    stability centre that moves towards it (in-out; Ben-Ameur and Neto 2007).
    bound, lp, centre, iterations = -np.inf, None, y_best.copy(), 0
    while _left(deadline) > 0:
        lp = master.lp(_left(deadline))
        if lp is None:
            break
        y, theta, objective, _ = lp
        bound = max(bound, objective)
        iterations += 1
        added = 0
        for alpha in (0.5, 1.0):
            point = alpha * y + (1 - alpha) * centre
            level = cuts.levels(point, everyone)
            rhs = cuts.value(y, everyone, level)
            violated = np.flatnonzero(rhs > theta + 1e-7 * np.maximum(1.0, np.abs(rhs)))
            if violated.size:
                master.add(cuts.rows(violated, level[violated], m, n), level[violated],
                           np.full(violated.size, np.inf))  # fmt: skip
                added = violated.size
                break
        centre = 0.5 * centre + 0.5 * y
        if added == 0:
            break
    if bound >= upper - step:
        return BendersOutcome(best, upper, upper, OPTIMAL, iterations, master.cuts, 0,
                              time.perf_counter() - began)  # fmt: skip

    # 2. Reduced-cost fixing against the incumbent.
    fixed, zero = 0, np.zeros(0, dtype=np.int64)
    if lp is not None:
        y, _, objective, reduced = lp
        zero = np.flatnonzero((y < 1e-9) & (objective + reduced > upper - step))
        one = np.flatnonzero((y > 1 - 1e-9) & (objective - reduced > upper - step))
        master.fix(zero, 0.0)
        master.fix(one, 1.0)
        fixed = zero.size + one.size

    # 3. Master MIP. HiGHS has no lazy constraints: each time it finds a master solution that
    #    violates a cut, it is stopped, the cuts are added and it starts again (a relaxation at
    #    every step, so its bound is valid); a solution no cut cuts off is the true value.
    master.integral()
    status = FEASIBLE
    while _left(deadline) > 0.05:
        x0 = np.concatenate([y_best, c[:, best].min(axis=1)])
        found = master.mip_until_cut(
            _left(deadline), x0, upper - step, lambda y, theta: _violated(c, y, theta)
        )
        iterations += 1
        for sites, value in found.solutions:
            if value < upper:
                best, upper = sites, value
        y_best = np.zeros(m)
        y_best[best] = 1.0
        if np.isfinite(found.bound):
            bound = max(bound, min(found.bound, upper))
        if found.infeasible:  # nothing better than the incumbent under the cut-off
            bound = upper
        if bound >= upper - step:
            status = OPTIMAL
            break
        if not found.cuts:
            break  # stopped by the clock
        for clients, near in found.cuts:
            master.add(cuts.rows(clients, near, m, n), near, np.full(near.size, np.inf))
    bound = min(bound, upper)
    if bound >= upper - step:
        status, bound = OPTIMAL, upper
    return BendersOutcome(best, upper, bound, status, iterations, master.cuts, fixed,
                          time.perf_counter() - began)  # fmt: skip
