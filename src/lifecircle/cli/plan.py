"""`lifecircle plan`: choose sites (and hub functions) for the demo or an area folder."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lifecircle.cli import app
from lifecircle.cli.common import (
    BudgetOption,
    CrsOption,
    MappingOption,
    ModelOption,
    ObjectiveOption,
    StandardOption,
    TargetOption,
    WeightsOption,
    fail,
    fail_input,
    print_plan,
    print_warnings,
)
from lifecircle.cli.progress_bar import progress_bar
from lifecircle.library import Area, InputError, PlanResult


@app.command("plan")
def plan(
    demo: Annotated[bool, typer.Option("--demo", help="用内置示意街道 use the demo area")] = False,
    area_dir: Annotated[
        Path | None,
        typer.Option("--area", help="数据目录 folder: compounds/facilities/candidates 文件 + OSM"),
    ] = None,
    model: ModelOption = "hub",
    budget: BudgetOption = None,
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
    target: TargetOption = None,
    weights: WeightsOption = None,
    objective: ObjectiveOption = "normalised",
    mapping: MappingOption = None,
    standard: StandardOption = "gb50180-2018",
    crs: CrsOption = "wgs84",
    time_limit: Annotated[float, typer.Option("--time-limit", help="求解时限秒 seconds")] = 60.0,
    out: Annotated[Path, typer.Option("--out", help="输出目录 output folder")] = Path("out/plan"),
) -> None:
    """选址：开哪些闲置空间、放哪些功能；写出 plan.csv、plan.geojson 与前后覆盖对比。

    Choose sites (and the functions in each): writes plan.csv, plan.geojson and
    coverage_before_after.csv (per category and age group); prints budget used and remaining.
    """
    console = Console()
    if demo == (area_dir is not None):
        fail(console, "请给出 --demo 或 --area DIR 之一 give exactly one of --demo, --area DIR")
    try:
        with progress_bar(console) as progress:
            if demo:
                area = Area.demo(standard)
            else:
                area = Area.from_folder(area_dir, crs, standard, mapping, progress=progress)
            result = area.plan(model, budget, target, weights, objective, p, radius, category,
                               max_functions, min_coverage, mapping, time_limit, progress)  # fmt: skip
    except InputError as exc:
        fail_input(console, exc)
    print_warnings(console, area.warnings + area.access().warnings + result.warnings)
    console.print(json.dumps(result.summary(), ensure_ascii=False), highlight=False, soft_wrap=True)
    if not result.feasible:
        print_plan(console, area, result)
        raise typer.Exit(1)
    write_plan_files(out, result)
    print_plan(console, area, result)
    for name in ("plan.csv", "plan.geojson", "coverage_before_after.csv", "summary.json"):
        console.print(f"  {out / name}", highlight=False, soft_wrap=True)


def write_plan_files(out: Path, result: PlanResult) -> None:
    """plan.csv (site × function), plan.geojson (opened sites), coverage_before_after.csv and
    summary.json (status, sites, budget, cost, budget_remaining, excluded sites)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(
        json.dumps(result.summary(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    result.functions.to_csv(out / "plan.csv", index=False, encoding="utf-8")
    result.coverage.to_csv(out / "coverage_before_after.csv", index=False, encoding="utf-8")
    sites = result.to_geodataframe()
    sites["functions"] = sites["functions"].map(list)
    (out / "plan.geojson").write_text(sites.to_json(ensure_ascii=False), encoding="utf-8")
