"""One area's work in a batch: access (and optionally a hub plan) on its buffered cut.

`evaluate_area` is the single per-area step the batch runs on a Dask worker: the public
`lifecircle.Area` (access, plan) on the cut, returned as plain tables that pickle.
"""

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lifecircle.data.area import Area
from lifecircle.errors import InputError
from lifecircle.library.area import Area as LibraryArea
from lifecircle.progress import Progress, silent

TEXT_COLUMNS = ("compound_id", "compound_name", "nearest_facility_id", "nearest_facility_name")


class AreaError(ValueError):
    """An area cannot be evaluated; the message names the area and what is wrong."""


@dataclass
class HubPlanRequest:
    """Ask for a hub plan in every area: a budget per area and the solver's time limit."""

    budget: float
    time_limit: float = 60.0
    max_functions_per_site: int | None = None
    min_compound_coverage: float | None = None


@dataclass
class AreaOutcome:
    """What one area produced: tables by name (`access`, `coverage`, `gaps`, `equity`, and with
    a plan `plan` and `plan_coverage`), facts for the city summary, and the warnings to show."""

    key: str
    name: str
    tables: dict[str, pd.DataFrame]
    facts: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _text_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Ids and names as strings, so every area's Parquet part has the same schema."""
    out = table.copy()
    for column in out.columns:
        if column in TEXT_COLUMNS or column in ("site", "site_id", "id", "name", "address"):
            out[column] = out[column].astype("string")
    return out


def evaluate_area(
    area: Area, plan: HubPlanRequest | None = None, progress: Progress = silent
) -> AreaOutcome:
    """Walking access of every compound of `area` to every category; a hub plan if asked.

    Runs `lifecircle.Area.access` / `.plan` on the cut. Raises AreaError when the area has no
    streets, no compounds or no facility of any category. A plan that cannot be made
    (no candidate sites, infeasible) is reported in `facts["plan_note"]`; access is kept.

    Example
    -------
    >>> outcome = evaluate_area(cut_area(city, boundary))  # doctest: +SKIP
    >>> outcome.tables["coverage"].head()  # doctest: +SKIP
    """
    key = area.note or area.name
    label = f"{key} {area.name}".strip() if area.name != key else key
    if area.graph.n_nodes == 0 or area.graph.n_edges == 0:
        raise AreaError(
            f"区域 {label} 内没有道路（坐标系是否正确？可用 --crs 指定 gcj02/bd09） "
            f"area {label} has no streets (right coordinate system? see --crs)"
        )
    if len(area.compounds) == 0:
        raise AreaError(
            f"区域 {label} 内没有小区或住宅建筑 area {label} has no compounds or homes inside"
        )
    started = time.perf_counter()
    library_area = LibraryArea.from_data(area)
    try:
        access = library_area.access(progress=progress)
    except InputError as exc:
        raise AreaError(f"区域 area {label}: {exc}") from exc
    tables = {
        "access": _text_columns(access.table),
        "coverage": access.coverage.assign(area_name=area.name),
        "gaps": _text_columns(access.gaps),
        "equity": access.equity.assign(area_name=area.name),
    }
    head = area.compounds["population"].to_numpy(float) if "population" in area.compounds else []
    facts: dict[str, object] = {
        "nodes": area.graph.n_nodes,
        "edges": area.graph.n_edges,
        "compounds": len(area.compounds),
        "population": float(np.nansum(head)),
        "facilities": len(area.facilities),
        "candidates": len(area.candidates),
    }
    warnings = list(access.warnings)
    if plan is not None:
        facts.update(_plan(library_area, plan, tables))
    facts["seconds"] = time.perf_counter() - started
    return AreaOutcome(key, area.name, tables, facts, warnings)


def _plan(area: LibraryArea, plan: HubPlanRequest, tables: dict) -> dict[str, object]:
    try:
        result = area.plan(
            "hub",
            budget=plan.budget,
            max_functions=plan.max_functions_per_site,
            min_coverage=plan.min_compound_coverage,
            time_limit=plan.time_limit,
        )
    except InputError as exc:
        return {"plan_status": "not_run", "plan_note": str(exc)}
    facts = {
        "plan_status": result.status,
        "plan_objective": float(result.objective),
        "plan_bound": float(result.bound),
        "plan_gap": float(result.gap),
        "plan_sites": len(result.sites),
        "plan_cost": float(result.cost),
        "plan_note": result.explanation,
    }
    if result.feasible:
        tables["plan"] = _text_columns(result.functions)
        tables["plan_coverage"] = result.coverage.assign(area_name=area.name)
    return facts
