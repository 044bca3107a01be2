"""`lifecircle demo`: `lifecircle report` on the built-in illustrative sub-district."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lifecircle.cli import app
from lifecircle.cli.common import fail_input
from lifecircle.cli.report import run_report
from lifecircle.data.demo import COST_UNIT
from lifecircle.library import Area, InputError

DEFAULT_OUT = Path("out")


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
    """在内置示意街道上运行完整流程：路网、可达性、选址、报告（同 lifecircle report）。

    Run `lifecircle report` on the built-in illustrative sub-district: walk network,
    accessibility, site proposal (hub model), report.html, report.xlsx, report.gpkg, CSV tables.
    """
    console = Console()
    try:
        area = Area.demo(standard)
        run_report(console, area, out / "demo", cost_unit=COST_UNIT, budget=budget)
    except InputError as exc:
        fail_input(console, exc)
