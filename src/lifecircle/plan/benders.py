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

from lifecircle.plan.heuristics import _finite_costs, mclp_improve, pmedian_swap
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
    """HiGHS model: columns y (m sites, binary in the MIP phase) and θ (k), Σ y = p, cuts as rows.

    Internally everything is a minimisation (a maximising model's θ costs are negated)."""

    def __init__(self, theta_cost, theta_lower, theta_upper, m: int, p: int):
        self.m, self.k = m, theta_cost.size
        self.theta_cost = np.asarray(theta_cost, dtype=np.float64)
        self.cuts = 0
        self.h = _new_highs()
        # HiGHS keeps one thread pool per process: every model here asks for the same size
        self.h.setOptionValue("threads", 1)
        n_col = m + self.k
        self.h.passModel(
            int(n_col), 1, int(m), 2, 1, 0.0,
            np.concatenate([np.zeros(m), self.theta_cost]),
            np.concatenate([np.zeros(m), _finite(theta_lower)]),
            np.concatenate([np.ones(m), _finite(theta_upper)]),
            np.array([float(p)]), np.array([float(p)]),
            np.array([0], dtype=np.int32), np.arange(m, dtype=np.int32), np.ones(m),
            np.zeros(n_col, dtype=np.int32),
        )  # fmt: skip

    def add(self, cuts: tuple[sparse.csr_matrix, np.ndarray] | None) -> int:
        """Add cut rows (matrix over y and θ, lower bounds); returns how many."""
        if cuts is None or cuts[0].shape[0] == 0:
            return 0
        rows, lower = cuts
        self.h.addRows(
            rows.shape[0], _finite(lower), np.full(rows.shape[0], _INF), rows.nnz,
            rows.indptr[:-1].astype(np.int32), rows.indices.astype(np.int32),
            rows.data.astype(np.float64),
        )  # fmt: skip
        self.cuts += rows.shape[0]
        return rows.shape[0]

    def lp(self, time_limit: float, solver: str = "choose"):
        """(y, θ, objective, reduced costs of y) of the LP relaxation, or None."""
        h = self.h
        h.setOptionValue("solver", solver)
        h.setOptionValue("time_limit", float(max(time_limit, 0.05)))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = h.getSolution()
        x = np.asarray(solution.col_value)
        reduced = np.asarray(solution.col_dual)[: self.m]
        return x[: self.m], x[self.m :], h.getInfo().objective_function_value, reduced

    def fix(self, sites: np.ndarray, value: float) -> None:
        if sites.size:
            self.h.changeColsBounds(
                sites.size, sites.astype(np.int32), np.full(sites.size, value),
                np.full(sites.size, value),
            )  # fmt: skip

    def integral(self) -> None:
        self.h.setOptionValue("solver", "choose")
        self.h.changeColsIntegrality(
            self.m, np.arange(self.m, dtype=np.int32), np.ones(self.m, dtype=np.int32)
        )

    def mip_until_cut(self, time_limit: float, start: np.ndarray, cutoff: float, separate):
        """Run the master MIP from `start`, stopping at the first solution `separate` cuts off.

        `separate(y, θ)` returns (sites, their true value, cuts or None). HiGHS has no lazy
        constraints, so a solution that violates a cut ends the run; its cuts come back.
        Returns (true solutions seen, cuts, a valid bound or nan, nothing-below-cut-off).
        """
        h = self.h
        seen, found = [], []

        def on_solution(kind, message, output, data_in, user):
            x = np.asarray(output.mip_solution)
            if x.size < self.m + self.k:
                return
            sites, value, cuts = separate(x[: self.m], x[self.m :])
            seen.append((sites, value))
            if cuts is not None:
                found.append(cuts)
                data_in.user_interrupt = True

        h.setOptionValue("time_limit", float(max(time_limit, 0.05)))
        h.setOptionValue("mip_rel_gap", 1e-9)
        h.setOptionValue("objective_bound", float(cutoff))
        incumbent = highspy.HighsSolution()
        incumbent.col_value = np.asarray(start, dtype=np.float64).tolist()
        incumbent.value_valid = True
        h.setSolution(incumbent)
        kind = highspy.cb.HighsCallbackType.kCallbackMipSolution
        h.setCallback(on_solution, None)
        h.startCallback(kind)
        try:
            h.run()
        finally:
            h.stopCallback(kind)
        status, info = h.getModelStatus(), h.getInfo()
        if status == highspy.HighsModelStatus.kInfeasible:
            return seen, found, np.nan, True
        proven = status == highspy.HighsModelStatus.kOptimal
        if info.primal_solution_status == 2 and not found:
            x = np.asarray(h.getSolution().col_value)
            sites, value, cuts = separate(x[: self.m], x[self.m :])
            seen.append((sites, value))
            if cuts is not None:
                found.append(cuts)
        bound = info.mip_dual_bound
        if proven and not np.isfinite(bound):
            bound = info.objective_function_value
        return seen, found, bound if np.isfinite(bound) else np.nan, False


def _left(deadline: float) -> float:
    return deadline - time.perf_counter()


def _benders(
    sub,
    m: int,
    p: int,
    start: np.ndarray,
    time_limit: float,
    step: float,
    lp_share: float = 1.0,
    search_share: float = 0.25,
):
    """The decomposition loop on a subproblem `sub` (minimisation form, see _Master).

    `sub` gives theta_cost/lower/upper, value(sites), cuts(point, y, θ) violated at (y, θ) by
    separating at `point`, theta_at(sites), separate(y, θ) at an integer y, and
    improve(sites, seconds) (a local search from the given sites). No cutting-plane round
    starts after `lp_share` of the time (the last master LP is still a relaxation: its bound
    holds); the search from the LP's top sites gets `search_share` of the time left then.
    Returns a BendersOutcome in minimisation form.
    """
    began = time.perf_counter()
    deadline = began + time_limit
    master = _Master(sub.theta_cost, sub.theta_lower, sub.theta_upper, m, p)
    best = np.sort(np.asarray(start, dtype=np.int64))
    upper = sub.value(best)
    y_best = np.zeros(m)
    y_best[best] = 1.0
    master.add(sub.cuts(y_best, y_best, np.full(master.k, -np.inf)))

    # 1. LP relaxation by cutting planes, separating between the LP answer and a stability
    #    centre that follows it (in-out; Ben-Ameur and Neto 2007), at the LP answer if need be.
    bound, lp, centre, iterations = -np.inf, None, y_best.copy(), 0
    while _left(began + lp_share * time_limit) > 0:
        solved = master.lp(_left(deadline), sub.lp_solver)
        if solved is None:
            break
        lp = solved
        y, theta, objective, _ = lp
        bound = max(bound, objective)
        iterations += 1
        if not any(master.add(sub.cuts(a * y + (1 - a) * centre, y, theta)) for a in (0.5, 1)):
            break
        centre = 0.5 * centre + 0.5 * y
    if lp is not None and _left(deadline) > 0.25 * time_limit:
        # swaps from the sites the LP opens most: often a better incumbent (if time allows)
        top = np.argsort(-lp[0], kind="stable")[:p]
        guided = np.sort(sub.improve(top, search_share * _left(deadline)))
        if sub.value(guided) < upper:
            best, upper = guided, sub.value(guided)
            y_best = np.zeros(m)
            y_best[best] = 1.0
    if bound >= upper - step:
        return BendersOutcome(best, upper, upper, OPTIMAL, iterations, master.cuts, 0,
                              time.perf_counter() - began)  # fmt: skip

    # 2. Reduced-cost fixing: a site whose reduced cost lifts the LP bound past the incumbent
    #    is in no better plan (closed), or in every better plan (open).
    fixed = 0
    if lp is not None:
        y, _, objective, reduced = lp
        closed = np.flatnonzero((y < 1e-9) & (objective + reduced > upper - step))
        opened = np.flatnonzero((y > 1 - 1e-9) & (objective - reduced > upper - step))
        master.fix(closed, 0.0)
        master.fix(opened, 1.0)
        fixed = closed.size + opened.size

    # 3. Master MIP, stopped at each solution a cut cuts off; the cuts are added and it runs
    #    again. The master is a relaxation at every step, so its bound is valid throughout.
    master.integral()
    status = FEASIBLE
    while _left(deadline) > 0.05:
        x0 = np.concatenate([y_best, sub.theta_at(best)])
        seen, found, mip_bound, nothing_better = master.mip_until_cut(
            _left(deadline), x0, upper - step, sub.separate
        )
        iterations += 1
        for sites, value in seen:
            if value < upper:
                best, upper = np.sort(sites), value
        y_best = np.zeros(m)
        y_best[best] = 1.0
        if nothing_better:
            bound = upper
        elif np.isfinite(mip_bound) and not found:
            bound = max(bound, min(mip_bound, upper))
        if bound >= upper - step or not found:
            break
        for cuts in found:
            master.add(cuts)
    bound = min(bound, upper)
    if bound >= upper - step:
        status, bound = OPTIMAL, upper
    return BendersOutcome(best, upper, bound, status, iterations, master.cuts, fixed,
                          time.perf_counter() - began)  # fmt: skip


# ---------------------------------------------------------------- p-median


class _PMedianSubproblem:
    """p-median clients: θ_i is client i's distance; cuts of the radius formulation.

    θ_i ≥ D − Σ_{j: c_ij < D} (D − c_ij) y_j holds for every level D; at a point y the
    subproblem's optimal dual picks D where the y-mass of i's nearest sites reaches 1.
    """

    def __init__(self, cost: np.ndarray, weights: np.ndarray):
        self.cost = cost
        self.order = np.argsort(cost, axis=1, kind="stable")
        self.sorted = np.take_along_axis(cost, self.order, axis=1)
        n = cost.shape[0]
        self.everyone = np.arange(n)
        self.theta_cost = weights
        self.lp_solver = "choose"
        self.theta_lower = self.sorted[:, 0]
        self.theta_upper = np.full(n, np.inf)

    def value(self, sites: np.ndarray) -> float:
        return float(self.theta_cost @ self.theta_at(sites))

    def theta_at(self, sites: np.ndarray) -> np.ndarray:
        return self.cost[:, sites].min(axis=1)

    def improve(self, sites: np.ndarray, seconds: float) -> np.ndarray:
        return pmedian_swap(self.cost, self.theta_cost, sites)

    def cuts(self, point: np.ndarray, y: np.ndarray, theta: np.ndarray):
        level = self.levels(point, self.everyone)
        rhs = self.right_side(y, self.everyone, level)
        short = np.flatnonzero(rhs > theta + 1e-7 * np.maximum(1.0, np.abs(rhs)))
        return self.rows(short, level[short]), level[short]

    def separate(self, y: np.ndarray, theta: np.ndarray):
        sites = np.flatnonzero(y > 0.5)
        near = self.theta_at(sites)
        short = np.flatnonzero(near > theta + 1e-7 * np.maximum(1.0, near))
        cuts = (self.rows(short, near[short]), near[short]) if short.size else None
        return sites, float(self.theta_cost @ near), cuts

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

    def right_side(self, y: np.ndarray, clients: np.ndarray, level: np.ndarray) -> np.ndarray:
        """Right-hand side D − Σ_{c_ij < D} (D − c_ij) y_j of each client's cut at y."""
        out = level.copy()
        for chunk in np.array_split(np.arange(clients.size), max(1, clients.size // 256)):
            rows = clients[chunk]
            s = self.sorted[rows]
            out[chunk] -= (np.maximum(level[chunk, None] - s, 0.0) * y[self.order[rows]]).sum(1)
        return out

    def rows(self, clients: np.ndarray, level: np.ndarray) -> sparse.csr_matrix:
        """Cut rows θ_i + Σ (D − c_ij) y_j ≥ D for the given clients and levels."""
        counts = np.array(
            [
                np.searchsorted(self.sorted[i], d, side="left")
                for i, d in zip(clients, level, strict=True)
            ],
            dtype=np.int64,
        )
        n, m = self.cost.shape
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


def pmedian_benders(
    cost: np.ndarray,
    weights: np.ndarray,
    p: int,
    start: np.ndarray,
    time_limit: float = 60.0,
    integral: bool = False,
) -> BendersOutcome:
    """Exact p-median by Benders decomposition of the radius formulation.

    `start` holds p sites (from greedy + swap); `integral` says costs and weights are integers
    (the objective then moves in whole steps, a stronger pruning rule). Returns the best sites,
    their value and a valid lower bound; status "optimal" when they meet.

    Example
    -------
    >>> cost = np.array([[0.0, 4.0], [3.0, 0.0], [1.0, 2.0]])
    >>> out = pmedian_benders(cost, np.ones(3), 1, np.array([0]))
    >>> out.status, out.value, out.sites.tolist()
    ('optimal', 4.0, [0])
    """
    weights = np.asarray(weights, dtype=np.float64)
    live = weights > 0
    sub = _PMedianSubproblem(_finite_costs(cost[live]), weights[live])
    scale = max(1.0, float(sub.theta_cost @ sub.theta_lower))
    step = 1.0 - 1e-6 if integral else 1e-6 * scale
    return _benders(sub, cost.shape[1], p, start, time_limit, step)


# ---------------------------------------------------------------- MCLP


class _MCLPSubproblem:
    """MCLP demand rows: θ_i ≤ 1 is row i's coverage; cuts θ_i ≤ Σ_{j covers i} y_j.

    In minimisation form the θ costs are −w. The cut for row i is the subproblem's optimal dual
    at any y where θ_i exceeds its covering mass, so it is generated only where violated.
    """

    def __init__(self, cover: sparse.csr_matrix, weights: np.ndarray):
        self.cover = sparse.csr_matrix(cover, dtype=np.float64)
        k = self.cover.shape[0]
        self.theta_cost = -np.asarray(weights, dtype=np.float64)
        # interior point with crossover: on large covering LPs far faster than dual simplex
        self.lp_solver = "ipm" if k > 5_000 else "choose"
        self.theta_lower = np.zeros(k)
        self.theta_upper = np.ones(k)

    def theta_at(self, sites: np.ndarray) -> np.ndarray:
        y = np.zeros(self.cover.shape[1])
        y[sites] = 1.0
        return np.minimum(1.0, self.cover @ y)

    def value(self, sites: np.ndarray) -> float:
        return float(self.theta_cost @ self.theta_at(sites))

    def improve(self, sites: np.ndarray, seconds: float) -> np.ndarray:
        return mclp_improve(self.cover, -self.theta_cost, sites, seconds)

    def rows(self, short: np.ndarray):
        k, m = self.cover.shape
        part = self.cover[short]
        theta = sparse.csr_matrix(
            (np.ones(short.size), (np.arange(short.size), m + short)), shape=(short.size, m + k)
        )
        grown = sparse.hstack([part, sparse.csr_matrix((short.size, k))], format="csr")
        return (grown - theta).tocsr(), np.zeros(short.size)

    def cuts(self, point: np.ndarray, y: np.ndarray, theta: np.ndarray):
        mass = self.cover @ y
        short = np.flatnonzero(theta > mass + 1e-7)
        if not np.isfinite(theta).all():  # the first call: cuts tight at the start plan
            short = np.flatnonzero(self.cover @ point > 0)
        return self.rows(short)

    def separate(self, y: np.ndarray, theta: np.ndarray):
        sites = np.flatnonzero(y > 0.5)
        mass = self.cover @ (y > 0.5).astype(float)
        short = np.flatnonzero(theta > mass + 1e-7)
        value = float(self.theta_cost @ np.minimum(1.0, mass))
        return sites, value, self.rows(short) if short.size else None


def mclp_benders(
    cover: sparse.csr_matrix,
    weights: np.ndarray,
    p: int,
    start: np.ndarray,
    time_limit: float = 30.0,
) -> BendersOutcome:
    """Maximal covering by Benders decomposition on the coverage variables.

    `cover` is the (merged) demand × site coverage, `start` p sites from greedy + swap. Returns
    the covered weight of the best sites found (`value`) and a valid upper `bound`.

    Example
    -------
    >>> cover = sparse.csr_matrix(np.array([[1, 0], [1, 1], [0, 1]], dtype=bool))
    >>> out = mclp_benders(cover, np.array([5.0, 1.0, 2.0]), 1, np.array([1]))
    >>> out.status, out.value, out.sites.tolist()
    ('optimal', 6.0, [0])
    """
    weights = np.asarray(weights, dtype=np.float64)
    sub = _MCLPSubproblem(cover, weights)
    step = 1e-6 * max(1.0, float(weights.sum()))
    if np.all(weights == np.round(weights)):
        step = 1.0 - 1e-6
    # the cutting planes stop at half the time: the search and the master get the rest
    out = _benders(sub, cover.shape[1], p, start, time_limit, step, lp_share=0.5, search_share=0.5)
    out.value, out.bound = -out.value, -out.bound
    return out
