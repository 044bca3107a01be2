"""`lifecircle access`: walking access from an OSM file (and optional data files) to tables."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import shapely
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lifecircle.access.area import analyse, attach, equity
from lifecircle.access.isochrone import isochrones_geojson
from lifecircle.access.measures import od_table, supply_ratios
from lifecircle.cli import app
from lifecircle.cli.data import CoordinateSystem
from lifecircle.data import build_area, import_file, link_gates
from lifecircle.errors import InputError
from lifecircle.network.osm import load_category_mapping, read_osm
from lifecircle.standards import load_standard


@contextmanager
def _bars(console: Console) -> Iterator[Callable[[str, int, int], None]]:
    """The engines' progress callback, drawn as Rich bars, one per step."""
    tasks: dict[str, int] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bars:

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bars.add_task(step, total=total)
            bars.update(tasks[step], completed=done, total=total)

        yield progress


def _imported(path: Path, kind: str, crs: str, standard: str, console: Console):
    result = import_file(path, kind, crs=crs, standard=standard)
    console.print(
        f"{path}: 导入 {result.imported}/{result.rows} 行 imported {result.imported} of "
        f"{result.rows} rows"
    )
    for issue in result.issues:
        console.print(f"  [yellow]{issue}[/yellow]", highlight=False)
    return result


@app.command("access")
def access(
    osm: Annotated[Path, typer.Option("--osm", help="OSM 文件 .osm.pbf / .osm / .osm.bz2")],
    out: Annotated[Path, typer.Option("--out", help="输出目录 output folder")],
    facilities: Annotated[
        Path | None,
        typer.Option("--facilities", help="设施文件（缺省用 OSM 中的设施） facilities file"),
    ] = None,
    compounds: Annotated[
        Path | None,
        typer.Option(
            "--compounds",
            help="小区文件（缺省用 OSM 中的住宅建筑） compounds file (default: OSM homes)",
        ),
    ] = None,
    gates: Annotated[
        Path | None, typer.Option("--gates", help="小区大门文件 compound gates file")
    ] = None,
    crs: Annotated[
        CoordinateSystem,
        typer.Option("--crs", help="数据文件坐标系 coordinate system of the data files"),
    ] = CoordinateSystem.wgs84,
    standard: Annotated[
        str, typer.Option("--standard", help="标准（预设名或 TOML） standard: preset or TOML")
    ] = "gb50180-2018",
    osm_categories: Annotated[
        Path | None,
        typer.Option("--osm-categories", help="OSM 标签→类别 映射覆盖 TOML tag mapping override"),
    ] = None,
    max_offset: Annotated[
        float, typer.Option("--max-offset", help="离道路最远距离 (m) farthest from a street")
    ] = 300.0,
    warn_offset: Annotated[
        float,
        typer.Option(
            "--warn-offset", help="离道路超过此距离 (m) 时警告 warn beyond this from a street"
        ),
    ] = 50.0,
    isochrones: Annotated[
        bool,
        typer.Option(
            "--isochrones/--no-isochrones",
            help="每个设施的等时圈（设施很多时较慢） one isochrone per facility (slow with thousands)",
        ),
    ] = True,
    save_graph: Annotated[
        Path | None, typer.Option("--save-graph", help="保存路网 (.npz) save the walk graph")
    ] = None,
    measures: Annotated[
        str | None,
        typer.Option(
            "--measures",
            help="供需比指标，逗号分隔 supply-demand measures, comma-separated: "
            "fca,2sfca,e2sfca,g2sfca,3sfca,raam → supply_ratio.csv",
        ),
    ] = None,
    capacity_column: Annotated[
        str,
        typer.Option("--capacity-column", help="设施供给列 facility supply column (m², places)"),
    ] = "floor_area",
    catchment: Annotated[
        float | None,
        typer.Option("--catchment", help="统一服务半径 (m)，缺省用各类阈值 one catchment (m)"),
    ] = None,
    od: Annotated[
        Path | None,
        typer.Option("--od", help="小区×设施步行距离长表 compound × facility distances (CSV)"),
    ] = None,
) -> None:
    """步行可达性分析：每个小区到每类设施的距离、覆盖率、缺口、等时圈。
    Walking access: distance from every compound to every category, coverage, gaps, isochrones."""
    console = Console()
    try:
        rules = load_standard(standard)
        mapping = load_category_mapping(osm_categories)
        compound_table = None
        if compounds is not None:
            compound_table = _imported(compounds, "compounds", crs, standard, console).table
        with _bars(console) as progress:
            extract = read_osm(osm, mapping, progress, _compound_outlines(compound_table))
        console.print(extract.report.lines()[0], highlight=False)
        for line in extract.warnings:
            console.print(f"[yellow]{line}[/yellow]", highlight=False)
        if save_graph is not None:
            save_graph.parent.mkdir(parents=True, exist_ok=True)
            console.print(f"路网已保存 graph saved: {extract.graph.save(save_graph)}")

        if facilities is not None:
            facility_table = _imported(facilities, "facilities", crs, standard, console).table
        else:
            facility_table = extract.facilities
        if compound_table is None:
            compound_table = extract.buildings
            console.print(
                f"需求点：OSM 住宅建筑 {len(compound_table)} 栋 demand points: "
                f"{len(compound_table)} residential buildings of the OSM file"
            )
        gate_table = None
        if gates is not None:
            gate_result = link_gates(
                _imported(gates, "gates", crs, standard, console), compound_table
            )
            gate_table = gate_result.table
        area = build_area(
            osm.name, extract.graph, rules, compound_table, facility_table, gates=gate_table
        )
        with _bars(console) as progress:
            attached = attach(area, max_offset, warn_offset)
            result = analyse(area, progress, attached)
            collection = (
                _isochrones(area, attached, progress)
                if isochrones
                else {"type": "FeatureCollection", "features": []}
            )
        ratios = _supply_ratios(area, attached, measures, capacity_column, catchment, progress)
    except (InputError, OSError) as exc:
        console.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(2) from None

    for line in result.warnings:
        console.print(f"[yellow]{line}[/yellow]", highlight=False)
    out.mkdir(parents=True, exist_ok=True)
    table = result.access.copy()
    for column in ("compound_id", "compound_name", "nearest_facility_id", "nearest_facility_name"):
        table[column] = table[column].astype("string")
    table.to_csv(out / "access.csv", index=False, encoding="utf-8-sig")
    table.to_parquet(out / "access.parquet", index=False)
    result.coverage.to_csv(out / "coverage.csv", index=False, encoding="utf-8-sig")
    result.gaps.to_csv(out / "gaps.csv", index=False, encoding="utf-8-sig")
    equity(area, result).to_csv(out / "equity.csv", index=False, encoding="utf-8-sig")
    (out / "isochrones.geojson").write_text(json.dumps(collection, ensure_ascii=False), "utf-8")
    (out / "warnings.txt").write_text("\n".join(extract.warnings + result.warnings) + "\n", "utf-8")
    _write_supply_ratios(console, out, area, attached, ratios, catchment, od)
    _print_coverage(console, result.coverage)
    console.print(
        f"已写出 wrote: {out}/access.csv, access.parquet, coverage.csv, gaps.csv, equity.csv, "
        "isochrones.geojson, warnings.txt"
    )


def _compound_outlines(table: pd.DataFrame | None) -> shapely.Geometry | None:
    """Union of the compounds' polygons (WGS-84), where the file gives them."""
    if table is None or "geometry" not in table:
        return None
    polygons = [g for g in table["geometry"] if isinstance(g, shapely.Geometry) and g.area > 0]
    return shapely.union_all(polygons) if polygons else None


def _isochrones(area, attached, progress) -> dict:
    """One isochrone per attached facility at its category's threshold."""
    codes = area.facilities["category"].astype(str).to_numpy()
    present = [c for c in area.standard.categories.values() if (codes == c.code).any()]
    collection = {"type": "FeatureCollection", "features": []}
    for done, category in enumerate(present):
        progress("等时圈 isochrones", done, len(present))
        sources = [
            (
                {
                    "facility_id": str(area.facilities["id"].iloc[i]),
                    "name": str(area.facilities["name"].fillna("").iloc[i]),
                    "category": category.code,
                    "category_name_zh": category.name_zh,
                },
                np.array([attached.facility_node[i]]),
            )
            for i in np.flatnonzero((codes == category.code) & (attached.facility_node >= 0))
        ]
        part = isochrones_geojson(attached.graph, sources, [category.threshold_m])
        collection["features"].extend(part["features"])
    progress("等时圈 isochrones", len(present), len(present))
    return collection


def _print_coverage(console: Console, coverage: pd.DataFrame) -> None:
    table = Table("类别 category", "阈值 threshold (m)", "全体覆盖 all covered", "老人 elderly")
    everyone = coverage[coverage["group"] == "all"].set_index("category")
    elderly = coverage[coverage["group"] == "elderly"].set_index("category")
    for code, row in everyone.iterrows():
        old = elderly["share"].get(code, np.nan)
        table.add_row(
            f"{row['category_name_zh']} {code}",
            f"{row['threshold_m']:g}",
            "–" if pd.isna(row["share"]) else f"{row['share']:.1%}",
            "–" if pd.isna(old) else f"{old:.1%}",
        )
    console.print(table)


def _supply_ratios(area, attached, measures, capacity_column, catchment, progress):
    """The --measures table, or None without --measures."""
    if not measures:
        return None
    names = [m.strip().lower() for m in measures.split(",") if m.strip()]
    return supply_ratios(area, names, capacity_column, catchment, attached, progress=progress)


def _write_supply_ratios(console, out, area, attached, ratios, catchment, od) -> None:
    """supply_ratio.csv (with --measures) and the --od long table."""
    if ratios is not None:
        for line in ratios.warnings:
            console.print(f"[yellow]{line}[/yellow]", highlight=False)
        path = out / "supply_ratio.csv"
        ratios.table.to_csv(path, index=False, encoding="utf-8-sig", float_format="%.6g")
        console.print(f"供需比 supply ratios: {path}")
    if od is not None:
        od.parent.mkdir(parents=True, exist_ok=True)
        od_table(area, attached, catchment).to_csv(
            od, index=False, encoding="utf-8-sig", float_format="%.1f"
        )
        console.print(f"步行距离表 walking distances: {od}")
