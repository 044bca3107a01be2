"""`lifecircle access`: walking access from an OSM file (and optional data files) to tables."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lifecircle.access.measures import od_table
from lifecircle.cli import app
from lifecircle.cli.common import (
    MappingOption,
    StandardOption,
    fail,
    fail_input,
    print_access,
    print_warnings,
)
from lifecircle.cli.data import CoordinateSystem
from lifecircle.cli.progress_bar import progress_bar
from lifecircle.library import Area, InputError


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
    standard: StandardOption = "gb50180-2018",
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
    mapping: MappingOption = None,
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
        with progress_bar(console) as progress:
            area = Area.from_files(
                osm, compounds, facilities, gates=gates, crs=crs.value, standard=standard,
                mapping=mapping, osm_categories=osm_categories, progress=progress,
            )  # fmt: skip
        print_warnings(console, area.warnings)
        if save_graph is not None:
            save_graph.parent.mkdir(parents=True, exist_ok=True)
            console.print(f"路网已保存 graph saved: {area.graph.save(save_graph)}")
        names = [m for m in (measures or "").split(",") if m.strip()]
        with progress_bar(console) as progress:
            result = area.access(max_offset, warn_offset, progress, names, capacity_column,
                                 catchment)  # fmt: skip
            collection = (
                result.isochrones(progress)
                if isochrones
                else {"type": "FeatureCollection", "features": []}
            )
    except InputError as exc:
        fail_input(console, exc)
    except OSError as exc:
        fail(console, str(exc))

    print_warnings(console, result.warnings)
    out.mkdir(parents=True, exist_ok=True)
    table = result.table.copy()
    for column in ("compound_id", "compound_name", "nearest_facility_id", "nearest_facility_name"):
        table[column] = table[column].astype("string")
    table.to_csv(out / "access.csv", index=False, encoding="utf-8-sig")
    table.to_parquet(out / "access.parquet", index=False)
    result.coverage.to_csv(out / "coverage.csv", index=False, encoding="utf-8-sig")
    result.gaps.to_csv(out / "gaps.csv", index=False, encoding="utf-8-sig")
    result.equity.to_csv(out / "equity.csv", index=False, encoding="utf-8-sig")
    (out / "isochrones.geojson").write_text(json.dumps(collection, ensure_ascii=False), "utf-8")
    (out / "warnings.txt").write_text("\n".join(area.warnings + result.warnings) + "\n", "utf-8")
    _write_supply_ratios(console, out, area, result, catchment, od)
    print_access(console, result)
    console.print(
        f"已写出 wrote: {out}/access.csv, access.parquet, coverage.csv, gaps.csv, equity.csv, "
        "isochrones.geojson, warnings.txt"
    )


def _write_supply_ratios(console, out, area, result, catchment, od) -> None:
    """supply_ratio.csv (with --measures) and the --od long table."""
    if result.supply_ratios is not None:
        path = out / "supply_ratio.csv"
        result.supply_ratios.to_csv(path, index=False, encoding="utf-8-sig", float_format="%.6g")
        console.print(f"供需比 supply ratios: {path}")
    if od is not None:
        od.parent.mkdir(parents=True, exist_ok=True)
        od_table(area, result.engine.attached, catchment).to_csv(
            od, index=False, encoding="utf-8-sig", float_format="%.1f"
        )
        console.print(f"步行距离表 walking distances: {od}")
