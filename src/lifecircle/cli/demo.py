"""`lifecircle demo`: the whole pipeline on the built-in illustrative sub-district."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from lifecircle.access.area import AccessResult, analyse, equity
from lifecircle.cli import app
from lifecircle.cli.progress_bar import progress_bar
from lifecircle.data.area import Area
from lifecircle.data.demo import COST_UNIT, build_demo_area
from lifecircle.progress import Progress
from lifecircle.report.charts import percent
from lifecircle.report.html import GROUP_LABELS, PlanSection, ReportInput, write_report
from lifecircle.standards import StandardError

HEAD_COUNT_COLUMNS = ("population", "pop_60_plus", "pop_0_6", "pop_7_14")
DEFAULT_OUT = Path("out")


@dataclass
class Proposal:
    """A site proposal as the demo shows it: the plan's table and the coverage it brings.

    after_access has the access table's rows for the area with the proposed sites opened;
    after_coverage the coverage table (category, group, share) after opening them.
    """

    section: PlanSection
    functions: dict[str, list[str]]
    after_access: pd.DataFrame
    after_coverage: pd.DataFrame
    table: pd.DataFrame = field(default_factory=pd.DataFrame)


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

    Run the whole pipeline on the built-in illustrative sub-district: walk network, accessibility, site proposal, self-contained HTML report, CSV tables.
    """
    console = Console()
    folder = out / "demo"
    try:
        with progress_bar(console) as progress:
            progress("构建示意街道 building the demo area", 0, 1)
            area = build_demo_area(standard)
            progress("构建示意街道 building the demo area", 1, 1)
            result = analyse(area, progress)
            proposal = _propose(area, result, budget, progress)
            paths = _write_outputs(folder, area, result, proposal, budget)
    except StandardError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    _print_summary(console, area, _coverage_table(result, proposal), proposal)
    console.print("输出文件 Output files:")
    for path in paths:
        console.print(f"  {path}")


def _propose(
    area: Area, result: AccessResult, budget: float, progress: Progress
) -> Proposal | None:
    """The site proposal; None until a site-selection model is wired in."""
    return None


def _coverage_table(result: AccessResult, proposal: Proposal | None) -> pd.DataFrame:
    """Before (and after) coverage per category and group, in the standard's category order."""
    table = result.coverage.rename(
        columns={"share": "share_before", "covered_population": "covered_before"}
    )
    if proposal is None:
        return table
    after = proposal.after_coverage[["category", "group", "covered_population", "share"]].rename(
        columns={"share": "share_after", "covered_population": "covered_after"}
    )
    return table.merge(after, on=["category", "group"], how="left", validate="one_to_one")


def _access_table(area: Area, result: AccessResult, proposal: Proposal | None) -> pd.DataFrame:
    """The access rows with each compound's head counts, and the after-plan columns if any."""
    heads = area.compounds[["id", *HEAD_COUNT_COLUMNS]].rename(columns={"id": "compound_id"})
    table = result.access.merge(heads, on="compound_id", how="left", validate="many_to_one")
    if proposal is None:
        return table
    after = proposal.after_access[
        ["compound_id", "category", "distance_m", "nearest_facility_name", "covered"]
    ].rename(
        columns={
            "distance_m": "distance_after_m",
            "nearest_facility_name": "nearest_after_name",
            "covered": "covered_after",
        }
    )
    return table.merge(after, on=["compound_id", "category"], how="left", validate="one_to_one")


def _write_outputs(
    folder: Path, area: Area, result: AccessResult, proposal: Proposal | None, budget: float
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    access_path = folder / "access.csv"
    plan_path = folder / "plan.csv"
    _access_table(area, result, proposal).to_csv(access_path, index=False, encoding="utf-8")
    plan_table = proposal.table if proposal is not None else pd.DataFrame()
    plan_table.to_csv(plan_path, index=False, encoding="utf-8")
    report = write_report(
        folder / "report.html",
        ReportInput(
            area=area,
            coverage=_coverage_table(result, proposal),
            access=result.access,
            gaps=result.gaps,
            equity=equity(area, result),
            plan=proposal.section if proposal is not None else None,
            proposed_functions=proposal.functions if proposal is not None else {},
            warnings=result.warnings,
            subtitle=f"标准 standard: {area.standard.name} · 预算 budget: {budget:g} {COST_UNIT}",
        ),
    )
    return [report, access_path, plan_path]


def _print_summary(
    console: Console, area: Area, coverage: pd.DataFrame, proposal: Proposal | None
) -> None:
    has_after = "share_after" in coverage.columns
    table = Table(
        title=f"{area.name} — 步行覆盖率 walking coverage"
        + (" 现状 → 方案 before → after" if has_after else " 现状 before"),
        caption="示意数据 illustrative data",
    )
    table.add_column("类别 category", no_wrap=True)
    table.add_column("阈值 m", justify="right")
    groups = [g for g in GROUP_LABELS if g in set(coverage["group"])]
    for g in groups:
        table.add_column(GROUP_LABELS[g], justify="right")
    for _, block in coverage.groupby("category", sort=False):
        by_group = block.set_index("group")
        cells = []
        for g in groups:
            text = percent(by_group.loc[g, "share_before"])
            if has_after:
                text += f" → {percent(by_group.loc[g, 'share_after'])}"
            cells.append(text)
        first = block.iloc[0]
        table.add_row(first["category_name_zh"], f"{first['threshold_m']:g}", *cells)
    console.print(table)
    if proposal is not None:
        for label, value in proposal.section.facts.items():
            console.print(f"{label}: {value}")
