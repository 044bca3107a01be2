"""From imported tables to an Area: link gates to compounds, project x/y into the graph's CRS."""

import dataclasses

import numpy as np
import pandas as pd
import shapely

from lifecircle.data.area import Area
from lifecircle.data.importer import OUTPUT_COLUMNS
from lifecircle.data.report import ImportResult, Issue
from lifecircle.geo.projection import LocalProjection
from lifecircle.network.graph import WalkGraph
from lifecircle.standards import Standard


def link_gates(gates: ImportResult, compounds: pd.DataFrame) -> ImportResult:
    """Point each gate's compound_id at a compound `id` (matched by id, else by name).

    A gate naming no known compound is rejected and reported; the others are kept.
    """
    by_id = {str(i): str(i) for i in compounds["id"]}
    by_name = {str(n): str(i) for n, i in zip(compounds["name"], compounds["id"], strict=True)}
    table = gates.table.copy()
    resolved = [by_id.get(str(c), by_name.get(str(c))) for c in table["compound_id"]]
    issues = list(gates.issues)
    for row, ref, target in zip(table["row"], table["compound_id"], resolved, strict=True):
        if target is None:
            issues.append(
                Issue(
                    gates.file,
                    int(row),
                    "compound_id",
                    str(ref),
                    "小区文件中没有这个小区（按编号或名称） no compound with this id or name",
                )
            )
    table["compound_id"] = resolved
    table = table[table["compound_id"].notna()].reset_index(drop=True)
    return dataclasses.replace(gates, table=table, issues=issues)


def project(table: pd.DataFrame, crs: str) -> pd.DataFrame:
    """A copy with x, y (metres in `crs`) from lon/lat; a `geometry` column is projected too."""
    projection = LocalProjection(crs)
    out = table.copy()
    x, y = projection.to_metres(out["lon"].to_numpy(float), out["lat"].to_numpy(float))
    out["x"], out["y"] = x, y
    if "geometry" in out:
        out["geometry"] = [
            None
            if geom is None
            else shapely.transform(
                geom, lambda xy: np.column_stack(projection.to_metres(xy[:, 0], xy[:, 1]))
            )
            for geom in out["geometry"]
        ]
    return out


def _contract(table: pd.DataFrame | None, kind: str) -> pd.DataFrame:
    columns = list(OUTPUT_COLUMNS[kind])
    if table is None:
        return pd.DataFrame(columns=columns)
    extra = [c for c in table.columns if c not in columns]
    return table.reindex(columns=columns + extra)


def build_area(
    name: str,
    graph: WalkGraph,
    standard: Standard,
    compounds: pd.DataFrame,
    facilities: pd.DataFrame,
    candidates: pd.DataFrame | None = None,
    gates: pd.DataFrame | None = None,
    note: str = "",
) -> Area:
    """An Area from imported tables (lon/lat WGS-84), with x/y projected into `graph.crs`."""
    tables = {
        "compounds": compounds,
        "facilities": facilities,
        "candidates": candidates,
        "gates": gates,
    }
    projected = {kind: project(_contract(table, kind), graph.crs) for kind, table in tables.items()}
    return Area(
        name=name,
        crs=graph.crs,
        graph=graph,
        standard=standard,
        compounds=projected["compounds"],
        facilities=projected["facilities"],
        candidates=projected["candidates"],
        gates=projected["gates"],
        note=note,
    )
