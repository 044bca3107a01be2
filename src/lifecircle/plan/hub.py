"""The multi-function hub model (生活盒子 / 睦邻驿站), closure analysis and merge analysis.

Choose which candidate sites to open and which functions to put in each: every function needs
floor area, every site has a floor area and a cost, the total cost stays within a budget, and
the NEW coverage is maximised (a compound already covered by an existing facility for a function
gains nothing from it). Each compound counts with the head count of the function's target group
(60+ for day care and canteens, 0–6 for nurseries …), times an optional priority (residents'
surveys); the "normalised" objective divides each function's gain by the size of its target
group, so a 20% gain for the elderly counts as much as a 20% gain for everyone. Options: a
coverage target per function, a coverage floor for every compound (balance), at most k
functions per site, the national embedded-service rule.
"""

import time
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
from scipy import sparse

from lifecircle.plan.coverage import Coverage
from lifecircle.plan.highs import solve_mip, stack
from lifecircle.plan.hub_lagrange import SitePatterns, lagrangian_bound
from lifecircle.plan.hub_search import improve_hub_plan
from lifecircle.plan.models import LSCP
from lifecircle.plan.result import FEASIBLE, INFEASIBLE, OPTIMAL, PlanInputError, PlanResult


@dataclass
class HubRule:
    """A site of at least `min_area_m2` is a hub: ≥ min_functions, ≥ min_core of `core`."""

    min_area_m2: float
    min_functions: int
    core: tuple[str, ...]
    min_core: int

    @classmethod
    def from_standard(cls, rule: dict) -> "HubRule":
        return cls(
            float(rule["min_area_m2"]),
            int(rule["min_functions"]),
            tuple(rule["core_functions"]),
            int(rule["min_core_functions"]),
        )


OBJECTIVES = ("normalised", "heads")


@dataclass(frozen=True)
class TargetCheck:
    """A coverage target of one function after the plan, and how far it could go at all.

    Shares are of the function's target group (e.g. residents aged 60+ for day care).
    `reachable_share` is the share covered if every open-able candidate within the threshold
    (allowed to host the function, large enough, within the budget) hosted it;
    `unreachable_compounds` lists the compounds of the target group no such candidate reaches
    and no existing facility covers. `share_after` is NaN when there is no plan.
    """

    category: str
    name: str
    target_share: float
    group_population: float
    share_before: float
    share_after: float
    reachable_share: float
    unreachable_compounds: tuple
    met: bool


@dataclass
class HubPlanResult(PlanResult):
    """A hub plan with the check of every coverage target (`targets`, in the order given)."""

    targets: tuple[TargetCheck, ...] = ()


@dataclass
class HubModel:
    """Arrays of one hub instance (n compounds, m candidate sites, F functions).

    reach[f] is a sparse n × m boolean matrix: site j lies within function f's walking
    threshold of compound i. weight[i, f] is compound i's head count of f's target group;
    covered_before[i, f] says an existing facility already covers it. `targets` maps a
    function code to the least share of its target group covered after the plan; `weights`
    (columns category, weight, optional compound_id) multiplies the value of covering a
    compound with a function; `objective` is "normalised" (each function's gain divided by its
    target group's size) or "heads" (head counts). See `objective_weight`.

    Examples
    --------
    One 200 m² room for a canteen (150 m², serves 100 of 400 elderly) or a nursery (200 m², serves
    10 of 20 infants): normalised, the nursery's 50 points beat the canteen's 25; a target of 90%
    for the canteen turns the plan round.

    >>> room = dict(compound_ids=np.array(["c0", "c1"]), functions=("canteen", "nursery"),
    ...     function_area=np.array([150.0, 200.0]), weight=np.array([[100.0, 10], [300, 10]]),
    ...     covered_before=np.array([[False, False], [True, True]]), site_ids=np.array(["r"]),
    ...     site_area=np.array([200.0]), site_cost=np.array([1.0]),
    ...     reach=[sparse.csr_matrix([[True], [False]])] * 2)
    >>> HubModel(**room).solve().table["function"].tolist()
    ['nursery']
    >>> HubModel(**room, objective="heads").solve().table["function"].tolist()
    ['canteen']
    >>> check = HubModel(**room, targets={"canteen": 0.9}).solve().targets[0]
    >>> check.met, check.share_before, check.share_after
    (True, 0.75, 1.0)
    """

    compound_ids: np.ndarray
    functions: tuple[str, ...]
    function_area: np.ndarray
    weight: np.ndarray
    covered_before: np.ndarray
    site_ids: np.ndarray
    site_area: np.ndarray
    site_cost: np.ndarray
    reach: list[sparse.csr_matrix]
    allowed: np.ndarray | None = None
    budget: float | None = None
    max_functions_per_site: int | None = None
    min_compound_coverage: float | None = None
    hub_rule: HubRule | None = None
    function_names: dict[str, str] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)
    weights: pd.DataFrame | None = None
    objective: str = "normalised"
    priority: np.ndarray = field(init=False, repr=False)
    """n × F priorities read from `weights` (1 where unset)."""

    def __post_init__(self) -> None:
        n, m, nf = len(self.compound_ids), len(self.site_ids), len(self.functions)
        if self.weight.shape != (n, nf) or self.covered_before.shape != (n, nf):
            raise PlanInputError("weight / covered_before 须为 compounds × functions 矩阵")
        if len(self.reach) != nf or any(r.shape != (n, m) for r in self.reach):
            raise PlanInputError("reach 须为每个功能一个 compounds × sites 矩阵")
        if self.allowed is None:
            self.allowed = np.ones((m, nf), dtype=bool)
        if self.min_compound_coverage is not None and not 0 <= self.min_compound_coverage <= 1:
            raise PlanInputError(
                f"覆盖下限须在 0..1 之间 min_compound_coverage must be in 0..1, "
                f"got {self.min_compound_coverage}"
            )
        if self.max_functions_per_site is not None and self.max_functions_per_site < 1:
            raise PlanInputError("max_functions_per_site 须 ≥ 1 must be ≥ 1")
        if self.objective not in OBJECTIVES:
            raise PlanInputError(
                f"未知目标函数 unknown objective {self.objective!r}; 可选 choose from "
                f"{', '.join(OBJECTIVES)}"
            )
        self.targets = {
            self._function_code(k, "targets"): v for k, v in (self.targets or {}).items()
        }
        for code, share in self.targets.items():
            if not 0 <= share <= 1:
                raise PlanInputError(
                    f"覆盖目标须在 0..1 之间 target share must be in 0..1: {code}={share}"
                )
        self.priority = self._priority_matrix()

    @property
    def objective_weight(self) -> np.ndarray:
        """n × F value of newly covering compound i with function f (what the plan maximises).

        heads: p[i, f] · w[i, f]; normalised: 100 · p[i, f] · w[i, f] / Σ_i w[i, f], so the
        objective is the sum over functions of the (priority-weighted) coverage gain in
        percentage points of each target group. p is the priority from `weights` (1 if unset).
        """
        value = self.priority * self.weight
        if self.objective == "heads":
            return value
        group = self.weight.sum(axis=0)
        return np.divide(100.0 * value, group, out=np.zeros_like(value), where=group > 0)

    def _function_code(self, key: str, source: str, row: int | None = None) -> str:
        """The function code for a code or its Chinese name; an error naming the choices."""
        if key in self.functions:
            return key
        by_name = {name: code for code, name in self.function_names.items()}
        if key in by_name and by_name[key] in self.functions:
            return by_name[key]
        where = f"第 {row + 2} 行 row {row + 2}, 字段 field 'category': " if row is not None else ""
        raise PlanInputError(
            f"{source}: {where}{key!r} 不是驿站功能 is not a hub function; 可选 choose from "
            f"{', '.join(self._label(f) for f in range(len(self.functions)))}"
        )

    def _priority_matrix(self) -> np.ndarray:
        """n × F priorities from `weights`: 1 by default; a category row sets the category, a
        row with compound_id sets one compound (and wins over the category row)."""
        n, nf = len(self.compound_ids), len(self.functions)
        priority = np.ones((n, nf))
        table = self.weights
        if table is None or len(table) == 0:
            return priority
        for column in ("category", "weight"):
            if column not in table.columns:
                raise PlanInputError(
                    f"weights: 缺少列 missing column {column!r} (需要 needs category, weight"
                    f"[, compound_id])"
                )
        value = pd.to_numeric(table["weight"], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(value) | (value < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise PlanInputError(
                f"weights: 第 {row + 2} 行 row {row + 2}, 字段 field 'weight': 须为非负数 must be"
                f" a non-negative number ({table['weight'].iloc[row]!r})"
            )
        codes = [self._function_code(str(c).strip(), "weights", r)
                 for r, c in enumerate(table["category"])]  # fmt: skip
        function = np.array([self.functions.index(c) for c in codes], dtype=np.int64)
        compound = np.full(len(table), -1, dtype=np.int64)
        if "compound_id" in table.columns:
            given = (
                table["compound_id"].notna().to_numpy()
                & (table["compound_id"].astype(str).str.strip() != "").to_numpy()
            )
            index = pd.Index(self.compound_ids.astype(str))
            keys = table["compound_id"].astype(str).str.strip().to_numpy()
            compound[given] = index.get_indexer(keys[given])
            unknown = given & (compound < 0)
            if unknown.any():
                row = int(np.flatnonzero(unknown)[0])
                raise PlanInputError(
                    f"weights: 第 {row + 2} 行 row {row + 2}, 字段 field 'compound_id': 未知小区"
                    f" unknown compound {keys[row]!r}"
                )
        seen = pd.DataFrame({"f": function, "i": compound}).duplicated()
        if seen.any():
            row = int(np.flatnonzero(seen.to_numpy())[0])
            raise PlanInputError(
                f"weights: 第 {row + 2} 行 row {row + 2}: 重复 duplicate weight for {codes[row]}"
            )
        for everyone in (True, False):  # category rows first, compound rows override them
            for r in np.flatnonzero((compound < 0) == everyone):
                if everyone:
                    priority[:, function[r]] = value[r]
                else:
                    priority[compound[r], function[r]] = value[r]
        return priority

    # ---- structure -------------------------------------------------------------------------

    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(site, function) pairs that may be placed: allowed and fitting the site's floor."""
        fits = self.allowed & (self.function_area[None, :] <= self.site_area[:, None] + 1e-9)
        return np.nonzero(fits)

    def _rule_sites(self) -> np.ndarray:
        if self.hub_rule is None:
            return np.zeros(len(self.site_ids), dtype=bool)
        return self.site_area >= self.hub_rule.min_area_m2

    def _need(self) -> np.ndarray:
        """Functions each compound must newly gain to reach the floor (0 without a floor)."""
        if self.min_compound_coverage is None:
            return np.zeros(len(self.compound_ids), dtype=np.int64)
        total = len(self.functions)
        target = np.ceil(self.min_compound_coverage * total - 1e-9).astype(np.int64)
        return np.maximum(target - self.covered_before.sum(axis=1), 0)

    def _demand_rows(self, pair_site, pair_function):
        """Merged coverage rows over (site, function) pair columns.

        Returns (rows: k × pairs CSR, weight per row, row of each (compound, function) or -1).
        """
        n, nf = self.weight.shape
        pair_col = np.full((len(self.site_ids), nf), -1, dtype=np.int64)
        pair_col[pair_site, pair_function] = np.arange(pair_site.size)
        blocks, weights, row_of = [], [], np.full((n, nf), -1, dtype=np.int64)
        offset = 0
        for f in range(nf):
            cols = pair_col[:, f]
            usable = cols >= 0
            reach = sparse.csr_matrix(self.reach[f][:, usable])
            open_rows = ~self.covered_before[:, f] & (np.diff(reach.indptr) > 0)
            if not open_rows.any():
                continue
            sub = reach[open_rows]
            merged = Coverage(sub, self.weight[open_rows, f], None, None).merged()
            remap = sparse.csr_matrix(
                (np.ones(np.flatnonzero(usable).size), (np.arange(usable.sum()), cols[usable])),
                shape=(usable.sum(), len(pair_site)),
            )
            blocks.append(sparse.csr_matrix(merged.matrix, dtype=np.float64) @ remap)
            weights.append(merged.weights)
            row_of[np.flatnonzero(open_rows), f] = offset + merged.group
            offset += merged.matrix.shape[0]
        if not blocks:
            return sparse.csr_matrix((0, len(pair_site))), np.zeros(0), row_of
        return sparse.vstack(blocks, format="csr"), np.concatenate(weights), row_of

    # ---- explanations ----------------------------------------------------------------------

    def _unreachable_floor(self, pair_site, pair_function) -> str:
        """Words for compounds whose floor no choice of sites can meet ('' if none)."""
        need = self._need()
        if not need.any():
            return ""
        reachable = self._reachable(pair_site, pair_function)
        gain = (reachable & ~self.covered_before).sum(axis=1)
        short = np.flatnonzero(gain < need)
        if short.size == 0:
            return ""
        i = short[0]
        missing = [
            self._label(f)
            for f in range(len(self.functions))
            if not self.covered_before[i, f] and not reachable[i, f]
        ]
        others = (
            f"（另有 {short.size - 1} 个小区 and {short.size - 1} more）" if short.size > 1 else ""
        )
        return (
            f"覆盖下限不可满足：小区 {self.compound_ids[i]} 需新增 {need[i]} 项功能，但步行范围内的"
            f"候选点最多只能提供 {gain[i]} 项；无候选点可达的功能：{'、'.join(missing)}{others}。"
            f" Coverage floor infeasible: compound {self.compound_ids[i]} needs {need[i]} more"
            f" functions but candidate sites within walking reach can add at most {gain[i]};"
            f" functions no candidate can reach: {', '.join(missing)}."
        )

    def _reachable(self, pair_site, pair_function, within_budget: bool = False) -> np.ndarray:
        """n × F: some placeable (site, function) pair (affordable alone) reaches compound i."""
        placeable = np.zeros((len(self.site_ids), len(self.functions)), dtype=bool)
        placeable[pair_site, pair_function] = True
        if within_budget and self.budget is not None:
            placeable &= (self.site_cost <= self.budget + 1e-9)[:, None]
        reachable = np.zeros_like(self.covered_before)
        for f in range(len(self.functions)):
            reachable[:, f] = (self.reach[f] @ placeable[:, f].astype(np.int8)) > 0
        return reachable

    def _target_heads(self, f: int) -> tuple[float, float]:
        """(target-group size, head count the target asks to be covered) of function f."""
        group = float(self.weight[:, f].sum())
        return group, self.targets[self.functions[f]] * group

    def _target_deficit(self, covered: np.ndarray) -> np.ndarray:
        """Per function: heads still missing to meet its target (0 without a target)."""
        deficit = np.zeros(len(self.functions))
        for code in self.targets:
            f = self.functions.index(code)
            _, wanted = self._target_heads(f)
            deficit[f] = max(wanted - float(self.weight[covered[:, f], f].sum()), 0.0)
        return np.where(deficit > 1e-9 * max(1.0, self.weight.sum()), deficit, 0.0)

    def check_targets(self, covered_after: np.ndarray | None) -> tuple[TargetCheck, ...]:
        """Each target against the coverage after a plan (None: no plan), with what is reachable."""
        pair_site, pair_function = self._pairs()
        reachable = self._reachable(pair_site, pair_function, within_budget=True)
        checks = []
        for code, share in self.targets.items():
            f = self.functions.index(code)
            group, _ = self._target_heads(f)
            heads, before = self.weight[:, f], self.covered_before[:, f]
            lost = (heads > 0) & ~before & ~reachable[:, f]

            def share_of(mask, group=group, heads=heads):
                return float(heads[mask].sum()) / group if group > 0 else np.nan

            after = np.nan if covered_after is None else share_of(covered_after[:, f])
            checks.append(TargetCheck(
                category=code, name=self.function_names.get(code, ""), target_share=share,
                group_population=group, share_before=share_of(before), share_after=after,
                reachable_share=share_of(~lost & (heads > 0)),
                unreachable_compounds=tuple(self.compound_ids[lost].tolist()),
                met=group == 0 or (covered_after is not None
                                   and float(heads[covered_after[:, f]].sum()) >= share * group
                                   - 1e-9 * max(1.0, group)),
            ))  # fmt: skip
        return tuple(checks)

    def _unreachable_targets(self) -> str:
        """Words for targets no choice of sites can meet ('' if none)."""
        words = []
        for check in self.check_targets(None):
            if check.group_population == 0 or check.reachable_share >= check.target_share - 1e-9:
                continue
            f = self.functions.index(check.category)
            shown = "、".join(str(c) for c in check.unreachable_compounds[:10])
            more = len(check.unreachable_compounds) - 10
            shown += f"（另有 {more} 个 and {more} more）" if more > 0 else ""
            words.append(
                f"覆盖目标不可达：{self._label(f)} 目标 {check.target_share:.1%}，但即使每个可开的"
                f"候选点都设此功能，最多覆盖目标人群的 {check.reachable_share:.1%}；步行范围内没有"
                f"可开候选点的小区：{shown}。 Target out of reach: {self._label(f)} asks for"
                f" {check.target_share:.1%} of its target group, but even with this function at"
                f" every open-able candidate at most {check.reachable_share:.1%} is reachable;"
                f" compounds with no open-able candidate within walking reach: {shown}."
            )
        return " ".join(words)

    def _label(self, f: int) -> str:
        code = self.functions[f]
        name = self.function_names.get(code)
        return f"{name} {code}" if name else code

    # ---- greedy ----------------------------------------------------------------------------

    def greedy(self) -> tuple[np.ndarray, np.ndarray]:
        """Open sites by value per unit cost, filling each with its best functions.

        While a coverage target is unmet, progress towards the targets comes first (the share
        of each missing head count a site closes, per unit cost), the objective second.
        Returns (open mask over sites, placed mask sites × functions).
        """
        m, nf = len(self.site_ids), len(self.functions)
        covered = self.covered_before.copy()
        placed = np.zeros((m, nf), dtype=bool)
        opened = np.zeros(m, dtype=bool)
        spent = 0.0
        fits = self.allowed & (self.function_area[None, :] <= self.site_area[:, None])
        rule_sites = self._rule_sites()
        reach_t = [r.T.tocsr().astype(np.float64) for r in self.reach]
        value = self.objective_weight

        def per_site(matrix):
            return np.column_stack(
                [reach_t[f] @ (matrix[:, f] * ~covered[:, f]) for f in range(nf)]
            )

        while True:
            gains = per_site(value)
            deficit = self._target_deficit(covered)
            progress = np.zeros_like(gains)
            if deficit.any():
                short = deficit > 0
                progress[:, short] = np.minimum(per_site(self.weight)[:, short], deficit[short])
                progress[:, short] /= deficit[short]
            best, best_score, best_set = -1, (0.0, 0.0), None
            budget_left = np.inf if self.budget is None else self.budget - spent
            for j in np.flatnonzero(~opened & (self.site_cost <= budget_left + 1e-9)):
                chosen = self._fill(j, gains[j], progress[j], fits[j], rule_sites[j])
                if chosen is None:
                    continue
                cost = max(self.site_cost[j], 1e-9)
                score = (progress[j, chosen].sum() / cost, gains[j, chosen].sum() / cost)
                if max(score) > 0 and score > best_score:
                    best, best_score, best_set = j, score, chosen
            if best < 0:
                break
            opened[best] = True
            placed[best, best_set] = True
            spent += self.site_cost[best]
            for f in best_set:
                covered[:, f] |= self.reach[f][:, best].toarray().ravel()
        return opened, placed

    def _fill(
        self, j: int, gain: np.ndarray, progress: np.ndarray, fits: np.ndarray, is_hub: bool
    ) -> list | None:
        """Functions for site j: core first when it is a hub, then by target progress per m²,
        then by gain per m²."""
        limit = self.max_functions_per_site or len(self.functions)
        area_left, chosen = self.site_area[j], []
        per_m2 = np.maximum(self.function_area, 1e-9)
        order = list(np.lexsort((-gain / per_m2, -progress / per_m2)))
        if is_hub:
            core = [f for f in order if self.functions[f] in self.hub_rule.core and fits[f]]
            first = core[: self.hub_rule.min_core]
            order = first + [f for f in order if f not in first]
        for f in order:
            if len(chosen) >= limit or not fits[f] or self.function_area[f] > area_left + 1e-9:
                continue
            useful = gain[f] > 0 or progress[f] > 0
            if not useful and not (is_hub and len(chosen) < self.hub_rule.min_functions):
                continue
            chosen.append(int(f))
            area_left -= self.function_area[f]
        if is_hub:
            n_core = sum(self.functions[f] in self.hub_rule.core for f in chosen)
            if len(chosen) < self.hub_rule.min_functions or n_core < self.hub_rule.min_core:
                return None
        return chosen

    # ---- exact -----------------------------------------------------------------------------

    def solve(self, time_limit: float = 60.0, method: str = "auto") -> "HubPlanResult":
        """Maximise new (weighted) coverage within `time_limit` seconds.

        The exact method: greedy and local search give a first plan; the LP relaxation gives a
        bound, and a sub-MIP over the sites and pairs the LP uses (with the plan's own) a better
        plan; a Lagrangian bound (each site's function sets enumerated) tightens the LP's; then
        HiGHS solves the whole model warm-started from the best plan, and the reported bound is
        the least of the three. method "heuristic" returns the greedy plan improved by local
        search, with the LP bound, unless that plan misses a coverage target or floor: then the
        exact method runs instead.
        """
        began = time.perf_counter()
        deadline = began + time_limit
        m, nf = len(self.site_ids), len(self.functions)
        pair_site, pair_function = self._pairs()
        words = " ".join(
            w for w in (self._unreachable_floor(pair_site, pair_function),
                        self._unreachable_targets()) if w
        )  # fmt: skip
        if words:
            return self._infeasible(words, began)
        if pair_site.size == 0:  # no site can host any function: the empty plan is the only one
            nothing = np.zeros(m, dtype=bool)
            return self._report(nothing, np.zeros((m, nf), bool), 0.0, OPTIMAL, began, "exact")
        patterns = SitePatterns.from_model(self)
        opened, placed = improve_hub_plan(self, *self.greedy(), time_limit=0.1 * time_limit,
                                          patterns=patterns)  # fmt: skip
        rows, w, row_of = self._demand_rows(pair_site, pair_function)
        model = self._matrix(pair_site, pair_function, rows, row_of)
        cost, a, lower, upper, integer = model
        greedy_ok = self._meets_constraints(placed)
        lp = solve_mip(cost, a, lower, upper, np.zeros(cost.size), np.ones(cost.size), integer,
                       maximize=True, time_limit=max(deadline - time.perf_counter(), 0.1) / 2,
                       relax=True)  # fmt: skip
        bound = lp.objective if lp.x is not None else np.inf
        if method == "heuristic" and greedy_ok:  # the greedy, with the LP relaxation as its bound
            return self._report(opened, placed, bound, FEASIBLE, began, "heuristic")
        start = self._columns(opened, placed, pair_site, pair_function, rows) if greedy_ok else None
        neighbourhood_solved = True
        if start is not None and lp.x is not None and bound > cost @ start:
            opened, placed, start, neighbourhood_solved = self._lp_neighbourhood(
                model, lp.x, start, pair_site, pair_function, rows, patterns,
                began + 0.75 * time_limit,
            )  # fmt: skip
            plain = not self.targets and self._need().sum() == 0
            if plain and patterns is not None and lp.row_duals is not None:
                k = rows.shape[0]
                multipliers = np.abs(lp.row_duals[:k])  # the coverage rows come first
                bound = min(bound, lagrangian_bound(
                    rows, cost[-k:], pair_site, pair_function, patterns, self.site_cost,
                    self.budget, multipliers, float(cost @ start), 0.2 * time_limit,
                ))  # fmt: skip
        if not neighbourhood_solved:
            # HiGHS could not finish the LP's neighbourhood: it cannot finish the whole model in
            # what is left either (the neighbourhood had the time instead)
            return self._report(opened, placed, bound, FEASIBLE, began, "exact")
        col_upper = np.ones(cost.size)
        if start is not None:
            col_upper = self._fix_by_reduced_cost(lp, cost, start, integer)
        out = solve_mip(cost, a, lower, upper, np.zeros(cost.size), col_upper, integer,
                        maximize=True, time_limit=max(deadline - time.perf_counter(), 0.1),
                        start=start, rel_gap=1e-4, heuristic_effort=0.5)  # fmt: skip
        if out.x is None and out.status != INFEASIBLE:
            return self._infeasible(
                f"时限 {time_limit:g} 秒内未找到方案 no plan found within {time_limit:g} s", began
            )
        if out.x is None:
            return self._infeasible(self._explain_budget(model, time_limit), began)
        opened, placed = self._plan_of(out.x, pair_site, pair_function)
        status = out.status
        if status != OPTIMAL:
            bound = min(bound, out.bound)
        return self._report(opened, placed, bound, status, began, "exact")

    def _columns(self, opened, placed, pair_site, pair_function, rows) -> np.ndarray:
        """The model's column values [y | x | u] of a plan."""
        x = placed[pair_site, pair_function].astype(float)
        return np.concatenate([opened.astype(float), x, np.minimum(1.0, rows @ x)])

    def _plan_of(self, columns, pair_site, pair_function) -> tuple[np.ndarray, np.ndarray]:
        """(open mask over sites, placed mask sites × functions) of model column values."""
        m = len(self.site_ids)
        placed = np.zeros((m, len(self.functions)), dtype=bool)
        placed[pair_site, pair_function] = columns[m : m + pair_site.size] > 0.5
        return columns[:m] > 0.5, placed

    def _lp_neighbourhood(self, model, lp_x, start, pair_site, pair_function, rows, patterns,
                          deadline):  # fmt: skip
        """A better plan from the sub-MIP over the sites and pairs the LP uses or `start` has.

        The LP's support holds most of a good plan; restricted to it (and to the plan's own
        columns, so the plan stays feasible), the MIP is small and HiGHS finds far better plans
        than on the whole model. Local search then polishes the result.
        A site is used when the LP opens it more than 0.2, a pair when more than 0.01.
        Returns (opened, placed, columns) of the best plan found, and whether HiGHS solved the
        sub-MIP to the end.
        """
        cost, a, lower, upper, integer = model
        m, n_pairs = len(self.site_ids), pair_site.size
        used_site = (lp_x[:m] > 0.2) | (start[:m] > 0.5)
        used_pair = used_site[pair_site] & ((lp_x[m : m + n_pairs] > 0.01)
                                            | (start[m : m + n_pairs] > 0.5))  # fmt: skip
        col_upper = np.ones(cost.size)
        col_upper[:m] = used_site
        col_upper[m : m + n_pairs] = used_pair
        sub = solve_mip(cost, a, lower, upper, np.zeros(cost.size), col_upper, integer,
                        maximize=True, time_limit=max(deadline - time.perf_counter(), 0.1),
                        start=start, rel_gap=1e-4)  # fmt: skip
        better = sub.x is not None and cost @ sub.x > cost @ start
        opened, placed = self._plan_of(sub.x if better else start, pair_site, pair_function)
        opened, placed = improve_hub_plan(self, opened, placed, time_limit=2.0, patterns=patterns)
        columns = self._columns(opened, placed, pair_site, pair_function, rows)
        return opened, placed, columns, sub.status == OPTIMAL

    @staticmethod
    def _fix_by_reduced_cost(lp, cost: np.ndarray, start: np.ndarray, integer) -> np.ndarray:
        """Column upper bounds: 0 for columns whose LP reduced cost sinks the LP bound below the
        incumbent `start` (they are in no better plan), 1 otherwise."""
        upper_bounds = np.ones(cost.size)
        if lp.x is None or lp.reduced_costs is None:
            return upper_bounds
        incumbent = float(cost @ start)
        integral = np.all(cost == np.round(cost))
        threshold = incumbent + (1.0 - 1e-6 if integral else 1e-9 * max(1.0, incumbent))
        fixed = (lp.x < 1e-9) & (lp.objective - np.abs(lp.reduced_costs) < threshold) & integer
        fixed &= start < 0.5  # the incumbent stays feasible
        upper_bounds[fixed] = 0.0
        return upper_bounds

    def _matrix(self, pair_site, pair_function, rows, row_of):
        """Columns [y (m) | x (pairs) | u (k)]; returns cost, rows, lower, upper, integer."""
        m, n_pairs, k = len(self.site_ids), pair_site.size, rows.shape[0]
        n_col = m + n_pairs + k
        q = np.arange(n_pairs)

        def block(r, c, v, n_rows):
            return sparse.csr_matrix((v, (r, c)), shape=(n_rows, n_col))

        blocks, lower, upper = [], [], []

        def add(matrix, lo, hi):
            blocks.append(matrix)
            lower.append(np.broadcast_to(lo, matrix.shape[0]).astype(float))
            upper.append(np.broadcast_to(hi, matrix.shape[0]).astype(float))

        # u_k ≤ Σ x over the sites reaching row k
        add(sparse.hstack([sparse.csr_matrix((k, m)), -rows, sparse.identity(k)], format="csr"),
            -np.inf, 0.0)  # fmt: skip
        # x_jf ≤ y_j
        add(block(np.r_[q, q], np.r_[m + q, pair_site], np.r_[np.ones(n_pairs), -np.ones(n_pairs)],
                  n_pairs), -np.inf, 0.0)  # fmt: skip
        # floor area: Σ a_f x_jf ≤ A_j y_j
        sites = np.arange(m)
        add(block(np.r_[pair_site, sites], np.r_[m + q, sites],
                  np.r_[self.function_area[pair_function], -self.site_area], m), -np.inf, 0.0)  # fmt: skip
        if self.max_functions_per_site is not None:
            add(block(np.r_[pair_site, sites], np.r_[m + q, sites],
                      np.r_[np.ones(n_pairs), -np.full(m, float(self.max_functions_per_site))], m),
                -np.inf, 0.0)  # fmt: skip
        if self.budget is not None:
            add(block(np.zeros(m), sites, self.site_cost, 1), -np.inf, self.budget)
        hubs = np.flatnonzero(self._rule_sites())
        if hubs.size:
            rule = self.hub_rule
            core = np.array([self.functions[f] in rule.core for f in pair_function])
            at_hub = np.isin(pair_site, hubs)
            hub_row = np.searchsorted(hubs, pair_site)
            for mask, need in ((at_hub, rule.min_functions), (at_hub & core, rule.min_core)):
                add(block(np.r_[hub_row[mask], np.arange(hubs.size)], np.r_[m + q[mask], hubs],
                          np.r_[np.ones(mask.sum()), -np.full(hubs.size, float(need))], hubs.size),
                    0.0, np.inf)  # fmt: skip
        need = self._need()
        if need.any():
            comp = np.flatnonzero(need > 0)
            r, f = np.nonzero(row_of[comp] >= 0)
            add(block(r, m + n_pairs + row_of[comp][r, f], np.ones(r.size), comp.size),
                need[comp], np.inf)  # fmt: skip
        # coverage targets: Σ heads of newly covered rows of f ≥ target heads − heads before
        heads = self._row_weights(rows, row_of, self.weight)
        row_function = np.full(k, -1, dtype=np.int64)
        i, f = np.nonzero(row_of >= 0)
        row_function[row_of[i, f]] = f
        for code in self.targets:
            f = self.functions.index(code)
            group, wanted = self._target_heads(f)
            missing = wanted - float(self.weight[self.covered_before[:, f], f].sum())
            if missing > 1e-9 * max(1.0, group):
                ks = np.flatnonzero(row_function == f)
                add(block(np.zeros(ks.size), m + n_pairs + ks, heads[ks], 1),
                    missing - 1e-9 * max(1.0, group), np.inf)  # fmt: skip
        value = self._row_weights(rows, row_of, self.objective_weight)
        cost = np.concatenate([np.zeros(m + n_pairs), value])
        integer = np.concatenate([np.ones(m + n_pairs, bool), np.zeros(k, bool)])
        return cost, stack(blocks, n_col), np.concatenate(lower), np.concatenate(upper), integer

    @staticmethod
    def _row_weights(rows, row_of, per_compound: np.ndarray) -> np.ndarray:
        """Sum of `per_compound[i, f]` over the (compound, function) pairs merged into each row."""
        weights = np.zeros(rows.shape[0])
        i, f = np.nonzero(row_of >= 0)
        np.add.at(weights, row_of[i, f], per_compound[i, f])
        return weights

    def _meets_constraints(self, placed: np.ndarray) -> bool:
        """The plan meets every compound's floor and every coverage target."""
        after = self._covered_after(placed)
        floor = np.all(after.sum(axis=1) - self.covered_before.sum(axis=1) >= self._need())
        return bool(floor and not self._target_deficit(after).any())

    def _covered_after(self, placed: np.ndarray) -> np.ndarray:
        after = self.covered_before.copy()
        for f in range(len(self.functions)):
            after[:, f] |= (self.reach[f] @ placed[:, f].astype(np.int8)) > 0
        return after

    def _explain_budget(self, model, time_limit: float) -> str:
        """Why no plan exists: the budget (with the cheapest cost that meets the floor and the
        targets) or the other constraints."""
        cost, a, lower, upper, integer = model
        m = len(self.site_ids)
        if self.budget is not None:
            keep = np.ones(a.shape[0], dtype=bool)
            keep[_budget_row(a, m, self.site_cost, upper, self.budget)] = False
            spend = np.concatenate([self.site_cost, np.zeros(cost.size - m)])
            cheapest = solve_mip(spend, a[keep], lower[keep], upper[keep], np.zeros(cost.size),
                                 np.ones(cost.size), integer, time_limit=time_limit,
                                 rel_gap=1e-4)  # fmt: skip
            if cheapest.x is not None or np.isfinite(cheapest.bound):
                least = cheapest.objective if cheapest.x is not None else cheapest.bound
                zh, en = self._demands_in_words()
                return (
                    f"预算约束不可满足：预算 {self.budget:g} 低于满足{zh}的最低费用 {least:g}。"
                    f" Budget constraint infeasible: the budget {self.budget:g} is below the"
                    f" cheapest cost {least:g} of meeting {en}."
                )
        zh, en = self._demands_in_words()
        return (
            f"{zh}与面积、每点功能数或嵌入式服务规则冲突，无可行方案。"
            f" {en[0].upper()}{en[1:]} conflict with the floor areas, the functions-per-site limit"
            " or the embedded-service rule: no plan meets them all."
        )

    def _demands_in_words(self) -> tuple[str, str]:
        """The floor and the targets in force, in Chinese and in English."""
        zh, en = [], []
        if self.min_compound_coverage is not None:
            zh.append(f"每个小区覆盖下限（{self.min_compound_coverage:.0%}）")
            en.append(f"every compound's coverage floor ({self.min_compound_coverage:.0%})")
        if self.targets:
            listed = ", ".join(f"{self._label(self.functions.index(c))} ≥ {t:.0%}"
                               for c, t in self.targets.items())  # fmt: skip
            zh.append(f"覆盖目标（{listed}）")
            en.append(f"the coverage targets ({listed})")
        return "及".join(zh), " and ".join(en)

    # ---- reporting -------------------------------------------------------------------------

    def _infeasible(self, words: str, began: float) -> "HubPlanResult":
        return self._with_targets(
            PlanResult("hub", INFEASIBLE, np.nan, np.nan, [], method="exact",
                       solve_seconds=time.perf_counter() - began, explanation=words), None
        )  # fmt: skip

    def _with_targets(self, result: PlanResult, covered_after) -> "HubPlanResult":
        """The result with the check of every coverage target attached."""
        given = {f.name: getattr(result, f.name) for f in fields(PlanResult) if f.init}
        return HubPlanResult(**given, targets=self.check_targets(covered_after))

    def _report(self, opened, placed, bound, status, began, method) -> "HubPlanResult":
        placed = placed & opened[:, None]
        opened = opened & placed.any(axis=1)  # a site with no function is not opened
        after = self._covered_after(placed)
        new = after & ~self.covered_before
        objective = float((self.objective_weight * new).sum())
        if status == OPTIMAL:
            bound = objective
        elif not np.isfinite(bound):
            bound = np.nan
        elif bound <= objective + 1e-9 * max(1.0, objective):
            status, bound = OPTIMAL, objective  # the bound proves the plan optimal
        rows = []
        credited = self.covered_before.copy()
        for j in np.flatnonzero(opened):
            for f in np.flatnonzero(placed[j]):
                reach = self.reach[f][:, j].toarray().ravel().astype(bool)
                gained = reach & ~credited[:, f]
                credited[:, f] |= reach
                rows.append({
                    "site": self.site_ids[j],
                    "function": self.functions[f],
                    "function_name": self.function_names.get(self.functions[f], ""),
                    "floor_area_m2": float(self.function_area[f]),
                    "site_floor_area_m2": float(self.site_area[j]),
                    "site_cost": float(self.site_cost[j]),
                    "new_population": float(self.weight[gained, f].sum()),
                    "new_compounds": int(gained.sum()),
                })  # fmt: skip
        table = pd.DataFrame(rows, columns=["site", "function", "function_name", "floor_area_m2",
                                            "site_floor_area_m2", "site_cost", "new_population",
                                            "new_compounds"])  # fmt: skip
        gained_count = new.sum(axis=1)
        result = PlanResult(
            "hub", status, objective, bound, [self.site_ids[j] for j in np.flatnonzero(opened)],
            assignment=pd.Series(gained_count, index=pd.Index(self.compound_ids, name="compound"),
                                 name="new_functions"),
            solve_seconds=time.perf_counter() - began, method=method, table=table,
            covered_after=after, cost=float(self.site_cost[opened].sum()),
            functions={self.site_ids[j]: [self.functions[f] for f in np.flatnonzero(placed[j])]
                       for j in np.flatnonzero(opened)},
        )  # fmt: skip
        return self._with_targets(result, after)


def _budget_row(a, m, site_cost, upper, budget) -> int:
    """Index of the budget row (the only row with the budget as its upper bound over y)."""
    candidates = np.flatnonzero(upper == budget)
    for r in candidates[::-1]:
        row = a[r]
        if row.nnz and row.indices.max() < m and np.allclose(row.data, site_cost[row.indices]):
            return int(r)
    return int(candidates[-1])


def closure_analysis(
    facility_ids: np.ndarray, serves: sparse.csr_matrix, weight: np.ndarray, time_limit=30.0
) -> pd.DataFrame:
    """For facilities of one category: what is lost if each closes, and what can close at all.

    serves is compounds × facilities (within the category threshold); weight the target-group
    head count per compound. Columns: facility, population_losing (if it alone closes),
    compounds_losing, can_close (in one maximal set that closes with no compound losing
    coverage: the complement of a minimum covering set of the currently covered compounds).
    """
    serves = sparse.csr_matrix(serves, dtype=bool)
    count = np.asarray(serves.sum(axis=1)).ravel()
    only = serves.multiply((count == 1)[:, None]).tocsc()
    losing_pop = np.asarray(only.T @ weight).ravel()
    losing_n = np.asarray(only.sum(axis=0)).ravel()
    covered = count > 0
    keep = np.zeros(len(facility_ids), dtype=bool)
    if covered.any():
        result = LSCP(Coverage(serves[covered], weight[covered], np.flatnonzero(covered),
                               np.arange(len(facility_ids)))).solve(time_limit=time_limit)  # fmt: skip
        keep[np.asarray(result.sites, dtype=np.int64)] = True
    return pd.DataFrame({"facility": facility_ids, "population_losing": losing_pop,
                         "compounds_losing": losing_n.astype(int), "can_close": ~keep})  # fmt: skip


def merge_analysis(
    facility_ids: np.ndarray,
    facility_function: np.ndarray,
    facility_area: np.ndarray,
    serves: sparse.csr_matrix,
    candidate_ids: np.ndarray,
    candidate_area: np.ndarray,
    candidate_reach: list[sparse.csr_matrix],
    function_area: np.ndarray,
) -> pd.DataFrame:
    """Replace several small sites of one group by one hub at a candidate, keeping coverage.

    facility_function[s] indexes the function (0..F−1) of existing facility s; serves is
    compounds × facilities; candidate_reach[f] compounds × candidates for function f. For each
    candidate, facilities are absorbed smallest first while every compound keeps coverage of
    every function (from the remaining sites or the hub) and the hub's floor holds the functions.
    One row per candidate absorbing ≥ 2 sites, most sites first.
    """
    serves = sparse.csc_matrix(serves, dtype=bool)
    order = np.argsort(np.nan_to_num(facility_area, nan=0.0), kind="stable")
    rows = []
    for j, candidate in enumerate(candidate_ids):
        closed = np.zeros(len(facility_ids), dtype=bool)
        hosted: set[int] = set()
        for s in order:
            f = int(facility_function[s])
            functions = hosted | {f}
            if sum(function_area[g] for g in functions) > candidate_area[j] + 1e-9:
                continue
            trial = closed.copy()
            trial[s] = True
            same = facility_function == f
            before = np.asarray(serves[:, same].sum(axis=1)).ravel() > 0
            remaining = np.asarray(serves[:, same & ~trial].sum(axis=1)).ravel() > 0
            hub = candidate_reach[f][:, j].toarray().ravel().astype(bool)
            if np.all(~before | remaining | hub):
                closed, hosted = trial, functions
        if closed.sum() >= 2:
            rows.append({
                "candidate": candidate,
                "sites_merged": int(closed.sum()),
                "facilities": [facility_ids[s] for s in np.flatnonzero(closed)],
                "functions": sorted(int(f) for f in hosted),
                "floor_area_needed_m2": float(sum(function_area[g] for g in hosted)),
                "candidate_floor_area_m2": float(candidate_area[j]),
            })  # fmt: skip
    table = pd.DataFrame(rows, columns=["candidate", "sites_merged", "facilities", "functions",
                                        "floor_area_needed_m2", "candidate_floor_area_m2"])  # fmt: skip
    return table.sort_values("sites_merged", ascending=False, kind="stable").reset_index(drop=True)
