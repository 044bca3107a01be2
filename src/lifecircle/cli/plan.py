"""`lifecircle plan`: choose sites (and hub functions) for the demo or an area folder."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lifecircle.access.area import analyse
from lifecircle.cli import app
from lifecircle.cli.progress_bar import progress_bar
from lifecircle.data.area import Area
from lifecircle.plan.area import (
    AREA_MODELS,
    coverage_before_after,
    plan_area_model,
    plan_geojson,
    plan_hubs,
)
from lifecircle.plan.result import PlanInputError
from lifecircle.standards import StandardError

AREA_FILES = ("compounds", "facilities", "candidates", "gates")
TABLE_SUFFIXES = (".csv", ".xlsx", ".geojson", ".gpkg")
OSM_SUFFIXES = (".pbf", ".osm", ".bz2")


@app.command("plan")
def plan(
    demo: Annotated[bool, typer.Option("--demo", help="用内置示意街道 use the demo area")] = False,
    area_dir: Annotated[
        Path | None,
        typer.Option("--area", help="数据目录 folder: compounds/facilities/candidates 文件 + OSM"),
    ] = None,
    model: Annotated[str, typer.Option("--model", help=" | ".join(AREA_MODELS))] = "hub",
    budget: Annotated[float | None, typer.Option("--budget", help="预算 budget")] = None,
    p: Annotated[int | None, typer.Option("--p", help="设施数 sites to open")] = None,
    radius: Annotated[float | None, typer.Option("--radius", help="覆盖半径 m radius")] = None,
    category: Annotated[
        str, typer.Option("--category", help="单功能模型的类别 category for non-hub models")
    ] = "service_station",
    min_coverage: Annotated[
        float | None,
        typer.Option("--min-coverage", help="每小区功能覆盖下限 0..1 per-compound floor"),
    ] = None,
    max_functions: Annotated[
        int | None, typer.Option("--max-functions", help="每点最多功能数 functions per site")
    ] = None,
    standard: Annotated[str, typer.Option("--standard", help="规划标准 standard")] = (
        "gb50180-2018"
    ),
    crs: Annotated[str, typer.Option("--crs", help="表格坐标系 wgs84|gcj02|bd09")] = "wgs84",
    time_limit: Annotated[float, typer.Option("--time-limit", help="求解时限秒 seconds")] = 60.0,
    out: Annotated[Path, typer.Option("--out", help="输出目录 output folder")] = Path("out/plan"),
) -> None:
    """选址：开哪些闲置空间、放哪些功能；写出 plan.csv、plan.geojson 与前后覆盖对比。

    Choose sites (and the functions in each): writes plan.csv, plan.geojson and
    coverage_before_after.csv (per category and age group).
    """
    console = Console()
    if demo == (area_dir is not None):
        _fail(console, "请给出 --demo 或 --area DIR 之一 give exactly one of --demo, --area DIR")
    if model not in AREA_MODELS:
        _fail(
            console, f"未知模型 unknown model {model!r}; 可选 choose from {', '.join(AREA_MODELS)}"
        )
    try:
        with progress_bar(console) as progress:
            area = _demo_area(standard) if demo else _folder_area(area_dir, standard, crs, console)
            access = analyse(area, progress)
            if model == "hub":
                result = plan_hubs(area, access, budget, max_functions, min_coverage,
                                   time_limit=time_limit, progress=progress)  # fmt: skip
            else:
                result = plan_area_model(area, access, model, p, radius, category, time_limit,
                                         progress)  # fmt: skip
    except (PlanInputError, StandardError, ValueError) as exc:
        _fail(console, str(exc))
    console.print(json.dumps(result.summary(), ensure_ascii=False))
    if result.status == "infeasible":
        console.print(f"[red]{result.explanation}[/red]")
        raise typer.Exit(1)
    out.mkdir(parents=True, exist_ok=True)
    summary = coverage_before_after(area, access, result)
    result.table.to_csv(out / "plan.csv", index=False, encoding="utf-8")
    summary.to_csv(out / "coverage_before_after.csv", index=False, encoding="utf-8")
    (out / "plan.geojson").write_text(
        json.dumps(plan_geojson(area, result), ensure_ascii=False), encoding="utf-8"
    )
    _print_summary(console, summary)
    for name in ("plan.csv", "plan.geojson", "coverage_before_after.csv"):
        console.print(f"  {out / name}")


def _fail(console: Console, message: str) -> None:
    console.print(f"[red]错误 error: {message}[/red]")
    raise typer.Exit(2)


def _demo_area(standard: str) -> Area:
    from lifecircle.data.demo import build_demo_area

    return build_demo_area(standard)


def _folder_area(folder: Path, standard: str, crs: str, console: Console) -> Area:
    """Read compounds/facilities/candidates(/gates) tables and one OSM file from a folder."""
    from lifecircle.data.build import build_area, link_gates
    from lifecircle.data.importer import import_file
    from lifecircle.network.osm import read_osm
    from lifecircle.standards import load_standard

    if not folder.is_dir():
        raise PlanInputError(f"{folder}: 不是目录 not a folder")
    osm = [f for f in sorted(folder.iterdir()) if f.suffix in OSM_SUFFIXES]
    if not osm:
        raise PlanInputError(f"{folder}: 没有 OSM 文件 no OSM file (.osm, .osm.pbf, .osm.bz2)")
    rules = load_standard(standard)
    tables = {}
    for kind in AREA_FILES:
        found = [folder / f"{kind}{s}" for s in TABLE_SUFFIXES if (folder / f"{kind}{s}").exists()]
        if not found:
            if kind in ("compounds", "candidates"):
                raise PlanInputError(f"{folder}: 缺少 {kind} 文件 missing {kind}.csv/.xlsx/…")
            continue
        imported = import_file(found[0], kind, crs=crs, standard=rules)
        for issue in imported.issues:
            console.print(f"[yellow]{found[0].name}: {issue}[/yellow]")
        tables[kind] = imported
    if "gates" in tables:
        tables["gates"] = link_gates(tables["gates"], tables["compounds"].table)
    extract = read_osm(osm[0])
    facilities = tables["facilities"].table if "facilities" in tables else extract.facilities
    return build_area(
        folder.name, extract.graph, rules, tables["compounds"].table, facilities,
        tables["candidates"].table, tables["gates"].table if "gates" in tables else None,
    )  # fmt: skip


def _print_summary(console: Console, summary) -> None:
    table = Table("类别 category", "人群 group", "之前 before", "之后 after")
    changed = summary[summary["covered_after"] > summary["covered_before"]]
    for row in changed.itertuples():
        table.add_row(f"{row.category_name_zh} {row.category}", row.group,
                      f"{row.share_before:.1%}", f"{row.share_after:.1%}")  # fmt: skip
    console.print(table)
