"""From imported tables to an Area: link gates to compounds, project x/y into the graph's CRS."""

import dataclasses

import numpy as np
import pandas as pd
import shapely

from lifecircle.data.area import Area
from lifecircle.data.importer import OUTPUT_COLUMNS
from lifecircle.data.report import ImportResult, Issue
from lifecircle.errors import InputError
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


GRID_M = 1e-3
"""Precision (metres) of street lines noded by `graph_from_lines`."""


def graph_from_lines(lines: list, crs: str) -> WalkGraph:
    """A walk graph from street polylines (shapely lines or coordinate lists in `crs` metres),
    noded at every crossing."""
    geometries = [g if isinstance(g, shapely.Geometry) else shapely.linestrings(np.asarray(g, float))
                  for g in lines]  # fmt: skip
    parts = shapely.get_parts(shapely.get_parts(np.asarray(geometries, dtype=object)))
    # snap-rounded union on a 1 mm grid: nodes every crossing, and a street ending a hair off
    # another (e.g. after a projection round trip) still joins it
    noded = shapely.get_parts(shapely.union_all(parts, grid_size=GRID_M))
    starts, ends = [], []
    for segment in noded:
        coords = shapely.get_coordinates(segment)
        starts.append(coords[:-1])
        ends.append(coords[1:])
    start, end = np.concatenate(starts), np.concatenate(ends)
    points = np.round(np.concatenate([start, end]), 6)
    unique, inverse = np.unique(points, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    u, v = inverse[: start.shape[0]], inverse[start.shape[0] :]
    return WalkGraph.from_edges(unique[:, 0], unique[:, 1], u, v, crs)


def _contract(table: pd.DataFrame | None, kind: str) -> pd.DataFrame:
    columns = list(OUTPUT_COLUMNS[kind])
    if table is None:
        return pd.DataFrame(columns=columns)
    extra = [c for c in table.columns if c not in columns]
    return table.reindex(columns=columns + extra)


def _check_contract(table: pd.DataFrame, kind: str, required: tuple[str, ...]) -> None:
    """InputError listing every row with a required value missing or an id repeated."""
    problems = [
        Issue(kind, None, column, "", "缺少必需列 missing required column")
        for column in required
        if column not in table.columns
    ]
    if not problems:
        rows = table["row"].tolist() if "row" in table.columns else range(1, len(table) + 1)
        for column in required:
            values = table[column]
            if column != "id" and column != "category":
                values = pd.to_numeric(values, errors="coerce")
            for row, missing in zip(rows, values.isna(), strict=True):
                if missing:
                    problems.append(Issue(kind, int(row), column, "", "缺少值 missing value"))
        repeated = table["id"].duplicated(keep="first") & table["id"].notna()
        for row, value, again in zip(rows, table["id"], repeated, strict=True):
            if again:
                problems.append(Issue(kind, int(row), "id", str(value), "编号重复 repeated id"))
    if problems:
        listed = "; ".join(str(p) for p in problems[:5])
        more = f" … (+{len(problems) - 5})" if len(problems) > 5 else ""
        raise InputError(
            f"{kind}: {len(problems)} 处问题 problems: {listed}{more}", problems=problems
        )


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
    """An Area from imported tables (lon/lat WGS-84), with x/y projected into `graph.crs`.

    Raises InputError naming each row whose id is missing or repeated, or whose location (or a
    compound's population) is not a number: tables should come from `import_file` / `import_raw`.
    """
    _check_contract(compounds, "compounds", ("id", "lon", "lat", "population"))
    _check_contract(facilities, "facilities", ("id", "category", "lon", "lat"))
    if candidates is not None:
        _check_contract(candidates, "candidates", ("id", "lon", "lat"))
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
