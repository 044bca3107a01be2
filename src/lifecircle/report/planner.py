"""The planner's report for any area: report.html, report.xlsx and report.gpkg from one run.

`build_report` gathers the tables once (`lifecircle.report.tables`); the HTML, the workbook and
the GeoPackage are three renderings of them. Callers may append their own `Sheet`s
(`extra_sheets`): each becomes a section of the HTML and a sheet of the workbook.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from lifecircle.access.adequacy import Adequacy, adequacy
from lifecircle.access.measures import supply_ratios
from lifecircle.errors import InputError
from lifecircle.library import Accessibility, Area, PlanResult
from lifecircle.report import tables
from lifecircle.report.adequacy import (
    FLAG_WORDS,
    STATUS_WORDS,
    UNIT_WORDS,
    adequacy_tables,
    supply_sections,
)
from lifecircle.report.charts import percent
from lifecircle.report.html import PlanSection, ReportInput, write_report
from lifecircle.report.tables import NO_CAPACITY_NOTE, NO_FACILITY_NOTE, Sheet

BOUNDARY_NAME_HEADERS = ("居委会", "居委", "社区", "街道", "名称", "name", "NAME", "Name")
SUPPLY_COLUMNS = ["compound_id", "category", "value"]
CAPACITY_COLUMN = "floor_area"
"""The facility column the report's supply ratios share out (m²)."""


@dataclass
class PlannerReport:
    """Everything one report shows: the area, its access, the plan and the tables in words."""

    area: Area
    access: Accessibility
    plan: PlanResult | None
    sheets: list[Sheet]
    isochrones: dict
    sections: list[str] = field(default_factory=list)
    """Sections already rendered as HTML (千人指标 adequacy, capacity), shown in report.html."""
    cost_unit: str = "万元"
    subtitle: str = ""
    warnings: list[str] = field(default_factory=list)
    supply: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SUPPLY_COLUMNS))
    """2SFCA floor area per person of each category's target group: compound_id, category, value
    (categories without any floor area are absent and named in `supply_notes`)."""
    supply_notes: dict[str, str] = field(default_factory=dict)
    """Category code -> why it has no supply ratio (no facility, no floor area), in words."""
    adequacy: Adequacy | None = None


def read_boundary(path: str | Path):
    """Polygons (居委会 / 街道) from a GeoJSON / GeoPackage, named by their first name column."""
    import geopandas

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: 边界文件不存在 boundary file not found")
    try:
        frame = geopandas.read_file(path)
    except Exception as exc:  # GDAL raises several types
        raise InputError(f"{path}: 无法读取边界文件 cannot read the boundary file: {exc}") from None
    frame = frame[
        frame.geometry.notna() & frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    ]
    if frame.empty:
        raise InputError(f"{path}: 没有多边形 no polygons in the boundary file")
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    column = next((c for c in BOUNDARY_NAME_HEADERS if c in frame.columns), None)
    if column is None:
        raise InputError(
            f"{path}: 缺少名称列 no name column (可用列名 accepted: {', '.join(BOUNDARY_NAME_HEADERS)})"
        )
    return frame.assign(zone=frame[column].astype(str))[["zone", "geometry"]]


def zones_of(area: Area, boundary) -> tuple[pd.Series, list[str]]:
    """Which polygon each compound point lies in (None outside all), with a warning per
    compound outside every polygon."""
    points = shapely.points(
        area.compounds["lon"].to_numpy(float), area.compounds["lat"].to_numpy(float)
    )
    zones = []
    for point in points:
        inside = boundary[boundary.geometry.contains(point)]
        zones.append(inside["zone"].iloc[0] if len(inside) else None)
    outside = [n for n, z in zip(area.compounds["name"], zones, strict=True) if z is None]
    warnings = (
        [f"{len(outside)} 个小区不在任何边界多边形内，未计入各居委会表 compounds outside every "
         f"boundary polygon, left out of the per-committee table: {'、'.join(map(str, outside[:10]))}"]
        if outside else []
    )  # fmt: skip
    return pd.Series(zones, index=area.compounds.index, dtype=object), warnings


def build_report(
    area: Area,
    access: Accessibility,
    plan: PlanResult | None,
    boundary=None,
    cost_unit: str = "万元",
    extra_sheets: list[Sheet] = (),
    subtitle: str = "",
) -> PlannerReport:
    """The report's tables and layers for an area, its access and (optionally) a plan.

    The 千人指标 adequacy and capacity sections come from `lifecircle.report.adequacy`; their
    tables are also sheets of the workbook.

    `boundary` (from `read_boundary`) adds coverage per 居委会 / 街道 polygon; `extra_sheets`
    are appended as sections of the HTML and sheets of the workbook.

    Examples
    --------
    >>> import lifecircle as lc
    >>> area = lc.Area.demo()
    >>> report = build_report(area, area.access(), area.plan(budget=500))
    >>> [sheet.key for sheet in report.sheets]
    ['coverage', 'plan', 'gaps', 'closures', 'merges', 'compounds', 'supply', 'adequacy-7',
     'adequacy-8', 'warnings']
    """
    warnings = list(area.warnings) + list(access.warnings)
    sheets = [tables.coverage_sheet(area, access, plan)]
    if plan is not None and plan.feasible:
        warnings += plan.warnings
        sheets.append(tables.plan_sheet(area, plan, cost_unit))
        for extra in (tables.targets_sheet(area, plan), tables.priorities_sheet(area, plan)):
            if extra is not None:
                sheets.append(extra)
    elif plan is not None:
        warnings += [*plan.warnings, f"选址无解 no feasible plan: {plan.explanation}"]
    if boundary is not None:
        zones, outside = zones_of(area, boundary)
        warnings += outside
        sheets.append(tables.boundary_sheet(area, access, plan, zones))
    sheets.append(tables.gaps_sheet(area, access, plan))
    sheets.append(tables.closures_sheet(area, area.closures()))
    sheets.append(tables.merges_sheet(area, area.merges(), cost_unit))
    sheets.append(tables.compounds_sheet(area, access))
    supply, supply_notes, supply_warnings = supply_per_person(area, access)
    warnings += supply_warnings
    if len(supply):
        sheets.append(tables.supply_sheet(area, supply))
    today = adequacy(area)
    for label, table in adequacy_tables(today, area.standard).items():
        sheets.append(Sheet(f"adequacy-{len(sheets)}", f"千人指标{label.split(' ')[0]} Supply per "
                            f"1,000 · {label.split(' ', 1)[-1]}", table, in_html=False))  # fmt: skip
    sheets.extend(extra_sheets)
    if warnings:
        sheets.append(tables.warnings_sheet(warnings))
    hub = plan.engine if plan is not None and plan.model == "hub" else None
    sections = supply_sections(area, access.engine, hub, plan.budget if plan else None, today)
    return PlannerReport(area, access, plan, sheets, access.isochrones(), sections, cost_unit,
                         subtitle, warnings, supply=supply, supply_notes=supply_notes,
                         adequacy=today)  # fmt: skip


def supply_per_person(
    area: Area, access: Accessibility
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """2SFCA floor area per person of each category's target group, at the standard's catchments.

    Returns the table (compound_id, category, value in m² per person), a note per category
    left without one (no facility, or no facility with a floor area) and the warnings naming
    those categories, so that a map shows "no floor area" instead of zeros.

    Examples
    --------
    >>> import lifecircle as lc
    >>> area = lc.Area.demo()
    >>> table, notes, warnings = supply_per_person(area, area.access())
    >>> notes["bus_stop"]
    '无设施面积数据 no floor area given'
    """
    categories = area.standard.categories
    present = set(area.facilities["category"].astype(str))
    notes = {c: NO_FACILITY_NOTE for c in categories if c not in present}
    table, warnings = pd.DataFrame(columns=SUPPLY_COLUMNS), []
    if CAPACITY_COLUMN in area.facilities.columns:
        ratios = supply_ratios(area, ["2sfca"], CAPACITY_COLUMN, None, access.engine.attached)
        table, warnings = ratios.table[SUPPLY_COLUMNS].reset_index(drop=True), ratios.warnings
    done = set(table["category"])
    missing = [c for c in categories if c in present and c not in done]
    if missing:
        notes |= dict.fromkeys(missing, NO_CAPACITY_NOTE)
        # one line naming them all instead of the engine's line per category
        prefixes = tuple(f"{categories[c].name_zh}：" for c in missing)
        warnings = [w for w in warnings if not w.startswith(prefixes)]
        warnings.append(
            f"以下类别的设施没有面积 ({CAPACITY_COLUMN})，不计算供需比，地图注明："
            f"{'、'.join(categories[c].name_zh for c in missing)} "
            f"no facility of these categories has a floor area ({CAPACITY_COLUMN}): no supply "
            "ratio, the map says so"
        )
    return table, notes, warnings


def write_report_files(folder: str | Path, report: PlannerReport) -> list[Path]:
    """Write report.html, report.xlsx and report.gpkg into `folder`; returns their paths.

    Examples
    --------
    >>> import tempfile
    >>> import lifecircle as lc
    >>> area = lc.Area.demo()
    >>> report = build_report(area, area.access(), area.plan(budget=500))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [path.name for path in write_report_files(folder, report)]
    ['report.html', 'report.xlsx', 'report.gpkg']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        _write_html(folder / "report.html", report),
        write_workbook(folder / "report.xlsx", report.sheets),
        write_geopackage(folder / "report.gpkg", report),
    ]


# ---- HTML ----------------------------------------------------------------------------------------


def _plan_section(report: PlannerReport) -> PlanSection | None:
    plan = report.plan
    if plan is None:
        return None
    facts = {
        "状态 status": {"optimal": "最优（已证明） optimal", "feasible": "可行 feasible",
                        "infeasible": "无解 infeasible"}.get(plan.status, plan.status),
        "求解 solved": f"{plan.solve_seconds:.2f} s",
    }  # fmt: skip
    if not plan.feasible:
        return PlanSection("选址方案 Site proposal", pd.DataFrame(), facts, plan.explanation)
    facts["启用站点 sites opened"] = f"{len(plan.sites)}"
    facts["费用 cost"] = f"{plan.cost:g} {report.cost_unit}"
    if plan.budget is not None:
        facts["预算 budget"] = f"{plan.budget:g} {report.cost_unit}"
        facts["剩余 remaining"] = f"{plan.budget_remaining:g} {report.cost_unit}"
    facts["新增覆盖（人次） newly covered"] = f"{plan.objective:,.0f}"
    facts["与上界差距 gap"] = percent(plan.gap)
    sheet = next(s for s in report.sheets if s.key == "plan")
    return PlanSection(sheet.title, sheet.table, facts, sheet.note, sheet.total)


def _coverage_rows(report: PlannerReport) -> pd.DataFrame:
    """Coverage rows with share_before (and share_after) for the charts and the coverage table."""
    plan, access = report.plan, report.access
    if plan is not None and plan.feasible:
        return plan.coverage
    rows = access.coverage.rename(
        columns={"share": "share_before", "no_facility": "no_facility_before"}
    )
    return rows.assign(share_after=np.nan, no_facility_after=rows["no_facility_before"])


def _write_html(path: Path, report: PlannerReport) -> Path:
    plan, access = report.plan, report.access
    functions = {}
    if plan is not None and plan.feasible:
        functions = dict(zip(plan.sites["id"], map(list, plan.sites["functions"]), strict=True))
    gaps = access.gaps
    if plan is not None and plan.feasible:
        # the map colours each compound by the gaps left after the plan
        covered = plan.covered.set_index(["compound_id", "category"])["covered_after"]
        closed = covered.reindex(pd.MultiIndex.from_frame(gaps[["compound_id", "category"]]))
        gaps = gaps[~closed.fillna(False).to_numpy(bool)]
    shown = [s for s in report.sheets
             if s.in_html and s.key not in ("coverage", "plan", "warnings")]  # fmt: skip
    return write_report(
        path,
        ReportInput(
            area=report.area, coverage=_coverage_rows(report), access=access.table, gaps=gaps,
            equity=access.equity, plan=_plan_section(report), proposed_functions=functions,
            warnings=report.warnings, subtitle=report.subtitle, sheets=shown,
            sections=report.sections, cost_unit=report.cost_unit, supply=report.supply,
            supply_notes=report.supply_notes,
        ),
    )  # fmt: skip


# ---- Excel --------------------------------------------------------------------------------------


def _sheet_name(title: str, used: set[str]) -> str:
    """An Excel sheet name (≤ 31 characters, none of []:*?/\\), unique in the workbook."""
    name = "".join(c for c in title.split(" ")[0] if c not in "[]:*?/\\")[:31] or "表"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}{n}"
        n += 1
    used.add(name)
    return name


def write_workbook(path: Path, sheets: list[Sheet]) -> Path:
    """One sheet per table; shares as % (0.0%), metres as whole numbers, a total row if any."""
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for sheet in sheets:
            name = _sheet_name(sheet.title, used)
            table = sheet.table.replace([np.inf, -np.inf], "不可达 unreachable")
            if sheet.total:
                total = {c: sheet.total.get(c, None) for c in table.columns}
                table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
            table.to_excel(writer, sheet_name=name, index=False)
            cells = writer.sheets[name]
            for j, column in enumerate(table.columns, start=1):
                letter = cells.cell(row=1, column=j).column_letter
                cells.column_dimensions[letter].width = min(max(len(str(column)), 10) + 2, 40)
                if column in sheet.percent:
                    for row in range(2, len(table) + 2):
                        cells.cell(row=row, column=j).number_format = "0.0%"
                elif column.endswith("(m)") or column.endswith("(人)") or column.endswith("(m²)"):
                    for row in range(2, len(table) + 2):
                        cells.cell(row=row, column=j).number_format = "#,##0"
    return path


# ---- GeoPackage ---------------------------------------------------------------------------------


def _lonlat(area: Area, x, y):
    from lifecircle.geo.projection import LocalProjection

    return LocalProjection(area.crs).to_lonlat(np.asarray(x, float), np.asarray(y, float))


def write_geopackage(path: Path, report: PlannerReport) -> Path:
    """Layers for QGIS (WGS-84): streets, compounds with their gaps, facilities, candidates,
    chosen sites, isochrones. Column names are Chinese with units, as in the workbook."""
    import geopandas

    area, access, plan = report.area, report.access, report.plan
    if path.exists():
        path.unlink()
    graph = area.graph
    lon, lat = _lonlat(area, graph.x, graph.y)
    streets = geopandas.GeoDataFrame(
        {"长度 length (m)": np.round(graph.edge_length, 0)},
        geometry=shapely.linestrings(
            np.stack(
                [
                    np.column_stack([lon[graph.edge_u], lat[graph.edge_u]]),
                    np.column_stack([lon[graph.edge_v], lat[graph.edge_v]]),
                ],
                axis=1,
            )
        ),  # fmt: skip
        crs="EPSG:4326",
    )
    compounds = access.to_geodataframe()
    names = {c: tables.category_name(area, c) for c in area.standard.categories}
    missing = set(access.missing_categories())
    layer = geopandas.GeoDataFrame(
        {
            "小区 compound": compounds["name"].astype(str),
            "人口 residents (人)": compounds["population"].round(0),
            "缺口数 gaps": compounds["gap_count"],
            "缺口 gap categories": [
                "、".join(names.get(c, c) for c in g.split(",") if c) for g in compounds["gap_categories"]
            ],
            **{f"{names[c]} (m)": compounds[f"distance_{c}"].replace(np.inf, np.nan).round(0)
               for c in area.standard.categories if c not in missing},  # fmt: skip
        },
        geometry=compounds.geometry, crs="EPSG:4326",
    )  # fmt: skip
    facilities = geopandas.GeoDataFrame(
        {"设施 facility": area.facilities["name"].astype(str),
         "类别 category": [names.get(c, c) for c in area.facilities["category"]]},
        geometry=geopandas.points_from_xy(area.facilities["lon"], area.facilities["lat"]),
        crs="EPSG:4326",
    )  # fmt: skip
    candidates = geopandas.GeoDataFrame(
        {"候选点 candidate": area.candidates["name"].astype(str),
         "地址 address": ["" if pd.isna(v) else str(v) for v in area.candidates["address"]],
         "面积 floor area (m²)": pd.to_numeric(area.candidates["floor_area"], errors="coerce"),
         f"费用 cost ({report.cost_unit})": pd.to_numeric(area.candidates["cost"], errors="coerce")},
        geometry=geopandas.points_from_xy(area.candidates["lon"], area.candidates["lat"]),
        crs="EPSG:4326",
    )  # fmt: skip
    layers = {"streets": streets, "compounds": layer, "facilities": facilities,
              "candidates": candidates}  # fmt: skip
    if plan is not None and plan.feasible:
        sites = plan.to_geodataframe()
        layers["chosen_sites"] = geopandas.GeoDataFrame(
            {"站点 site": sites["name"].astype(str),
             "功能 functions": ["、".join(names.get(f, f) for f in fs) for fs in sites["functions"]],
             f"费用 cost ({report.cost_unit})": sites["cost"]},
            geometry=sites.geometry, crs="EPSG:4326",
        )  # fmt: skip
    points = geopandas.points_from_xy(area.compounds["lon"], area.compounds["lat"])
    if len(report.supply):
        table = tables.supply_sheet(area, report.supply).table
        layers["supply_ratio"] = geopandas.GeoDataFrame(table, geometry=points, crs="EPSG:4326")
    if report.adequacy is not None and len(report.adequacy.compounds):
        layers["adequacy"] = _adequacy_layer(area, report.adequacy, points)
    features = report.isochrones["features"]
    if features:
        iso = geopandas.GeoDataFrame.from_features(features, crs="EPSG:4326")
        layers["isochrones"] = geopandas.GeoDataFrame(
            {"设施 facility": iso["name"], "类别 category": iso["category_name_zh"],
             "步行距离 walking distance (m)": iso["distance_m"]},
            geometry=iso.geometry, crs="EPSG:4326",
        )  # fmt: skip
    for name, frame in layers.items():
        frame.to_file(path, layer=name, driver="GPKG")
    return path


def _adequacy_layer(area: Area, result: Adequacy, points):
    """One point per compound × norm category: supply within reach, the norm, the status."""
    import geopandas

    table = result.compounds
    norms = area.standard.norms
    at = pd.Series(np.arange(len(area.compounds)), index=area.compounds["id"])
    return geopandas.GeoDataFrame(
        {
            "小区 compound": table["compound_name"].astype(str).to_numpy(),
            "类别 category": [tables.category_name(area, c) for c in table["category"]],
            "单位 unit": [UNIT_WORDS[norms[c].quantity] for c in table["category"]],
            "可达供给 available": table["available"].round(1).to_numpy(),
            "应有 required": table["required"].round(1).to_numpy(),
            "差 short": table["short"].round(1).to_numpy(),
            "每千名目标人群可达 available per 1,000": table["available_per_1000"]
            .round(1)
            .to_numpy(),
            "每千名目标人群指标 norm per 1,000": table["norm_per_1000"].round(1).to_numpy(),
            "结论 status": [STATUS_WORDS[v] for v in table["status"]],
            "核实 flag": [FLAG_WORDS[norms[c].flag] for c in table["category"]],
        },
        geometry=np.asarray(points)[at.loc[table["compound_id"]].to_numpy()],
        crs="EPSG:4326",
    )
