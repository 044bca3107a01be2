"""Site selection on an Area: walking distances from candidate sites, then a model.

Candidate → compound distances come from bounded Dijkstra searches on the attached walk graph
(through each compound's best gate), never straight lines.
"""

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from lifecircle.access.area import AccessResult, compound_min
from lifecircle.access.coverage import coverage_change, covered_matrix, head_counts
from lifecircle.data.area import Area
from lifecircle.plan.capacitated import CapacitatedHub, hub_capacity
from lifecircle.plan.coverage import CostMatrix
from lifecircle.plan.hub import HubModel, HubRule
from lifecircle.plan.models import LSCP, MCLP, PCenter, PMedian
from lifecircle.plan.result import INFEASIBLE, PlanInputError, PlanResult
from lifecircle.progress import Progress, silent

AREA_MODELS = ("hub", "mclp", "lscp", "pmedian", "pcenter")


def candidate_distances(
    area: Area, access: AccessResult, limit: float, progress: Progress = silent, chunk: int = 64
) -> np.ndarray:
    """Walking distance (m) from every compound (best entry) to every candidate; inf beyond limit."""
    return node_distances(
        area, access, access.attached.candidate_node, limit, progress, chunk,
        "候选点步行距离 candidate distances",
    )  # fmt: skip


def node_distances(
    area: Area,
    access: AccessResult,
    nodes: np.ndarray,
    limit: float,
    progress: Progress = silent,
    chunk: int = 64,
    step: str = "步行距离 distances",
) -> np.ndarray:
    """compounds × nodes walking distances (m) through each compound's best entry; inf beyond
    `limit` and for nodes that are -1 (not attached)."""
    attached = access.attached
    n, m = len(area.compounds), len(nodes)
    out = np.full((n, m), np.inf)
    valid = np.flatnonzero(nodes >= 0)
    matrix = attached.graph.csr_matrix()
    for start in range(0, valid.size, chunk):
        progress(step, start, valid.size)
        block = valid[start : start + chunk]
        dist = csgraph.dijkstra(matrix, directed=True, indices=nodes[block], limit=limit)
        out[:, block] = compound_min(attached, dist.T, n)
    progress(step, valid.size, valid.size)
    return out


def _covered_before(area: Area, access: AccessResult, codes: list[str]) -> np.ndarray:
    return covered_matrix(access.access, area.compounds["id"], codes)


def _allowed(candidates: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """Which hub functions each candidate may host (empty `allowed_functions` = any)."""
    allowed = np.ones((len(candidates), len(codes)), dtype=bool)
    if "allowed_functions" not in candidates.columns:
        return allowed
    for j, value in enumerate(candidates["allowed_functions"].tolist()):
        if isinstance(value, str):
            value = tuple(v.strip() for v in value.replace(";", ",").split(",") if v.strip())
        if isinstance(value, (tuple, list)) and len(value):
            allowed[j] = [code in value for code in codes]
    return allowed


def _usable_candidates(area: Area, access: AccessResult) -> tuple[np.ndarray, list, list[str]]:
    """(mask of candidates on the walk network, ids left out, a warning naming each one)."""
    if len(area.candidates) == 0:
        raise PlanInputError(
            f"{area.name}: 没有候选点，无法选址 the area has no candidate sites to plan with"
        )
    usable = access.attached.candidate_node >= 0
    names = area.candidates["name"].fillna("").astype(str).to_numpy()
    ids = area.candidates["id"].to_numpy()
    left_out = [ids[j] for j in np.flatnonzero(~usable)]
    warnings = [
        f"候选点 {ids[j]} {names[j]} 未接入步行路网，不参与选址 "
        f"candidate site {ids[j]} {names[j]} is not on the walk network; left out of the plan"
        for j in np.flatnonzero(~usable)
    ]
    if not usable.any():
        raise PlanInputError(
            f"{area.name}: 没有接入路网的候选点，无法选址 no candidate site is on the walk "
            f"network ({len(ids)} left out: {', '.join(map(str, ids[:5]))})"
        )
    return usable, left_out, warnings


def _candidate_numbers(candidates: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(candidates.get(column), errors="coerce")
    if values is None or values.isna().any():
        rows = np.flatnonzero(values.isna()) if values is not None else [0]
        label = candidates["id"].iloc[rows[0]] if len(candidates) else "?"
        raise PlanInputError(
            f"候选点 {label} 缺少 {column} candidate site {label} has no {column} (needed to plan)"
        )
    return values.to_numpy(float)


def priority_weights(
    area: Area, codes: list[str], weights: pd.DataFrame | None
) -> np.ndarray | None:
    """compounds × functions priority from a weights table (category, weight, optional
    compound_id): a per-compound row overrides its category's row; 1 where nothing is given.

    None when `weights` is None.
    """
    if weights is None:
        return None
    out = np.ones((len(area.compounds), len(codes)))
    column_of = {c: f for f, c in enumerate(codes)}
    row_of = {str(c): i for i, c in enumerate(area.compounds["id"])}
    has_compound = "compound_id" in weights.columns
    general = weights[weights["compound_id"].isna()] if has_compound else weights
    for category, weight in zip(general["category"], general["weight"], strict=True):
        if category in column_of:
            out[:, column_of[category]] = float(weight)
    if has_compound:
        specific = weights[weights["compound_id"].notna()]
        for cid, category, weight in zip(
            specific["compound_id"], specific["category"], specific["weight"], strict=True
        ):
            if category in column_of and str(cid) in row_of:
                out[row_of[str(cid)], column_of[category]] = float(weight)
    return out


def plan_hubs(
    area: Area,
    access_result: AccessResult,
    budget: float | None = None,
    max_functions_per_site: int | None = None,
    min_compound_coverage: float | None = None,
    floor_area_m2: dict[str, float] | None = None,
    hub_rule: bool = True,
    time_limit: float = 60.0,
    progress: Progress = silent,
    targets: dict[str, float] | None = None,
    weights: pd.DataFrame | None = None,
    objective: str = "normalised",
    capacitated: bool = False,
    single_assignment: bool = False,
) -> PlanResult:
    """Open candidate sites with hub functions, maximising population-weighted new coverage.

    Functions are the standard's hub functions, each with its threshold, target group and floor
    area (`floor_area_m2` overrides per code); the embedded-service rule is `Standard.hub_rule`.
    Candidates off the walk network are left out and named in the result's warnings.
    `targets` (category → share of its target group), `weights` (category, weight, optional
    compound_id) and `objective` ("normalised" | "heads") go to `HubModel` as given.
    With `capacitated`, each function serves at most its capacity (`hub_capacity`), and the
    demand is assigned split or, with `single_assignment`, whole.
    """
    usable, left_out, warnings = _usable_candidates(area, access_result)
    candidates = area.candidates[usable].reset_index(drop=True)
    standard = area.standard
    functions = [c for c in standard.categories.values() if c.hub_function]
    codes = [c.code for c in functions]
    limit = max(c.threshold_m for c in functions)
    distance = candidate_distances(area, access_result, limit, progress)[:, usable]
    reach = [sparse.csr_matrix(distance <= c.threshold_m) for c in functions]
    areas = dict(floor_area_m2 or {})
    rule = HubRule.from_standard(standard.hub_rule) if hub_rule and standard.hub_rule else None
    model = HubModel(
        compound_ids=area.compounds["id"].to_numpy(),
        functions=tuple(codes),
        function_area=np.array([areas.get(c.code, c.floor_area_m2) for c in functions]),
        weight=np.column_stack([head_counts(area, c.group) for c in functions]),  # fmt: skip
        covered_before=_covered_before(area, access_result, codes),
        site_ids=candidates["id"].to_numpy(),
        site_area=_candidate_numbers(candidates, "floor_area"),
        site_cost=_candidate_numbers(candidates, "cost"),
        reach=reach,
        allowed=_allowed(candidates, codes),
        budget=budget,
        max_functions_per_site=max_functions_per_site,
        min_compound_coverage=min_compound_coverage,
        hub_rule=rule,
        function_names={c.code: c.name_zh for c in functions},
        targets=dict(targets or {}),
        weights=weights,
        objective=objective,
    )
    progress("选址求解 solving the plan", 0, 1)
    if capacitated:
        capacity, _ = hub_capacity(area, model)
        result = CapacitatedHub(model, capacity, single_assignment).solve(time_limit=time_limit)
    else:
        result = model.solve(time_limit=time_limit)
    progress("选址求解 solving the plan", 1, 1)
    result.excluded_sites, result.warnings = left_out, warnings + result.warnings
    if result.status != INFEASIBLE:
        after = result.covered_after
        result.covered_after_by_category = {c: after[:, f] for f, c in enumerate(codes)}
        result.table = _with_site_columns(area, result.table)
    return result


def plan_area_model(
    area: Area,
    access_result: AccessResult,
    model: str,
    p: int | None = None,
    radius: float | None = None,
    category: str = "service_station",
    time_limit: float = 60.0,
    progress: Progress = silent,
) -> PlanResult:
    """LSCP / MCLP / p-median / p-center on the area: compounds weighted by population,
    candidates as sites, walking distances; opened sites host `category`."""
    usable, left_out, warnings = _usable_candidates(area, access_result)
    candidates = area.candidates[usable].reset_index(drop=True)
    standard = area.standard
    code = standard.category(category).code
    radius = standard.threshold_m(code) if radius is None else radius
    limit = max(max(standard.level_distances()) * 3, radius)
    distance = candidate_distances(area, access_result, limit, progress)[:, usable]
    weight = head_counts(area, standard.category(code).group)
    costs = CostMatrix.from_array(
        distance, weight, area.compounds["id"].to_numpy(), candidates["id"].to_numpy()
    )
    needs_p = model in ("mclp", "pmedian", "pcenter")
    if needs_p and p is None:
        raise PlanInputError(f"模型 {model} 需要 --p model {model} needs --p")
    if model == "lscp":
        # only compounds not yet covered need a new site
        before = _covered_before(area, access_result, [code])[:, 0]
        cover = costs.coverage(radius)
        cover.matrix = cover.matrix[~before]
        cover.weights, cover.demand_ids = weight[~before], cover.demand_ids[~before]
        instance = LSCP(cover)
    elif model == "mclp":
        before = _covered_before(area, access_result, [code])[:, 0]
        cover = costs.coverage(radius)
        cover.weights = np.where(before, 0.0, weight)  # maximise NEW coverage
        instance = MCLP(cover, p)
    elif model == "pmedian":
        instance = PMedian(costs, p)
    elif model == "pcenter":
        instance = PCenter(costs, p)
    else:
        raise PlanInputError(f"未知模型 unknown model {model!r}; 可选 choose from {AREA_MODELS}")
    result = instance.solve(time_limit=time_limit)
    result.excluded_sites, result.warnings = left_out, warnings + result.warnings
    if result.status != INFEASIBLE:
        opened = np.isin(candidates["id"].to_numpy(), result.sites)
        reach = distance[:, opened] <= standard.threshold_m(code)
        before = _covered_before(area, access_result, [code])[:, 0]
        result.covered_after_by_category = {code: before | reach.any(axis=1)}
        result.functions = {s: [code] for s in result.sites}
        cost = pd.to_numeric(candidates.set_index("id")["cost"], errors="coerce")
        result.cost = float(cost.loc[result.sites].sum())
        result.table = _with_site_columns(area, result.table.assign(function=code))
    return result


def _with_site_columns(area: Area, table: pd.DataFrame) -> pd.DataFrame:
    """The plan table with each site's name, address and coordinates."""
    columns = [c for c in ("id", "name", "address", "lon", "lat", "x", "y")
               if c in area.candidates.columns]  # fmt: skip
    sites = area.candidates[columns].rename(columns={"id": "site", "name": "site_name"})
    return table.merge(sites, on="site", how="left")


def coverage_before_after(
    area: Area, access_result: AccessResult, result: PlanResult
) -> pd.DataFrame:
    """Per category and target group: population, covered before and after the plan, shares
    (see `lifecircle.access.coverage.coverage_change`)."""
    before = _covered_before(area, access_result, list(area.standard.categories))
    added = {code for codes in result.functions.values() for code in codes}
    return coverage_change(area, before, result.covered_after_by_category, added)
