"""What `access`, `plan`, `report` and `demo` share: options, error words, printed summaries."""

from pathlib import Path
from typing import Annotated, NoReturn

import numpy as np
import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.table import Table

from lifecircle.library import Accessibility, Area, InputError, PlanResult
from lifecircle.plan.area import AREA_MODELS
from lifecircle.report.charts import percent
from lifecircle.report.tables import GROUP_NAMES, NO_FACILITY_TEXT

MappingOption = Annotated[
    Path | None,
    typer.Option("--mapping", help="类别映射 TOML/CSV（名称→类别代码） category name mapping file"),
]
StandardOption = Annotated[
    str, typer.Option("--standard", help="标准（预设名或 TOML） standard: preset or TOML")
]
CrsOption = Annotated[
    str, typer.Option("--crs", help="表格坐标系 coordinate system of the tables: wgs84|gcj02|bd09")
]
ModelOption = Annotated[str, typer.Option("--model", help=" | ".join(AREA_MODELS))]
BudgetOption = Annotated[
    float | None, typer.Option("--budget", min=0, help="改造预算（候选点费用单位） budget")
]
TargetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--target",
        help="覆盖目标 类别=份额，可重复，如 日间照料中心=80% coverage target CATEGORY=SHARE",
    ),
]
WeightsOption = Annotated[
    Path | None,
    typer.Option("--weights", help="优先级表：类别,权重[,小区] priorities per category (CSV/XLSX)"),
]
ObjectiveOption = Annotated[
    str,
    typer.Option(
        "--objective",
        help="normalised（按各功能目标人群规模归一，默认）| heads（新增覆盖人数） objective",
    ),
]


def fail(console: Console, message: str, code: int = 2) -> NoReturn:
    """Print the error in red and exit with `code`."""
    console.print(f"[red]错误 error: {message}[/red]", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def fail_input(console: Console, error: InputError) -> NoReturn:
    """An InputError in words: the message, then each row-level problem."""
    for problem in error.problems[:20]:
        console.print(f"  [red]{problem}[/red]", highlight=False, soft_wrap=True)
    if len(error.problems) > 20:
        console.print(
            f"  … 另有 {len(error.problems) - 20} 处 more", highlight=False, soft_wrap=True
        )
    fail(console, str(error))


def print_warnings(console: Console, warnings: list[str]) -> None:
    for line in warnings:
        console.print(f"[yellow]{line}[/yellow]", highlight=False, soft_wrap=True)


def share_text(share: float, no_facility: bool) -> str:
    return NO_FACILITY_TEXT if no_facility else percent(share)


def print_access(console: Console, access: Accessibility) -> None:
    """Coverage per category for everyone and the elderly; 无此类设施 where there is none."""
    table = Table("类别 category", "阈值 threshold (m)", "全体覆盖 all covered", "老人 elderly",
                  box=box.SIMPLE_HEAD)  # fmt: skip
    coverage = access.coverage
    for _, block in coverage.groupby("category", sort=False):
        by_group = block.set_index("group")
        first = block.iloc[0]
        cells = [
            share_text(by_group["share"].get(g, np.nan), bool(by_group["no_facility"].get(g)))
            for g in ("all", "elderly")
        ]
        table.add_row(first["category_name_zh"], f"{first['threshold_m']:g}", *cells)
    console.print(table)


def print_plan(console: Console, area: Area, plan: PlanResult, cost_unit: str = "") -> None:
    """Status, sites with their functions, budget used and remaining, coverage before → after."""
    names = area.standard.categories
    if not plan.feasible:
        console.print(
            f"[red]选址无解 no feasible plan[/red]: {plan.explanation}",
            highlight=False,
            soft_wrap=True,
        )
        _print_targets(console, area, plan)
        return
    unit = f" {cost_unit}" if cost_unit else ""
    budget = ""
    if plan.budget is not None:
        budget = (f"，预算 budget {plan.budget:g}{unit}，已用 used {plan.cost:g}{unit}，"
                  f"剩余 remaining {plan.budget_remaining:g}{unit}")  # fmt: skip
    else:
        budget = f"，费用 cost {plan.cost:g}{unit}（未设预算 no budget given）"
    console.print(
        f"选址 plan: {plan.status}，启用 {len(plan.sites)} 处 sites{budget}，gap {percent(plan.gap)}",
        highlight=False,
        soft_wrap=True,
    )
    for site in plan.sites.itertuples(index=False):
        labels = "、".join(names[c].name_zh for c in site.functions)
        console.print(f"  {site.id} {site.name}: {labels}", highlight=False, soft_wrap=True)
    _print_targets(console, area, plan)
    print_coverage_change(console, area, plan.coverage)


def _print_targets(console: Console, area: Area, plan: PlanResult) -> None:
    """Each coverage target: met or not, and the best share any plan could reach."""
    names = area.standard.categories
    compound_names = dict(zip(area.compounds["id"], area.compounds["name"], strict=True))
    for check in plan.targets:
        word = "达到 met" if check.met else "未达到 not met"
        unreachable = "、".join(str(compound_names.get(c, c)) for c in check.unreachable_compounds)
        console.print(
            f"  目标 target {names[check.category].name_zh} ≥ {percent(check.target_share)}: "
            f"{percent(check.share_before)} → {percent(check.share_after)} {word}; "
            f"最多可达 reachable at best {percent(check.reachable_share)}"
            + (f"; 候选点够不到 no candidate reaches: {unreachable}" if unreachable else ""),
            highlight=False,
            soft_wrap=True,
        )


def print_coverage_change(console: Console, area: Area, coverage: pd.DataFrame) -> None:
    """Every category's coverage per group, before → after (%), changed rows in green."""
    table = Table(title="步行覆盖率 % walking coverage: 现状→方案 before→after",
                  box=box.SIMPLE_HEAD, pad_edge=False)  # fmt: skip
    table.add_column("类别 category", no_wrap=True)
    groups = [g for g in GROUP_NAMES if g in set(coverage["group"])]
    for g in groups:
        table.add_column(GROUP_NAMES[g], justify="right", no_wrap=True)
    for code, block in coverage.groupby("category", sort=False):
        by_group = block.set_index("group")
        before, after = by_group["share_before"], by_group["share_after"]
        none_before = by_group["no_facility_before"].astype(bool)
        none_after = by_group["no_facility_after"].astype(bool)
        cells = [
            NO_FACILITY_TEXT
            if none_before[g] and none_after[g]
            else f"{_number(before[g], none_before[g])}→{_number(after[g], none_after[g])}"
            for g in groups
        ]
        style = "bold green" if bool((after.fillna(0) > before.fillna(0)).any()) else None
        table.add_row(area.standard.categories[code].name_zh, *cells, style=style)
    console.print(table)


def _number(share: float, no_facility: bool) -> str:
    """A share as a percentage number with one decimal; 无 where there is no facility, — for a
    group with nobody in it."""
    if no_facility:
        return "无"
    return f"{share * 100:.1f}" if np.isfinite(share) else "—"
