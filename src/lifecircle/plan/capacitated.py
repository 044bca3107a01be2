"""Capacitated siting: p-median, MCLP and the multi-function hub model with site capacities.

The uncapacitated models let one 30 m² gatehouse "serve" every resident within 300 m. Here each
site (or each function at a site) has a capacity in persons — from the floor area and the m² per
person a function needs, a number of places, or a number given in the candidates file — and the
demand is assigned to open sites within reach, never beyond their capacity. Assignment is split
(a compound's demand may be shared among several sites) or single (each compound, and for the hub
each compound × function, goes to one site whole). All are solved exactly by HiGHS.

With every capacity infinite, each model is its uncapacitated form; the tests check this limit and
brute force on small instances.
"""

import time

import numpy as np
import pandas as pd
from scipy import sparse

from lifecircle.data.area import Area
from lifecircle.plan.coverage import CostMatrix
from lifecircle.plan.highs import solve_mip, stack
from lifecircle.plan.hub import HubModel
from lifecircle.plan.result import INFEASIBLE, OPTIMAL, PlanInputError, PlanResult


def capacity_from_area(floor_area_m2: np.ndarray, m2_per_person: float) -> np.ndarray:
    """Persons a floor area can serve at a given m² per person (e.g. a 千人指标 norm / 1000)."""
    if not m2_per_person > 0:
        raise PlanInputError(f"每人面积须为正数 m² per person must be positive: {m2_per_person}")
    return np.asarray(floor_area_m2, dtype=np.float64) / m2_per_person


def _check_capacity(capacity: np.ndarray, n: int, label: str = "sites") -> np.ndarray:
    capacity = np.asarray(capacity, dtype=np.float64)
    if capacity.shape != (n,) and capacity.ndim == 1:
        raise PlanInputError(
            f"容量个数 {capacity.size} ≠ 候选点数 {n} / capacity length ≠ number of {label}"
        )
    bad = np.flatnonzero(np.isnan(capacity.ravel()) | (capacity.ravel() < 0))
    if bad.size:
        raise PlanInputError(
            f"第 {bad[0] + 1} 个容量无效 capacity {bad[0] + 1} is missing or negative "
            f"({capacity.ravel()[bad[0]]!r})"
        )
    return capacity


class _Assignment:
    """Shared machinery: sparse (demand, site) pairs, the model columns, and the result tables."""

    name = ""

    def __init__(self, costs: CostMatrix, capacity, p: int, single: bool, radius: float | None):
        m = costs.cost.shape[1]
        if not 1 <= p <= m:
            raise PlanInputError(f"p={p} 超出候选点数 out of range: 需要 1 ≤ p ≤ {m}")
        self.costs, self.p, self.single = costs, int(p), bool(single)
        self.capacity = _check_capacity(capacity, m)
        limit = np.inf if radius is None else radius
        reach = np.isfinite(costs.cost) & (costs.cost <= limit) & (costs.weights[:, None] > 0)
        self.pair_demand, self.pair_site = np.nonzero(reach)
        self.pair_cost = costs.cost[self.pair_demand, self.pair_site]

    @classmethod
    def from_cost_matrix(cls, cost, capacity, p: int, weights=None, single=False, **kw):
        """From a dense demand × site cost matrix (np.inf: unreachable)."""
        ids = {k: kw.pop(k) for k in ("demand_ids", "site_ids") if k in kw}
        return cls(CostMatrix.from_array(cost, weights, **ids), capacity, p, single, **kw)

    @classmethod
    def from_long_table(cls, table: pd.DataFrame, capacity, p: int, demand=None, single=False,
                        **kw):  # fmt: skip
        """From a long demand,site,cost table (missing pairs are unreachable)."""
        return cls(CostMatrix.from_long_table(table, demand), capacity, p, single, **kw)

    def _columns(self):
        """Rows shared by both models over columns [y (m) | x (pairs)]."""
        m, k = self.costs.cost.shape[1], self.pair_site.size
        n_col = m + k
        w = self.costs.weights[self.pair_demand]
        q = np.arange(k)
        blocks, lower, upper = [], [], []

        def add(r, c, v, n_rows, lo, hi):
            blocks.append(sparse.csr_matrix((v, (r, c)), shape=(n_rows, n_col)))
            lower.append(np.broadcast_to(np.asarray(lo, float), n_rows))
            upper.append(np.broadcast_to(np.asarray(hi, float), n_rows))

        # x_ij ≤ y_j
        add(np.r_[q, q], np.r_[m + q, self.pair_site], np.r_[np.ones(k), -np.ones(k)], k,
            -np.inf, 0.0)  # fmt: skip
        # Σ_i w_i x_ij ≤ Q_j y_j for finite capacities
        finite = np.flatnonzero(np.isfinite(self.capacity))
        row_of = np.full(m, -1)
        row_of[finite] = np.arange(finite.size)
        on = row_of[self.pair_site] >= 0
        add(np.r_[row_of[self.pair_site[on]], np.arange(finite.size)],
            np.r_[m + q[on], finite], np.r_[w[on], -self.capacity[finite]], finite.size,
            -np.inf, 0.0)  # fmt: skip
        # Σ y = p
        add(np.zeros(m), np.arange(m), np.ones(m), 1, self.p, self.p)
        return blocks, lower, upper, add, n_col

    def _result(self, out, began, objective_sign=1.0) -> PlanResult:
        m = self.costs.cost.shape[1]
        if out.x is None:
            return PlanResult(self.name, INFEASIBLE, np.nan, np.nan, [], method="exact",
                              solve_seconds=time.perf_counter() - began,
                              explanation=self._explain())  # fmt: skip
        y = out.x[:m] > 0.5
        share = np.clip(out.x[m:], 0.0, 1.0)
        share[share < 1e-9] = 0.0
        if self.single:
            share = np.round(share)
        w = self.costs.weights[self.pair_demand]
        served = share > 0
        assigned = pd.DataFrame({
            "demand": self.costs.demand_ids[self.pair_demand[served]],
            "site": self.costs.site_ids[self.pair_site[served]],
            "share": share[served],
            "weight": (w * share)[served],
            "cost": self.pair_cost[served],
        })  # fmt: skip
        load = np.bincount(self.pair_site, weights=w * share, minlength=m)
        sites = np.flatnonzero(y)
        table = pd.DataFrame({
            "site": self.costs.site_ids[sites],
            "capacity": self.capacity[sites],
            "load": load[sites],
            "utilisation": np.divide(load[sites], self.capacity[sites],
                                     out=np.zeros(sites.size), where=self.capacity[sites] > 0),
        })  # fmt: skip
        main = assigned.sort_values("share", ascending=False).drop_duplicates("demand")
        assignment = pd.Series(
            main.set_index("demand")["site"].reindex(self.costs.demand_ids).to_numpy(),
            index=pd.Index(self.costs.demand_ids, name="demand"), name="site", dtype=object,
        )  # fmt: skip
        status, bound = out.status, out.bound
        if status == OPTIMAL:
            bound = out.objective
        return PlanResult(
            self.name, status, float(out.objective), float(bound), list(self.costs.site_ids[sites]),
            assignment=assignment, solve_seconds=time.perf_counter() - began, method="exact",
            table=table,
            assigned=assigned, single_assignment=self.single,
            unserved_weight=float(self.costs.weights.sum() - assigned["weight"].sum()),
        )  # fmt: skip

    def _explain(self) -> str:
        return (
            "容量不足或有需求点无法到达任何候选点，无可行方案。"
            " No plan: capacity is short, or some demand reaches no site."
        )


class CapacitatedPMedian(_Assignment):
    """p-median with site capacities: every demand point is served whole, within capacity.

    Minimise Σ wᵢ·cᵢⱼ·xᵢⱼ subject to Σⱼ xᵢⱼ = 1, Σᵢ wᵢ·xᵢⱼ ≤ Qⱼ·yⱼ, xᵢⱼ ≤ yⱼ, Σ yⱼ = p; xᵢⱼ ∈ [0, 1]
    (split) or {0, 1} (single). Sites beyond `radius` (default: any finite cost) cannot serve.

    Examples
    --------
    >>> import numpy as np
    >>> cost = np.array([[1.0, 5.0], [1.0, 4.0], [6.0, 1.0]])
    >>> plan = CapacitatedPMedian.from_cost_matrix(cost, [1.0, 5.0], 2).solve()
    >>> plan.objective  # the second demand point overflows to the far site
    6.0
    """

    name = "capacitated_pmedian"

    def __init__(self, costs, capacity, p, single=False, radius=None):
        super().__init__(costs, capacity, p, single, radius)

    def solve(self, time_limit: float = 60.0) -> PlanResult:
        """Exact with HiGHS; infeasible (with the reason) when capacity cannot hold the demand."""
        began = time.perf_counter()
        words = self._explain_first()
        if words:
            return PlanResult(self.name, INFEASIBLE, np.nan, np.nan, [], method="exact",
                              solve_seconds=time.perf_counter() - began, explanation=words)  # fmt: skip
        blocks, lower, upper, add, n_col = self._columns()
        m, k = self.costs.cost.shape[1], self.pair_site.size
        active = np.flatnonzero(self.costs.weights > 0)
        row = np.searchsorted(active, self.pair_demand)
        add(row, m + np.arange(k), np.ones(k), active.size, 1.0, 1.0)  # Σ_j x_ij = 1
        w = self.costs.weights[self.pair_demand]
        out = solve_mip(np.r_[np.zeros(m), w * self.pair_cost], stack(blocks, n_col),
                        np.concatenate(lower), np.concatenate(upper), np.zeros(n_col),
                        np.ones(n_col), np.r_[np.ones(m, bool), np.full(k, self.single)],
                        time_limit=time_limit)  # fmt: skip
        return self._result(out, began)

    def _explain_first(self) -> str:
        w = self.costs.weights
        reached = np.zeros(w.size, dtype=bool)
        reached[self.pair_demand] = True
        lost = np.flatnonzero(~reached & (w > 0))
        if lost.size:
            ids = ", ".join(str(self.costs.demand_ids[i]) for i in lost[:10])
            return f"需求点 {ids} 无法到达任何候选点 demand points {ids} reach no site."
        largest = np.sort(self.capacity)[::-1][: self.p].sum()
        if largest < w.sum() - 1e-9:
            return (
                f"容量不足：最大的 {self.p} 个站点共可服务 {largest:,.0f} 人，需求 {w.sum():,.0f} 人。"
                f" Capacity short: the {self.p} largest sites serve {largest:,.0f},"
                f" the demand is {w.sum():,.0f}."
            )
        return ""


class CapacitatedMCLP(_Assignment):
    """Maximal covering with capacities: p sites, serve the most demand within `radius`.

    Maximise Σ wᵢ·xᵢⱼ subject to Σⱼ xᵢⱼ ≤ 1, Σᵢ wᵢ·xᵢⱼ ≤ Qⱼ·yⱼ, xᵢⱼ ≤ yⱼ, Σ yⱼ = p, over pairs
    with cᵢⱼ ≤ radius; xᵢⱼ split or single.

    Examples
    --------
    >>> import numpy as np
    >>> cost = np.array([[100.0, 900.0], [200.0, 900.0], [900.0, 100.0]])
    >>> plan = CapacitatedMCLP.from_cost_matrix(cost, [50.0, 80.0], 1, [40.0, 30.0, 70.0],
    ...                                         radius=300.0).solve()
    >>> plan.objective, plan.sites  # site 0 holds 50 of the 70 near it; site 1 serves 70
    (70.0, [np.int64(1)])
    """

    name = "capacitated_mclp"

    def __init__(self, costs, capacity, p, single=False, radius=None):
        if radius is None:
            raise PlanInputError("MCLP 需要服务半径 radius is needed")
        super().__init__(costs, capacity, p, single, radius)

    def solve(self, time_limit: float = 60.0) -> PlanResult:
        """Exact with HiGHS."""
        began = time.perf_counter()
        blocks, lower, upper, add, n_col = self._columns()
        m, k = self.costs.cost.shape[1], self.pair_site.size
        n = self.costs.cost.shape[0]
        add(self.pair_demand, m + np.arange(k), np.ones(k), n, -np.inf, 1.0)  # Σ_j x_ij ≤ 1
        w = self.costs.weights[self.pair_demand]
        out = solve_mip(np.r_[np.zeros(m), w], stack(blocks, n_col), np.concatenate(lower),
                        np.concatenate(upper), np.zeros(n_col), np.ones(n_col),
                        np.r_[np.ones(m, bool), np.full(k, self.single)], maximize=True,
                        time_limit=time_limit)  # fmt: skip
        return self._result(out, began)


class CapacitatedHub:
    """The hub model with a capacity per function at each site.

    Demand of compound i for function f (its target-group head count, if not already covered) is
    assigned to sites hosting f within f's walking threshold, up to capacity[j, f] persons there;
    maximise the demand so served. Floor areas, costs, budget, allowed functions, functions per
    site and the embedded-service rule are those of `HubModel`; a coverage floor per compound is
    not part of the capacitated form.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> hub = HubModel(np.array(["a", "b"]), ("canteen",), np.array([100.0]),
    ...                np.array([[300.0], [500.0]]), np.zeros((2, 1), bool), np.array(["s"]),
    ...                np.array([150.0]), np.array([10.0]), [sparse.csr_matrix(np.ones((2, 1)))])
    >>> CapacitatedHub.from_hub_model(hub, np.array([[400.0]])).solve().objective
    400.0
    """

    name = "capacitated_hub"

    def __init__(self, model: HubModel, capacity: np.ndarray, single: bool = False):
        m, nf = len(model.site_ids), len(model.functions)
        capacity = np.asarray(capacity, dtype=np.float64)
        if capacity.shape != (m, nf):
            raise PlanInputError(
                f"容量须为 站点×功能 矩阵 capacity must be sites × functions ({m} × {nf}), "
                f"got {capacity.shape}"
            )
        _check_capacity(capacity.ravel(), capacity.size, "site × function pairs")
        if model.min_compound_coverage is not None:
            raise PlanInputError(
                "容量模型不支持每小区覆盖下限 the capacitated hub model has no coverage floor"
            )
        self.model, self.capacity, self.single = model, capacity, bool(single)

    @classmethod
    def from_hub_model(cls, model: HubModel, capacity: np.ndarray, single: bool = False):
        """The same instance as `model`, with `capacity[j, f]` persons for function f at site j."""
        return cls(model, capacity, single)

    def solve(self, time_limit: float = 60.0) -> PlanResult:
        """Exact with HiGHS; returns the opened sites, functions, assignment and loads."""
        began = time.perf_counter()
        hub = self.model
        m, nf = len(hub.site_ids), len(hub.functions)
        pair_site, pair_function = hub._pairs()
        n_pairs = pair_site.size
        pair_col = np.full((m, nf), -1)
        pair_col[pair_site, pair_function] = np.arange(n_pairs)
        tri_i, tri_pair = [], []
        for f in range(nf):
            reach = sparse.coo_matrix(hub.reach[f])
            ok = (pair_col[reach.col, f] >= 0) & ~hub.covered_before[reach.row, f]
            ok &= hub.weight[reach.row, f] > 0
            tri_i.append(reach.row[ok])
            tri_pair.append(pair_col[reach.col[ok], f])
        tri_i = np.concatenate(tri_i).astype(np.int64)
        tri_pair = np.concatenate(tri_pair).astype(np.int64)
        tri_f = pair_function[tri_pair]
        k = tri_i.size
        n_col = m + n_pairs + k
        w = hub.weight[tri_i, tri_f]
        blocks, lower, upper = [], [], []

        def add(r, c, v, n_rows, lo, hi):
            blocks.append(sparse.csr_matrix((v, (r, c)), shape=(n_rows, n_col)))
            lower.append(np.broadcast_to(np.asarray(lo, float), n_rows))
            upper.append(np.broadcast_to(np.asarray(hi, float), n_rows))

        q, t, sites = np.arange(n_pairs), np.arange(k), np.arange(m)
        add(np.r_[q, q], np.r_[m + q, pair_site], np.r_[np.ones(n_pairs), -np.ones(n_pairs)],
            n_pairs, -np.inf, 0.0)  # z_jf ≤ y_j  # fmt: skip
        add(np.r_[pair_site, sites], np.r_[m + q, sites],
            np.r_[hub.function_area[pair_function], -hub.site_area], m, -np.inf, 0.0)  # fmt: skip
        if hub.max_functions_per_site is not None:
            add(np.r_[pair_site, sites], np.r_[m + q, sites],
                np.r_[np.ones(n_pairs), -np.full(m, float(hub.max_functions_per_site))], m,
                -np.inf, 0.0)  # fmt: skip
        if hub.budget is not None:
            add(np.zeros(m), sites, hub.site_cost, 1, -np.inf, hub.budget)
        rule_sites = np.flatnonzero(hub._rule_sites())
        if rule_sites.size:
            rule = hub.hub_rule
            core = np.array([hub.functions[f] in rule.core for f in pair_function], dtype=bool)
            at = np.isin(pair_site, rule_sites)
            row = np.searchsorted(rule_sites, pair_site)
            for mask, need in ((at, rule.min_functions), (at & core, rule.min_core)):
                add(np.r_[row[mask], np.arange(rule_sites.size)], np.r_[m + q[mask], rule_sites],
                    np.r_[np.ones(mask.sum()), -np.full(rule_sites.size, float(need))],
                    rule_sites.size, 0.0, np.inf)  # fmt: skip
        # x_ijf ≤ z_jf
        add(np.r_[t, t], np.r_[m + n_pairs + t, m + tri_pair], np.r_[np.ones(k), -np.ones(k)], k,
            -np.inf, 0.0)  # fmt: skip
        # Σ_j x_ijf ≤ 1 per (compound, function)
        demand_key = tri_i * nf + tri_f
        keys, demand_row = np.unique(demand_key, return_inverse=True)
        add(demand_row, m + n_pairs + t, np.ones(k), keys.size, -np.inf, 1.0)
        # Σ_i w_if x_ijf ≤ Q_jf z_jf
        cap = self.capacity[pair_site, pair_function]
        finite = np.flatnonzero(np.isfinite(cap))
        row_of = np.full(n_pairs, -1)
        row_of[finite] = np.arange(finite.size)
        on = row_of[tri_pair] >= 0
        add(np.r_[row_of[tri_pair[on]], np.arange(finite.size)],
            np.r_[m + n_pairs + t[on], m + finite], np.r_[w[on], -cap[finite]], finite.size,
            -np.inf, 0.0)  # fmt: skip
        integer = np.r_[np.ones(m + n_pairs, bool), np.full(k, self.single)]
        out = solve_mip(np.r_[np.zeros(m + n_pairs), w], stack(blocks, n_col),
                        np.concatenate(lower), np.concatenate(upper), np.zeros(n_col),
                        np.ones(n_col), integer, maximize=True, time_limit=time_limit)  # fmt: skip
        if out.x is None:
            return PlanResult(self.name, INFEASIBLE, np.nan, np.nan, [], method="exact",
                              solve_seconds=time.perf_counter() - began,
                              explanation="预算或规则无可行方案 no plan meets the budget and rules.")  # fmt: skip
        placed = out.x[m : m + n_pairs] > 0.5
        share = np.clip(out.x[m + n_pairs :], 0.0, 1.0)
        share[share < 1e-9] = 0.0
        if self.single:
            share = np.round(share)
        load = np.bincount(tri_pair, weights=w * share, minlength=n_pairs)
        used = np.flatnonzero(placed)
        table = pd.DataFrame({
            "site": hub.site_ids[pair_site[used]],
            "function": [hub.functions[f] for f in pair_function[used]],
            "function_name": [hub.function_names.get(hub.functions[f], "")
                              for f in pair_function[used]],
            "floor_area_m2": hub.function_area[pair_function[used]],
            "site_cost": hub.site_cost[pair_site[used]],
            "capacity": cap[used], "load": load[used],
            "utilisation": np.divide(load[used], cap[used], out=np.zeros(used.size),
                                     where=cap[used] > 0),
        })  # fmt: skip
        served = share > 0
        assigned = pd.DataFrame({
            "demand": hub.compound_ids[tri_i[served]],
            "site": hub.site_ids[pair_site[tri_pair[served]]],
            "function": [hub.functions[f] for f in tri_f[served]],
            "share": share[served], "weight": (w * share)[served],
        })  # fmt: skip
        opened = sorted({j for j in pair_site[used]})
        status, bound = out.status, (out.objective if out.status == OPTIMAL else out.bound)
        full = np.bincount(tri_i * nf + tri_f, weights=share, minlength=len(hub.compound_ids) * nf)
        covered_after = hub.covered_before | (full.reshape(-1, nf) >= 1.0 - 1e-6)
        per_compound = assigned.groupby("demand")["weight"].sum()
        return PlanResult(
            self.name, status, float(out.objective), float(bound),
            [hub.site_ids[j] for j in opened],
            assignment=per_compound.reindex(hub.compound_ids, fill_value=0.0).rename("served"),
            solve_seconds=time.perf_counter() - began, method="exact", table=table,
            assigned=assigned, single_assignment=self.single, covered_after=covered_after,
            cost=float(hub.site_cost[opened].sum()),
            functions={hub.site_ids[j]: [hub.functions[f] for f in
                                         pair_function[used][pair_site[used] == j]]
                       for j in opened},
        )  # fmt: skip


def overloaded_sites(
    assigned_weight_by_site: pd.Series, capacity_by_site: pd.Series
) -> pd.DataFrame:
    """Sites whose assigned demand exceeds their capacity (an uncapacitated plan's blind spot).

    Returns site, load, capacity, over (persons beyond capacity), utilisation; most over first.
    """
    load = assigned_weight_by_site.astype(float)
    capacity = capacity_by_site.reindex(load.index).astype(float)
    table = pd.DataFrame({"site": load.index, "load": load.to_numpy(),
                          "capacity": capacity.to_numpy()})  # fmt: skip
    table["over"] = table["load"] - table["capacity"]
    table["utilisation"] = np.divide(table["load"], table["capacity"],
                                     out=np.full(len(table), np.inf), where=table["capacity"] > 0)  # fmt: skip
    over = table[table["over"] > 1e-9]
    return over.sort_values("over", ascending=False, kind="stable").reset_index(drop=True)


def _m2_per_person(area: Area, code: str) -> float:
    """Floor area per person of the category's target group its 千人指标 norm asks (nan: none).

    The area-wide requirement over the area-wide target group, so a per-household norm becomes
    a per-person one.
    """
    standard, compounds = area.standard, area.compounds
    norm, category = standard.norms.get(code), standard.categories[code]
    if norm is None or norm.quantity != "floor_area_m2":
        return np.nan
    column = "households" if norm.basis == "households" else standard.groups[norm.basis].column
    basis = pd.to_numeric(compounds.get(column), errors="coerce").sum()
    target = pd.to_numeric(compounds.get(standard.groups[category.group].column), errors="coerce")
    target = target.sum()
    return norm.required(basis) / target if target > 0 and basis > 0 else np.nan


def function_capacity(
    area: Area, site_ids, codes, function_area: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Persons each function can serve at each site (sites × functions), and warnings.

    From the candidates column `capacity_<code>` where it holds a number; otherwise the function's
    floor area over the m² per person its 千人指标 norm asks; otherwise unlimited, named in the
    warnings.
    """
    candidates = area.candidates.set_index("id").reindex(list(site_ids))
    capacity = np.full((len(candidates), len(codes)), np.inf)
    warnings = []
    for f, code in enumerate(codes):
        per_person = _m2_per_person(area, code)
        if np.isfinite(per_person):
            capacity[:, f] = np.asarray(function_area, dtype=np.float64)[f] / per_person
        column = f"capacity_{code}"
        if column in candidates.columns:
            given = pd.to_numeric(candidates[column], errors="coerce").to_numpy(np.float64)
            capacity[np.isfinite(given), f] = given[np.isfinite(given)]
        if np.isinf(capacity[:, f]).any():
            category = area.standard.categories[code]
            warnings.append(
                f"{category.name_zh}：无千人指标也无 {column} 列，容量按不限计 "
                f"{category.name_en}: no norm and no {column} column; capacity taken as unlimited"
            )
    return capacity, warnings


def hub_capacity(area: Area, model: HubModel) -> tuple[np.ndarray, list[str]]:
    """`function_capacity` for the sites and functions of a hub model."""
    return function_capacity(area, model.site_ids, model.functions, model.function_area)


def hub_overload(area: Area, plan: PlanResult) -> pd.DataFrame:
    """Functions an uncapacitated hub plan places where more people rely on them than they hold.

    The load of a function at a site is the target group it newly covers in the plan (the
    `new_population` of the plan table); its capacity is `function_capacity` of its floor area.
    Returns site, function, load, capacity, over, utilisation; most over first.
    """
    columns = ["site", "function", "load", "capacity", "over", "utilisation"]
    table = plan.table
    if table.empty or "function" not in table.columns:
        return pd.DataFrame(columns=columns)
    cap = np.array([
        function_capacity(area, [site], [code], [area_m2])[0][0, 0]
        for site, code, area_m2 in zip(table["site"], table["function"], table["floor_area_m2"],
                                       strict=True)
    ])  # fmt: skip
    load = table["new_population"].to_numpy(np.float64)
    out = pd.DataFrame({"site": table["site"], "function": table["function"], "load": load,
                        "capacity": cap, "over": load - cap,
                        "utilisation": np.divide(load, cap, out=np.full(load.size, np.inf),
                                                 where=cap > 0)})  # fmt: skip
    out = out[out["over"] > 1e-9]
    return out.sort_values("over", ascending=False, kind="stable").reset_index(drop=True)[columns]
