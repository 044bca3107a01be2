"""Location models on arrays: LSCP, MCLP, p-median, p-center.

Each is a class with `from_*` constructors and `solve(time_limit, method)`; all return a
`PlanResult`. method="exact" proves optimality with HiGHS (warm-started from the heuristic),
"benders" (p-median, MCLP) does it by Benders decomposition (`lifecircle.plan.benders`),
"heuristic" runs greedy + swap and reports the gap to a valid bound (LP relaxation),
"auto" picks by size.
"""

import time

import numpy as np
import pandas as pd
from scipy import sparse

from lifecircle.plan import heuristics
from lifecircle.plan.benders import mclp_benders, pmedian_benders
from lifecircle.plan.coverage import CostMatrix, Coverage
from lifecircle.plan.highs import solve_mip, stack
from lifecircle.plan.result import FEASIBLE, INFEASIBLE, OPTIMAL, PlanInputError, PlanResult

METHODS = ("auto", "exact", "heuristic", "benders")
EXACT_NNZ_LIMIT = 6_000_000  # auto: exact when the model has at most this many nonzeros
LARGE_COVER_NNZ = 100_000  # MCLP: above this, a weak reduced-cost fixing means no proof in time


def _check_method(method: str, benders: bool = True) -> None:
    if method not in METHODS:
        raise PlanInputError(f"未知求解方式 unknown method {method!r}; 可选 choose from {METHODS}")
    if method == "benders" and not benders:
        raise PlanInputError(
            "Benders 分解只用于 p-中值与最大覆盖 method 'benders' is for pmedian and mclp only"
        )


def _check_p(p: int, n_sites: int) -> None:
    if p < 1 or p > n_sites:
        raise PlanInputError(
            f"p={p} 超出候选点数 out of range: 需要 1 ≤ p ≤ 候选点数 number of sites {n_sites}"
        )


def _site_table(site_ids, sites: np.ndarray, assign: np.ndarray, weights: np.ndarray):
    """One row per chosen site: how many demand points and how much weight it serves."""
    served = pd.Series(weights).groupby(assign).agg(["size", "sum"])
    rows = []
    for s in sites:
        n, w = (served.loc[s, "size"], served.loc[s, "sum"]) if s in served.index else (0, 0.0)
        rows.append({"site": site_ids[s], "demand_served": int(n), "weight_served": float(w)})
    return pd.DataFrame(rows, columns=["site", "demand_served", "weight_served"])


def _assignment(demand_ids, site_ids, assign: np.ndarray) -> pd.Series:
    values = [site_ids[a] if a >= 0 else None for a in assign]
    return pd.Series(values, index=pd.Index(demand_ids, name="demand"), name="site", dtype=object)


def _first_cover(cover: sparse.csr_matrix, sites: np.ndarray) -> np.ndarray:
    """Per row: the first chosen site covering it (index into all sites), −1 if none."""
    sub = sparse.csr_matrix(cover[:, sites], dtype=np.int8)
    assign = np.full(cover.shape[0], -1, dtype=np.int64)
    rows = np.repeat(np.arange(sub.shape[0]), np.diff(sub.indptr))
    assign[rows[::-1]] = sites[sub.indices[::-1]]
    return assign


def _result(model, status, objective, bound, site_ids, demand_ids, sites, assign, weights, **kw):
    sites = np.sort(np.asarray(sites, dtype=np.int64))
    return PlanResult(
        model=model,
        status=status,
        objective=float(objective),
        bound=float(bound),
        sites=[site_ids[s] for s in sites],
        assignment=_assignment(demand_ids, site_ids, assign),
        table=_site_table(site_ids, sites, assign, weights),
        **kw,
    )


class LSCP:
    """Location set covering: the fewest sites such that every demand point is covered."""

    name = "lscp"

    def __init__(self, coverage: Coverage):
        self.coverage = coverage

    @classmethod
    def from_coverage(cls, coverage: Coverage) -> "LSCP":
        return cls(coverage)

    @classmethod
    def from_cost_matrix(cls, cost: np.ndarray, radius: float, **ids) -> "LSCP":
        return cls(CostMatrix.from_array(cost, **ids).coverage(radius))

    @classmethod
    def from_long_table(cls, table: pd.DataFrame, radius: float, demand=None) -> "LSCP":
        return cls(CostMatrix.from_long_table(table, demand).coverage(radius))

    def solve(self, time_limit: float = 60.0, method: str = "auto") -> PlanResult:
        """Minimum number of sites covering all demand points."""
        _check_method(method, benders=False)
        began = time.perf_counter()
        cov = self.coverage
        empty = np.flatnonzero(np.diff(cov.matrix.indptr) == 0)
        if empty.size:
            ids = ", ".join(str(cov.demand_ids[i]) for i in empty[:10])
            return PlanResult(
                self.name,
                INFEASIBLE,
                np.nan,
                np.nan,
                [],
                solve_seconds=time.perf_counter() - began,
                method=method,
                explanation=(
                    f"覆盖约束不可满足：{empty.size} 个需求点在半径内没有任何候选点（{ids}）。"
                    f" Covering constraint infeasible: {empty.size} demand points have no site"
                    f" within the radius ({ids})."
                ),
            )
        sites, bound, status, used = _set_cover(cov.matrix, time_limit, method)
        assign = _first_cover(cov.matrix, sites)
        return _result(
            self.name,
            status,
            sites.size,
            bound,
            cov.site_ids,
            cov.demand_ids,
            sites,
            assign,
            cov.weights,
            solve_seconds=time.perf_counter() - began,
            method=used,
        )


def _set_cover(
    cover: sparse.csr_matrix, time_limit: float, method: str
) -> tuple[np.ndarray, float, str, str]:
    """Minimum set cover (rows merged, dominated rows dropped); rows must all be coverable."""
    merged = Coverage(cover, np.ones(cover.shape[0]), None, None).merged()
    rows = merged.matrix[merged.undominated()]
    m = cover.shape[1]
    greedy = heuristics.lscp_greedy(rows)
    exact = method == "exact" or (method == "auto" and rows.nnz <= EXACT_NNZ_LIMIT)
    if greedy.size <= 1:
        return greedy, float(greedy.size), OPTIMAL, "greedy"
    start = np.zeros(m)
    start[greedy] = 1.0
    args = (
        np.ones(m),
        sparse.csr_matrix(rows, dtype=np.float64),
        np.ones(rows.shape[0]),
        np.full(rows.shape[0], np.inf),
        np.zeros(m),
        np.ones(m),
        np.ones(m, dtype=bool),
    )
    if not exact:
        lp = solve_mip(*args, time_limit=time_limit, relax=True)
        bound = np.ceil(lp.objective - 1e-6)
        status = OPTIMAL if bound >= greedy.size else FEASIBLE
        return greedy, float(bound), status, "heuristic"
    out = solve_mip(*args, time_limit=time_limit, start=start)
    sites = np.flatnonzero(out.x > 0.5) if out.x is not None else greedy
    if sites.size > greedy.size:
        sites = greedy
    bound = np.ceil(out.bound - 1e-6) if np.isfinite(out.bound) else 1.0
    status = OPTIMAL if bound >= sites.size else FEASIBLE
    return sites, float(bound), status, "exact"


class MCLP:
    """Maximal covering: p sites covering the most demand weight.

    Optional mandatory closeness (Church & ReVelle 1974): every demand point must also lie
    within a second, larger radius of an open site.
    """

    name = "mclp"

    def __init__(self, coverage: Coverage, p: int, mandatory: Coverage | None = None):
        _check_p(p, coverage.shape[1])
        self.coverage, self.p, self.mandatory = coverage, int(p), mandatory

    @classmethod
    def from_coverage(cls, coverage: Coverage, p: int, mandatory: Coverage | None = None) -> "MCLP":
        return cls(coverage, p, mandatory)

    @classmethod
    def from_cost_matrix(
        cls,
        cost: np.ndarray,
        radius: float,
        p: int,
        weights: np.ndarray | None = None,
        mandatory_radius: float | None = None,
        **ids,
    ) -> "MCLP":
        costs = CostMatrix.from_array(cost, weights, **ids)
        mandatory = costs.coverage(mandatory_radius) if mandatory_radius is not None else None
        return cls(costs.coverage(radius), p, mandatory)

    @classmethod
    def from_long_table(
        cls, table: pd.DataFrame, radius: float, p: int, demand=None, mandatory_radius=None
    ) -> "MCLP":
        costs = CostMatrix.from_long_table(table, demand)
        mandatory = costs.coverage(mandatory_radius) if mandatory_radius is not None else None
        return cls(costs.coverage(radius), p, mandatory)

    def solve(self, time_limit: float = 60.0, method: str = "auto") -> PlanResult:
        """Maximise covered weight with exactly p sites."""
        _check_method(method)
        began = time.perf_counter()
        cov, p = self.coverage, self.p
        m = cov.shape[1]
        merged = cov.merged()
        keep = np.flatnonzero((np.diff(merged.matrix.indptr) > 0) & (merged.weights > 0))
        rows = sparse.csr_matrix(merged.matrix[keep], dtype=np.float64)
        w = merged.weights[keep]
        mandatory_rows = None
        if self.mandatory is not None:
            explanation = self._mandatory_infeasible()
            if explanation:
                return PlanResult(
                    self.name, INFEASIBLE, np.nan, np.nan, [], method=method,
                    solve_seconds=time.perf_counter() - began, explanation=explanation,
                )  # fmt: skip
            mm = self.mandatory.merged()
            mandatory_rows = sparse.csr_matrix(mm.matrix[mm.undominated()], dtype=np.float64)
        heur = heuristics.mclp_greedy_swap(rows, w, p, mandatory_rows)
        if method == "benders" and mandatory_rows is None:
            out = mclp_benders(rows, w, p, heur, time_limit - (time.perf_counter() - began))
            return _result(
                self.name, out.status, out.value, out.bound, cov.site_ids, cov.demand_ids,
                out.sites, _first_cover(cov.matrix, out.sites), cov.weights,
                solve_seconds=time.perf_counter() - began, method="benders",
                rows_before_merge=cov.shape[0], rows_after_merge=rows.shape[0],
            )  # fmt: skip
        exact = method in ("exact", "benders") or (method == "auto" and rows.nnz <= EXACT_NNZ_LIMIT)
        if heur is None and not exact:
            exact = True
        k = rows.shape[0]
        # columns: y (m, binary), u (k, continuous in [0, 1]); rows: u − A·y ≤ 0, Σy = p, B·y ≥ 1
        blocks = [
            sparse.hstack([-rows, sparse.identity(k)], format="csr"),
            sparse.csr_matrix(np.concatenate([np.ones(m), np.zeros(k)])[None, :]),
        ]
        lower = [np.full(k, -np.inf), [p]]
        upper = [np.zeros(k), [p]]
        if mandatory_rows is not None:
            nb = mandatory_rows.shape[0]
            blocks.append(sparse.hstack([mandatory_rows, sparse.csr_matrix((nb, k))]))
            lower.append(np.ones(nb))
            upper.append(np.full(nb, np.inf))
        args = (
            np.concatenate([np.zeros(m), w]),
            stack(blocks, m + k),
            np.concatenate(lower),
            np.concatenate(upper),
            np.zeros(m + k),
            np.ones(m + k),
            np.concatenate([np.ones(m, bool), np.zeros(k, bool)]),
        )
        start = None
        if heur is not None:
            y = np.zeros(m)
            y[heur] = 1.0
            start = np.concatenate([y, np.minimum(1.0, rows @ y)])
        if exact:
            sites, bound, status = self._exact(args, rows, w, heur, start, began + time_limit)
            if sites is None:
                return self._no_solution(status, began)
            used = "exact"
        else:
            lp = solve_mip(*args, maximize=True, time_limit=time_limit, relax=True)
            seconds = 0.9 * (time_limit - (time.perf_counter() - began))
            sites, bound, used = (
                self._lp_guided(rows, w, heur, lp, seconds),
                lp.objective,
                "heuristic",
            )
            status = FEASIBLE
        y = np.zeros(m)
        y[sites] = 1.0
        objective = float(w @ np.minimum(1.0, rows @ y))
        if status == OPTIMAL:
            bound = objective
        elif objective >= bound - 1e-9 * max(1.0, abs(bound)):
            status, bound = OPTIMAL, objective
        assign = _first_cover(cov.matrix, sites)
        return _result(
            self.name, status, objective, bound, cov.site_ids, cov.demand_ids, sites, assign,
            cov.weights, solve_seconds=time.perf_counter() - began, method=used,
            rows_before_merge=cov.shape[0], rows_after_merge=k,
        )  # fmt: skip

    def _lp_guided(self, rows, w, heur: np.ndarray, lp, seconds: float) -> np.ndarray:
        """The better of the greedy + swap sites and a search (`seconds` at most) from the LP
        relaxation's top p sites: iterated swaps, then districts re-solved by HiGHS."""
        if lp.x is None or self.mandatory is not None:
            return heur
        m = rows.shape[1]
        top = np.argsort(-lp.x[:m], kind="stable")[: self.p]
        guided = heuristics.mclp_improve(rows, w, top, seconds)

        def covered(sites: np.ndarray) -> float:
            y = np.zeros(m)
            y[sites] = 1.0
            return float(w @ np.minimum(1.0, rows @ y))

        return guided if covered(guided) > covered(heur) else heur

    def _exact(self, args, rows, w, heur, start, deadline):
        """LP bound, reduced-cost fixing of sites against the incumbent, then HiGHS on the rest.

        A site whose LP reduced cost drops the bound below the incumbent's value is in no better
        solution; the MIP runs on the remaining sites and rows. Returns (sites, bound, status).
        """
        m = rows.shape[1]
        if heur is None:
            out = solve_mip(*args, maximize=True, time_limit=_left(deadline), start=start)
            sites = np.flatnonzero(out.x[:m] > 0.5) if out.x is not None else None
            return sites, out.bound, out.status
        lp = solve_mip(*args, maximize=True, time_limit=_left(deadline), relax=True)
        if lp.x is None:
            return heur, np.inf, FEASIBLE
        heur = self._lp_guided(rows, w, heur, lp, 0.25 * _left(deadline))
        y0 = np.zeros(m)
        y0[heur] = 1.0
        start = np.concatenate([y0, np.minimum(1.0, rows @ y0)])
        incumbent = float(w @ start[m:])
        if lp.objective <= incumbent + _tolerance(incumbent):
            return heur, incumbent, OPTIMAL
        reduced = lp.reduced_costs[:m]
        support = np.union1d(np.flatnonzero(lp.x[:m] > 1e-9), heur)
        keep = np.flatnonzero((lp.objective - np.abs(reduced) >= incumbent) | (lp.x[:m] > 1e-9))
        keep = np.union1d(keep, heur)
        if keep.size > support.size:
            # first a better incumbent from the sites the LP uses, then the proof on `keep`;
            # when fixing leaves most sites of a large model open, the proof is hopeless within
            # the limit: the time goes to the incumbent and the LP is the bound
            hopeless = keep.size > 2 * support.size and rows.nnz > LARGE_COVER_NNZ
            share = 1.0 if hopeless else 0.5
            found, _ = self._restricted(args, rows, w, support, heur, _left(deadline) * share)
            if found is not None and _covered(rows, w, found) > incumbent:
                heur, incumbent = found, _covered(rows, w, found)
            if hopeless:
                status = OPTIMAL if lp.objective <= incumbent + _tolerance(incumbent) else FEASIBLE
                return heur, lp.objective, status
        sites, out_bound = self._restricted(args, rows, w, keep, heur, _left(deadline))
        if sites is None:
            return heur, lp.objective, FEASIBLE
        value = _covered(rows, w, sites)
        if value < incumbent:
            sites, value = heur, incumbent
        bound = max(out_bound, value) if np.isfinite(out_bound) else lp.objective
        status = OPTIMAL if bound <= value + _tolerance(value) else FEASIBLE
        return sites, min(bound, lp.objective), status

    def _restricted(self, args, rows, w, keep, heur, time_limit):
        """HiGHS on the sites `keep` only (others closed), started from `heur`.

        Returns (chosen sites or None, the MIP's bound for this restriction)."""
        m = rows.shape[1]
        sub_rows = sparse.csr_matrix(rows[:, keep])
        live = np.diff(sub_rows.indptr) > 0
        mandatory = sparse.csr_matrix(args[1][rows.shape[0] + 1 :, :m][:, keep])
        k = int(live.sum())
        cover = sparse.csr_matrix(sub_rows[live], dtype=np.float64)
        blocks = [
            sparse.hstack([-cover, sparse.identity(k)], format="csr"),
            sparse.csr_matrix(np.concatenate([np.ones(keep.size), np.zeros(k)])[None, :]),
        ]
        lower, upper = [np.full(k, -np.inf), [self.p]], [np.zeros(k), [self.p]]
        if mandatory.shape[0]:
            nb = mandatory.shape[0]
            blocks.append(sparse.hstack([mandatory, sparse.csr_matrix((nb, k))]))
            lower.append(np.ones(nb))
            upper.append(np.full(nb, np.inf))
        y0 = np.isin(keep, heur).astype(float)
        out = solve_mip(
            np.concatenate([np.zeros(keep.size), w[live]]),
            stack(blocks, keep.size + k),
            np.concatenate(lower),
            np.concatenate(upper),
            np.zeros(keep.size + k),
            np.ones(keep.size + k),
            np.concatenate([np.ones(keep.size, bool), np.zeros(k, bool)]),
            maximize=True,
            time_limit=time_limit,
            start=np.concatenate([y0, np.minimum(1.0, cover @ y0)]),
            heuristic_effort=0.5,
        )
        if out.x is None:
            return None, np.inf
        return keep[out.x[: keep.size] > 0.5], out.bound

    def _mandatory_infeasible(self) -> str:
        """Words for a mandatory-closeness constraint no choice of p sites can meet ('' if ok)."""
        cover = self.mandatory.matrix
        empty = np.flatnonzero(np.diff(cover.indptr) == 0)
        if empty.size:
            ids = ", ".join(str(self.mandatory.demand_ids[i]) for i in empty[:10])
            return (
                f"强制距离约束不可满足：需求点 {ids} 在强制半径内没有候选点。"
                f" Mandatory-closeness constraint infeasible: demand points {ids} have no site"
                " within the mandatory radius."
            )
        return ""

    def _no_solution(self, status: str, began: float) -> PlanResult:
        need = LSCP(self.mandatory).solve(time_limit=30) if self.mandatory is not None else None
        words = (
            f"强制距离约束需要至少 {need.objective:g} 个设施，p={self.p} 不够。"
            f" Mandatory closeness needs at least {need.objective:g} sites; p={self.p} is too few."
            if need is not None and need.status == OPTIMAL and need.objective > self.p
            else f"求解器未找到可行解 no feasible solution found ({status})."
        )
        return PlanResult(
            self.name, INFEASIBLE, np.nan, np.nan, [], method="exact",
            solve_seconds=time.perf_counter() - began, explanation=words,
        )  # fmt: skip


class _PSites:
    """A p-site model on a cost matrix: the shared constructors of p-median and p-center."""

    def __init__(self, costs: CostMatrix, p: int):
        _check_p(p, costs.cost.shape[1])
        self.costs, self.p = costs, int(p)

    @classmethod
    def from_cost_matrix(cls, cost: np.ndarray, p: int, weights=None, **ids):
        return cls(CostMatrix.from_array(cost, weights, **ids), p)

    @classmethod
    def from_long_table(cls, table: pd.DataFrame, p: int, demand=None):
        return cls(CostMatrix.from_long_table(table, demand), p)


class PMedian(_PSites):
    """p-median: p sites minimising the weighted sum of costs to the nearest open site."""

    name = "pmedian"

    def solve(self, time_limit: float = 60.0, method: str = "auto") -> PlanResult:
        """Exact: radius formulation, truncated per client and extended until tight."""
        _check_method(method)
        began = time.perf_counter()
        c, w, p = self.costs.cost, self.costs.weights, self.p
        unreachable = np.flatnonzero(~np.isfinite(c).any(axis=1) & (w > 0))
        if unreachable.size:
            ids = ", ".join(str(self.costs.demand_ids[i]) for i in unreachable[:10])
            return PlanResult(
                self.name, INFEASIBLE, np.nan, np.nan, [], method=method,
                solve_seconds=time.perf_counter() - began,
                explanation=f"需求点 {ids} 无法到达任何候选点 demand points {ids} reach no site.",
            )  # fmt: skip
        sites = heuristics.pmedian_greedy_swap(c, w, p)
        exact = method in ("exact", "benders") or (method == "auto" and c.size <= EXACT_NNZ_LIMIT)
        deadline = began + time_limit
        value = _pmedian_value(c, w, sites)
        lagrangian, rho, frequent = heuristics.pmedian_lagrangian(c, w, p, value)
        for start in (frequent, np.argsort(rho)[:p]):  # swaps from the relaxation's choices
            other = heuristics.pmedian_swap(c, w, start)
            if _pmedian_value(c, w, other) < value:
                sites, value = other, _pmedian_value(c, w, other)
        if not exact or value <= lagrangian + _tolerance(value):
            status = OPTIMAL if value <= lagrangian + _tolerance(value) else FEASIBLE
            return self._result(status, value, lagrangian, sites, began, "heuristic")
        if method == "benders":
            out = pmedian_benders(c, w, p, sites, _left(deadline), _integral(c, w))
            bound = max(out.bound, min(lagrangian, out.value))
            return self._result(out.status, out.value, bound, out.sites, began, "benders")
        # Lagrangian fixing: a site whose penalty lifts the bound past the incumbent cannot be
        # in a better solution; the MIP runs on the remaining sites only.
        step = 1.0 - 1e-6 if _integral(c, w) else _tolerance(value)
        pth = np.sort(rho)[p - 1]
        keep = np.flatnonzero(lagrangian + rho - min(pth, 0.0) < value - step + 1e-9)
        keep = np.union1d(np.union1d(keep, np.argsort(rho)[:p]), sites)
        best, bound = sites, lagrangian
        if keep.size >= p:
            reduced = _RadiusFormulation(c[:, keep], w, p)
            # levels up to the incumbent's distances: better plans rarely need more
            reduced.truncate_at(c[:, sites].min(axis=1))
            found, found_value, found_bound = reduced.solve_exact(deadline, cutoff=value - step)
            if found is not None and found_value < value:
                best, value = keep[found], found_value
            bound = max(bound, min(found_bound, value))
        else:
            bound = value  # fewer than p sites could improve on the incumbent: it is optimal
        status = OPTIMAL if value <= bound + _tolerance(value) else FEASIBLE
        return self._result(status, value, value if status == OPTIMAL else bound, best, began,
                            "exact")  # fmt: skip

    def _result(self, status, value, bound, sites, began, method) -> PlanResult:
        c = self.costs.cost
        assign = sites[np.argmin(c[:, sites], axis=1)]
        return _result(
            self.name, status, value, bound, self.costs.site_ids, self.costs.demand_ids, sites,
            assign, self.costs.weights, solve_seconds=time.perf_counter() - began, method=method,
        )  # fmt: skip


def _pmedian_value(cost: np.ndarray, weights: np.ndarray, sites: np.ndarray) -> float:
    return float(weights @ cost[:, sites].min(axis=1))


def _covered(rows: sparse.csr_matrix, w: np.ndarray, sites: np.ndarray) -> float:
    """Weight covered by the given sites."""
    y = np.zeros(rows.shape[1])
    y[sites] = 1.0
    return float(w @ np.minimum(1.0, rows @ y))


def _left(deadline: float) -> float:
    return max(deadline - time.perf_counter(), 0.1)


def _tolerance(value: float) -> float:
    return 1e-6 * max(1.0, abs(value))


def _integral(cost: np.ndarray, weights: np.ndarray) -> bool:
    """Integer costs and weights: the objective moves in whole steps."""
    finite = cost[np.isfinite(cost)]
    return bool(np.all(finite == np.round(finite)) and np.all(weights == np.round(weights)))


class _RadiusFormulation:
    """p-median radius formulation (Elloumi 2010; García, Labbé, Marín 2011), truncated.

    For client i with sorted distinct costs D1 < D2 < …: cost = D1 + Σ_k (Dk − Dk−1)·z_ik,
    z_ik + Σ_{j: c_ij < Dk} y_j ≥ 1. Keeping only levels Dk ≤ cap_i gives a relaxation
    (it charges min(true cost, cap_i)); when every client's open site lies within its cap,
    the relaxation's optimum is the true optimum.
    """

    def __init__(self, cost: np.ndarray, weights: np.ndarray, p: int):
        self.cost, self.weights, self.p = cost, weights, p
        self.order = np.argsort(cost, axis=1, kind="stable")
        self.sorted = np.take_along_axis(cost, self.order, axis=1)
        self.cap = np.zeros(cost.shape[0])

    def truncate_at(self, cap: np.ndarray, clients: np.ndarray | None = None) -> None:
        """Keep levels up to `cap` (for the given clients, default all)."""
        if clients is None:
            self.cap = np.asarray(cap, dtype=np.float64).copy()
        else:
            self.cap[clients] = cap[clients]

    def extend_for(self, y: np.ndarray) -> np.ndarray:
        """Raise caps of clients whose sites within the cap hold less than one unit of y.

        Returns the mask of clients that were short (their caps now reach that unit).
        """
        mass = np.cumsum(y[self.order], axis=1)
        reach = np.argmax(mass >= 1.0 - 1e-7, axis=1)
        need = self.sorted[np.arange(self.cost.shape[0]), reach]
        short = need > self.cap + 1e-9
        self.cap[short] = need[short]
        return short

    def full_lp(self, deadline: float):
        """LP relaxation, extending levels until it equals the full formulation's LP."""
        while time.perf_counter() < deadline:
            lp = self.solve(max(deadline - time.perf_counter(), 0.1), start=None, relax=True)
            if lp.x is None:
                return None
            if not self.extend_for(lp.x[: self.cost.shape[1]]).any():
                return lp
        return None

    def solve_exact(self, deadline: float, cutoff: float = np.inf):
        """Branch and bound, extending levels while the integer solution needs them.

        Only solutions with objective ≤ `cutoff` are sought. Returns (sites or None, their
        true objective, a valid lower bound on any solution ≤ cutoff; inf when none exists).
        """
        m = self.cost.shape[1]
        self.full_lp(deadline)
        best, best_value, bound = None, np.inf, -np.inf
        while time.perf_counter() < deadline:
            out = self.solve(max(deadline - time.perf_counter(), 0.1), start=best, cutoff=cutoff)
            if out.x is None:
                if out.status == INFEASIBLE:
                    bound = np.inf  # the relaxation has nothing ≤ cutoff: neither has the model
                break
            chosen = np.flatnonzero(out.x[:m] > 0.5)
            value = _pmedian_value(self.cost, self.weights, chosen)
            if value < best_value:
                best, best_value = chosen, value
            if np.isfinite(out.bound):
                bound = max(bound, out.bound)  # a truncated model is a relaxation
            y = np.zeros(m)
            y[chosen] = 1.0
            if not self.extend_for(y).any() or out.status != OPTIMAL:
                break
        return best, best_value, bound

    def _levels(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Distinct finite costs of client i up to its cap, and how many sites lie below each."""
        row = self.sorted[i]
        upto = np.searchsorted(row, self.cap[i], side="right")
        values, first = np.unique(row[:upto], return_index=True)
        return values, first

    def solve(self, time_limit: float, start: np.ndarray | None, relax: bool = False, cutoff=None):
        n, m = self.cost.shape
        cols_z, rows_idx, col_idx, cost_z, offset = [], [], [], [], 0.0
        row = 0
        for i in range(n):
            values, below = self._levels(i)
            offset += self.weights[i] * values[0]
            if values.size < 2:
                continue
            steps, below = np.diff(values), below[1:]
            z = m + len(cost_z) + np.arange(steps.size)
            cost_z.extend(self.weights[i] * steps)
            cols_z.append(z)
            total = int(below.sum())
            local = np.arange(total) - np.repeat(np.cumsum(below) - below, below)
            level_rows = row + np.repeat(np.arange(steps.size), below)
            rows_idx += [row + np.arange(steps.size), level_rows]
            col_idx += [z, self.order[i][local]]
            row += steps.size
        nz = len(cost_z)
        r = np.concatenate(rows_idx) if rows_idx else np.zeros(0, np.int64)
        cidx = np.concatenate(col_idx) if col_idx else np.zeros(0, np.int64)
        levels = sparse.csr_matrix((np.ones(r.size), (r, cidx)), shape=(row, m + nz))
        count = sparse.csr_matrix(np.concatenate([np.ones(m), np.zeros(nz)])[None, :])
        x0 = None
        if start is not None:
            y = np.zeros(m)
            y[start] = 1.0
            covered = levels[:, :m] @ y
            x0 = np.concatenate([y, np.maximum(0.0, 1.0 - covered)])
        return solve_mip(
            np.concatenate([np.zeros(m), cost_z]),
            stack([levels, count], m + nz),
            np.concatenate([np.ones(row), [self.p]]),
            np.concatenate([np.full(row, np.inf), [self.p]]),
            np.zeros(m + nz),
            np.ones(m + nz),
            np.concatenate([np.ones(m, bool), np.zeros(nz, bool)]),
            offset=offset,
            time_limit=time_limit,
            start=x0,
            relax=relax,
            cutoff=cutoff,
        )


class PCenter(_PSites):
    """p-center: p sites minimising the largest cost from a demand point to its nearest site.

    Exact by bisection over the sorted distinct costs; each step asks whether a set cover of
    that radius needs at most p sites (greedy says yes fast, the LP says no fast, HiGHS decides
    the rest).
    """

    name = "pcenter"

    def solve(self, time_limit: float = 60.0, method: str = "auto") -> PlanResult:
        _check_method(method, benders=False)
        began = time.perf_counter()
        c = self.costs.cost
        active = self.costs.weights > 0
        c = c[active]
        if not np.isfinite(c).any(axis=1).all():
            return PlanResult(
                self.name, INFEASIBLE, np.nan, np.nan, [], method=method,
                solve_seconds=time.perf_counter() - began,
                explanation="有需求点无法到达任何候选点 some demand points reach no site.",
            )  # fmt: skip
        levels = np.unique(c[np.isfinite(c)])
        floor = c.min(axis=1).max()  # every client needs at least its nearest site's cost
        levels = levels[levels >= floor]
        radius, sites = heuristics.pcenter_greedy(c, self.p, levels)
        exact = method == "exact" or (method == "auto" and c.size <= EXACT_NNZ_LIMIT)
        lo, hi = 0, int(np.searchsorted(levels, radius)) - 1
        proven_infeasible = -1  # highest level index proven to need more than p sites
        while lo <= hi:
            mid = (lo + hi) // 2
            cover = sparse.csr_matrix(c <= levels[mid])
            remaining = max(time_limit - (time.perf_counter() - began), 0.1)
            answer = _cover_within(cover, self.p, remaining, exact)
            if answer is None:
                lo = mid + 1
                continue
            if isinstance(answer, str):  # proven: needs more than p sites
                proven_infeasible = max(proven_infeasible, mid)
                lo = mid + 1
            else:
                radius, sites, hi = levels[mid], answer, mid - 1
        bound = levels[proven_infeasible + 1] if proven_infeasible + 1 < levels.size else radius
        status = OPTIMAL if bound >= radius else FEASIBLE
        full = self.costs.cost
        assign = sites[np.argmin(full[:, sites], axis=1)]
        return _result(
            self.name, status, radius, bound, self.costs.site_ids, self.costs.demand_ids, sites,
            assign, self.costs.weights, solve_seconds=time.perf_counter() - began,
            method="exact" if exact else "heuristic",
        )  # fmt: skip


def _cover_within(cover: sparse.csr_matrix, p: int, time_limit: float, exact: bool):
    """Sites covering every row with ≤ p sites; "no" if proven impossible; None if unknown."""
    greedy = heuristics.lscp_greedy(cover)
    if greedy is not None and greedy.size <= p:
        return greedy
    merged = Coverage(cover, np.ones(cover.shape[0]), None, None).merged()
    rows = sparse.csr_matrix(merged.matrix[merged.undominated()], dtype=np.float64)
    m = cover.shape[1]
    args = (np.ones(m), rows, np.ones(rows.shape[0]), np.full(rows.shape[0], np.inf),
            np.zeros(m), np.ones(m), np.ones(m, dtype=bool))  # fmt: skip
    lp = solve_mip(*args, time_limit=time_limit, relax=True)
    if lp.status == INFEASIBLE or np.ceil(lp.objective - 1e-6) > p:
        return "no"
    if not exact:
        return None
    out = solve_mip(*args, time_limit=time_limit)
    if out.x is not None and out.objective <= p + 0.5:
        return np.flatnonzero(out.x > 0.5)
    if out.status in (OPTIMAL, INFEASIBLE) or np.ceil(out.bound - 1e-6) > p:
        return "no"
    return None
