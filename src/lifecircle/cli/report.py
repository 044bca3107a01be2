"""`lifecircle report`: access and a plan on any area, written as report.html/.xlsx/.gpkg."""

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
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
    fail_input,
    print_plan,
    print_warnings,
)
from lifecircle.cli.progress_bar import progress_bar
from lifecircle.library import Accessibility, Area, InputError, PlanResult
from lifecircle.report.planner import build_report, read_boundary, write_report_files

HEAD_COUNT_COLUMNS = ("population", "pop_60_plus", "pop_0_6", "pop_7_14")


@app.command("report")
def report(
    area_dir: Annotated[
        Path, typer.Option("--area", help="数据目录 folder: OSM + compounds/facilities/candidates")
    ],
    out: Annotated[Path, typer.Option("--out", help="输出目录 output folder")],
    budget: BudgetOption = None,
    model: ModelOption = "hub",
    boundary: Annotated[
        Path | None,
        typer.Option("--boundary", help="居委会/街道边界 GeoJSON/GPKG committee polygons"),
    ] = None,
    target: TargetOption = None,
    weights: WeightsOption = None,
    objective: ObjectiveOption = "normalised",
    mapping: MappingOption = None,
    standard: StandardOption = "gb50180-2018",
    crs: CrsOption = "wgs84",
    p: Annotated[int | None, typer.Option("--p", help="设施数 sites (非 hub 模型)")] = None,
    cost_unit: Annotated[str, typer.Option("--cost-unit", help="费用单位 cost unit")] = "万元",
    time_limit: Annotated[float, typer.Option("--time-limit", help="求解时限秒 seconds")] = 60.0,
) -> None:
    """规划报告：任意街道的可达性与选址，写出 report.html、report.xlsx、report.gpkg。

    A planner's report for any area: walking access, a site plan, 做减法 and 归并, written as
    report.html (offline), report.xlsx (one sheet per table) and report.gpkg (QGIS layers).
    """
    console = Console()
    try:
        with progress_bar(console) as progress:
            area = Area.from_folder(area_dir, crs, standard, mapping, progress=progress)
        frame = read_boundary(boundary) if boundary is not None else None
        run_report(console, area, out, budget=budget, model=model, boundary=frame,
                   targets=target, weights=weights, objective=objective, mapping=mapping, p=p,
                   cost_unit=cost_unit, time_limit=time_limit)  # fmt: skip
    except InputError as exc:
        fail_input(console, exc)


def run_report(
    console: Console, area: Area, out: Path, cost_unit: str = "万元", subtitle: str = "",
    boundary=None, **plan_options,
) -> list[Path]:  # fmt: skip
    """Access, plan, report files and the printed summary: the body of `report` and `demo`."""
    with progress_bar(console) as progress:
        access = area.access(progress=progress)
        plan = area.plan(progress=progress, **plan_options)
        budget = plan_options.get("budget")
        subtitle = subtitle or (
            f"标准 standard: {area.standard.title_zh or area.standard.name}"
            + (f" · 预算 budget: {budget:g} {cost_unit}" if budget is not None else "")
        )
        built = build_report(area, access, plan, boundary, cost_unit, subtitle=subtitle)
        paths = write_report_files(out, built)
    paths += write_tables(out, area, access, plan)
    print_warnings(console, built.warnings)
    print_plan(console, area, plan, cost_unit)
    console.print("输出文件 Output files:")
    for path in paths:
        console.print(f"  {path}", highlight=False, soft_wrap=True)
    return paths


def write_tables(out: Path, area: Area, access: Accessibility, plan: PlanResult) -> list[Path]:
    """access.csv (compound × category with head counts and covered_after) and plan.csv."""
    heads = area.compounds[["id", *HEAD_COUNT_COLUMNS]].rename(columns={"id": "compound_id"})
    table = access.table.merge(heads, on="compound_id", how="left", validate="many_to_one")
    if plan.feasible:
        after = plan.covered.set_index(["compound_id", "category"])["covered_after"]
        index = pd.MultiIndex.from_frame(table[["compound_id", "category"]])
        table["covered_after"] = after.reindex(index).to_numpy(bool)
    else:
        table["covered_after"] = np.asarray(table["covered"], bool)
    access_path, plan_path = out / "access.csv", out / "plan.csv"
    table.to_csv(access_path, index=False, encoding="utf-8")
    plan.functions.to_csv(plan_path, index=False, encoding="utf-8")
    return [access_path, plan_path]
