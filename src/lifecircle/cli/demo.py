"""`lifecircle demo`: the whole pipeline on the built-in illustrative sub-district."""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.table import Table

from lifecircle.access.area import AccessResult, analyse, equity
from lifecircle.cli import app
from lifecircle.cli.progress_bar import progress_bar
from lifecircle.data.area import Area
from lifecircle.data.demo import COST_UNIT, build_demo_area
from lifecircle.plan.area import coverage_before_after, plan_hubs
from lifecircle.plan.result import INFEASIBLE, PlanResult
from lifecircle.report.adequacy import supply_sections
from lifecircle.report.charts import percent
from lifecircle.report.html import GROUP_LABELS, PlanSection, ReportInput, write_report
from lifecircle.standards import StandardError

HEAD_COUNT_COLUMNS = ("population", "pop_60_plus", "pop_0_6", "pop_7_14")
DEFAULT_OUT = Path("out")
PLAN_COLUMNS = {
    "site": "编号 site",
    "site_name": "站点 site name",
    "address": "地址 address",
    "function": "功能代码 function",
    "function_name": "功能 function name",
    "floor_area_m2": "功能面积 function area (m²)",
    "site_floor_area_m2": "站点面积 site area (m²)",
    "site_cost": f"改造费用 cost ({COST_UNIT})",
    "new_population": "新增覆盖人口 newly covered",
    "new_compounds": "新增覆盖小区 compounds",
}
"""Plan table columns shown in the report, with their headers."""


@dataclass
class Outcome:
    """What one demo run produced: the tables the files and the summary are written from."""

    area: Area
    access: AccessResult
    plan: PlanResult
    coverage: pd.DataFrame


@app.command("demo")
def demo(
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="输出目录（写入 DIR/demo/）Output folder (files go to DIR/demo/)"
        ),
    ] = DEFAULT_OUT,
    standard: Annotated[
        str,
        typer.Option("--standard", help="规划标准：预设名或 TOML 文件 Standard: preset or file"),
    ] = "gb50180-2018",
    budget: Annotated[
        float,
        typer.Option(
            "--budget", min=0, help=f"改造预算（{COST_UNIT}）Conversion budget in {COST_UNIT}"
        ),
    ] = 500.0,
) -> None:
    """在内置示意街道上运行完整流程：路网、可达性、选址、报告。

    Run the whole pipeline on the built-in illustrative sub-district: walk network, accessibility, site proposal (hub model), self-contained HTML report, CSV tables.
    """
    console = Console()
    try:
        with progress_bar(console) as progress:
            progress("构建示意街道 building the demo area", 0, 1)
            area = build_demo_area(standard)
            progress("构建示意街道 building the demo area", 1, 1)
            result = analyse(area, progress)
            plan = plan_hubs(area, result, budget=budget, progress=progress)
            outcome = Outcome(area, result, plan, coverage_before_after(area, result, plan))
            paths = _write_outputs(out / "demo", outcome, budget)
    except StandardError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    _print_summary(console, outcome, budget)
    console.print("输出文件 Output files:")
    for path in paths:
        console.print(f"  {path}")


def _access_table(outcome: Outcome) -> pd.DataFrame:
    """The access rows with each compound's head counts and whether the plan covers it."""
    area, access = outcome.area, outcome.access.access
    heads = area.compounds[["id", *HEAD_COUNT_COLUMNS]].rename(columns={"id": "compound_id"})
    table = access.merge(heads, on="compound_id", how="left", validate="many_to_one")
    after_by_category = outcome.plan.details.get("covered_after_by_category", {})
    row_of = {cid: i for i, cid in enumerate(area.compounds["id"])}
    compound_row = table["compound_id"].map(row_of).to_numpy()
    covered_after = table["covered"].to_numpy(bool).copy()
    for code, after in after_by_category.items():
        rows = np.flatnonzero(table["category"].to_numpy() == code)
        covered_after[rows] = np.asarray(after, dtype=bool)[compound_row[rows]]
    return table.assign(covered_after=covered_after)


def _plan_section(outcome: Outcome, budget: float) -> PlanSection:
    plan = outcome.plan
    facts = {
        "模型 model": "多功能驿站选址 multi-function hub model",
        "状态 status": plan.status,
        "方法 method": f"{plan.method} · {plan.solve_seconds:.2f} s",
    }
    if plan.status != INFEASIBLE:
        facts |= {
            "启用站点 sites opened": f"{len(plan.sites)}",
            "费用 cost": f"{plan.details.get('cost', 0.0):g} / {budget:g} {COST_UNIT}",
            "新增覆盖（人次）objective": f"{plan.objective:,.0f}",
            "上界 bound": f"{plan.bound:,.0f}",
            "差距 gap": percent(plan.gap),
        }
    shown = plan.table[[c for c in PLAN_COLUMNS if c in plan.table.columns]]
    return PlanSection(
        title="选址方案 Site proposal",
        table=shown.rename(columns=PLAN_COLUMNS),
        facts=facts,
        note=plan.explanation
        or "目标：在预算内按目标人群加权的新增覆盖最大。 Objective: the most newly covered "
        "residents of each function's target group within the budget.",
    )


def _write_outputs(folder: Path, outcome: Outcome, budget: float) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    area, result = outcome.area, outcome.access
    access_path, plan_path = folder / "access.csv", folder / "plan.csv"
    _access_table(outcome).to_csv(access_path, index=False, encoding="utf-8")
    outcome.plan.table.to_csv(plan_path, index=False, encoding="utf-8")
    report = write_report(
        folder / "report.html",
        ReportInput(
            area=area,
            coverage=outcome.coverage,
            access=result.access,
            gaps=result.gaps,
            equity=equity(area, result),
            plan=_plan_section(outcome, budget),
            proposed_functions=outcome.plan.details.get("functions", {}),
            warnings=result.warnings,
            sections=supply_sections(area, result, outcome.plan, budget),
            subtitle=f"标准 standard: {area.standard.name} · 预算 budget: {budget:g} {COST_UNIT}",
        ),
    )
    return [report, access_path, plan_path]


def _print_summary(console: Console, outcome: Outcome, budget: float) -> None:
    area, coverage, plan = outcome.area, outcome.coverage, outcome.plan
    table = Table(
        title="步行覆盖率 % walking coverage: 现状→方案 before→after",
        caption=f"{area.name} · 明细见报告 details in the report",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("类别 category", no_wrap=True)
    groups = [g for g in GROUP_LABELS if g in set(coverage["group"])]
    for g in groups:
        table.add_column(GROUP_LABELS[g], justify="right", no_wrap=True)
    for code, block in coverage.groupby("category", sort=False):
        by_group = block.set_index("group")
        before, after = by_group["share_before"], by_group["share_after"]
        changed = bool((after > before).any())
        cells = [f"{before[g] * 100:.1f}→{after[g] * 100:.1f}" for g in groups]
        style = "bold green" if changed else None
        table.add_row(area.standard.categories[code].name_zh, *cells, style=style)
    console.print(table)
    if plan.status == INFEASIBLE:
        console.print(f"[red]选址无解 no feasible plan[/red]: {plan.explanation}")
        return
    functions = plan.details.get("functions", {})
    names = dict(zip(area.candidates["id"], area.candidates["name"], strict=True))
    console.print(
        f"选址 plan: {plan.status}, 启用 {len(plan.sites)} 处 sites, "
        f"费用 cost {plan.details.get('cost', 0.0):g}/{budget:g} {COST_UNIT}, gap {percent(plan.gap)}"
    )
    for site in plan.sites:
        labels = "、".join(area.standard.categories[c].name_zh for c in functions.get(site, []))
        console.print(f"  {site} {names.get(site, '')}: {labels}")
