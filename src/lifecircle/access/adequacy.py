"""千人指标 adequacy: the supply within walking reach against the standard's per-1,000 norms.

Within reach alone says a 30 m² gatehouse station "covers" 3,000 residents. Here each facility's
supply (floor area or places) is shared among everyone within its catchment by the 2SFCA rule,
weighted by the norm's basis (households, or the head count of a group), and each compound's
share is set against what the norm asks for it: met, short by how much, or no facility within
reach. Sums over compounds give the figures per 居委会 (a compound column) and for the whole
街道 (the area).
"""

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from lifecircle.access.area import attach
from lifecircle.access.catchment import catchment_pairs
from lifecircle.access.measures import MeasureError, floating_catchment
from lifecircle.data.area import Area

QUANTITY_COLUMN = {"floor_area_m2": "floor_area", "places": "capacity"}
"""Facility column holding each norm quantity."""
MET, SHORT, NO_FACILITY = "met", "short", "no_facility"


@dataclass
class Adequacy:
    """Adequacy tables: per compound × category, per unit (居委会) and for the whole area."""

    compounds: pd.DataFrame
    units: pd.DataFrame
    area: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def _counts(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame))
    return np.nan_to_num(pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64))


def _status(available: np.ndarray, required: np.ndarray, reached: np.ndarray) -> np.ndarray:
    met = available >= required - 1e-9 * np.maximum(required, 1.0)
    return np.where(~reached, NO_FACILITY, np.where(met, MET, SHORT))


def adequacy(
    area: Area,
    extra_facilities: pd.DataFrame | None = None,
    unit_column: str | None = None,
    catchment_m: float | None = None,
) -> Adequacy:
    """Supply within walking reach per compound, 居委会 and 街道 against the standard's norms.

    Parameters
    ----------
    area : Area
    extra_facilities : DataFrame, optional
        Facilities to add (e.g. the sites a plan opens), with the facility columns id, name,
        category, x, y, floor_area and capacity.
    unit_column : str, optional
        Compound column naming each compound's 居委会 (or any unit); without it only compounds
        and the whole area are reported.
    catchment_m : float, optional
        One catchment for every category; default each category's walking threshold.

    Returns
    -------
    Adequacy
        `compounds`: compound_id, compound_name, category, quantity, flag, basis, basis_count,
        target_population, available, required, short, status ("met", "short", "no_facility"),
        available_per_1000 and norm_per_1000 (per 1,000 of the category's target group).
        `units` and `area`: the same sums per unit and for the area.

    Examples
    --------
    >>> from lifecircle.data.demo import build_demo_area
    >>> table = adequacy(build_demo_area()).compounds
    >>> sorted(set(table["status"]))
    ['met', 'no_facility', 'short']
    """
    standard = area.standard
    warnings: list[str] = []
    if extra_facilities is not None and len(extra_facilities):
        facilities = pd.concat([area.facilities, extra_facilities], ignore_index=True)
        area = replace(area, facilities=facilities)
    if unit_column is not None and unit_column not in area.compounds.columns:
        raise MeasureError(
            f"小区表没有列 compounds have no column {unit_column!r}", "unit_column", unit_column
        )
    attached = attach(area)
    compounds, facilities = area.compounds, area.facilities
    n = len(compounds)
    codes = facilities["category"].astype(str).to_numpy()
    frames = []
    for code, norm in standard.norms.items():
        category = standard.categories[code]
        column = QUANTITY_COLUMN[norm.quantity]
        supply = _counts(facilities, column)
        rows = np.flatnonzero((codes == code) & (attached.facility_node >= 0))
        off = np.flatnonzero((codes == code) & (attached.facility_node < 0))
        if off.size:
            ids = ", ".join(str(i) for i in facilities["id"].to_numpy()[off][:5])
            warnings.append(
                f"{category.name_zh}：{off.size} 个设施未接入路网（{ids}），不计供给 "
                f"{category.name_en}: {off.size} facilities off the network left out"
            )
        unknown = rows[
            ~(pd.to_numeric(facilities.get(column), errors="coerce").to_numpy()[rows] >= 0)
        ]
        if unknown.size:
            ids = ", ".join(str(i) for i in facilities["id"].to_numpy()[unknown][:5])
            warnings.append(
                f"{category.name_zh}：{unknown.size} 个设施缺少 {column}（{ids}），按 0 计 "
                f"{category.name_en}: {unknown.size} facilities without {column} count as 0"
            )
        basis = (
            _counts(compounds, "households")
            if norm.basis == "households"
            else _counts(compounds, standard.groups[norm.basis].column)
        )
        target = _counts(compounds, standard.groups[category.group].column)
        reach = catchment_m or category.threshold_m
        pairs = catchment_pairs(
            attached.graph, attached.facility_node[rows], reach, attached.compound_entry_node,
            attached.compound_entry_owner, n,
        )  # fmt: skip
        share, _ = floating_catchment(pairs, supply[rows], basis, "2sfca", reach)
        reached = np.zeros(n, dtype=bool)
        reached[pairs.group] = True
        available = share * basis
        required = norm.required(basis)
        frames.append(
            pd.DataFrame(
                {
                    "compound_id": compounds["id"].to_numpy(),
                    "compound_name": compounds["name"].to_numpy() if "name" in compounds else "",
                    "unit": compounds[unit_column].to_numpy() if unit_column else "",
                    "category": code,
                    "quantity": norm.quantity,
                    "flag": norm.flag,
                    "basis": norm.basis,
                    "basis_count": basis,
                    "target_population": target,
                    "available": available,
                    "required": required,
                    "reached": reached,
                }
            )  # fmt: skip
        )
    columns = ["compound_id", "compound_name", "unit", "category", "quantity", "flag", "basis",
               "basis_count", "target_population", "available", "required", "reached"]  # fmt: skip
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    if not standard.norms:
        warnings.append(
            f"标准 {standard.name} 没有千人指标 the standard {standard.name} has no supply norms"
        )
    summed = ["basis_count", "target_population", "available", "required"]
    keys = ["category", "quantity", "flag", "basis"]
    units = (
        table.groupby(["unit", *keys], sort=False)[[*summed, "reached"]]
        .agg({**dict.fromkeys(summed, "sum"), "reached": "any"})
        .reset_index()
        if unit_column
        else pd.DataFrame(columns=["unit", *keys, *summed, "reached"])
    )
    whole = (
        table.groupby(keys, sort=False)[[*summed, "reached"]]
        .agg({**dict.fromkeys(summed, "sum"), "reached": "any"})
        .reset_index()
    )
    return Adequacy(
        _finish(table.drop(columns=[] if unit_column else ["unit"])),
        _finish(units),
        _finish(whole),
        warnings,
    )


def _finish(table: pd.DataFrame) -> pd.DataFrame:
    """Add status, shortfall and the per-1,000-of-target-group figures."""
    table = table.copy()
    available = table["available"].to_numpy(np.float64)
    required = table["required"].to_numpy(np.float64)
    target = table["target_population"].to_numpy(np.float64)
    table["status"] = _status(available, required, table["reached"].to_numpy(bool))
    table["short"] = np.maximum(required - available, 0.0)
    per = np.divide(1000.0, target, out=np.full(target.size, np.nan), where=target > 0)
    table["available_per_1000"] = available * per
    table["norm_per_1000"] = required * per
    return table.drop(columns=["reached"])
