"""`lifecircle solve …`: run a location model on plain files and print JSON."""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import typer

from lifecircle.cli import app
from lifecircle.plan.models import LSCP, MCLP, METHODS, PCenter, PMedian
from lifecircle.plan.orlib import read_orlib
from lifecircle.plan.result import PlanInputError, PlanResult

solve_app = typer.Typer(
    help="选址模型求解 Solve a location model on files: OR-Library p-median or a cost table.",
    no_args_is_help=True,
)
app.add_typer(solve_app, name="solve")

ORLIB_FILE = typer.Argument(..., help="OR-Library pmed 文件 file")
TIME_LIMIT = typer.Option(60.0, "--time-limit", help="求解时限（秒） time limit in seconds")
METHOD = typer.Option(
    "auto", "--method", help=f"求解方式 method: {' | '.join(METHODS)} (auto: 按规模 by size)"
)
COSTS = typer.Option(..., "--costs", help="长表 CSV long table: demand,site,cost")
DEMAND = typer.Option(None, "--demand", help="需求 CSV demand: id,weight (缺省权重 1 default 1)")


def _fail(message: str) -> None:
    typer.secho(f"错误 error: {message}", fg="red", err=True)
    raise typer.Exit(2)


def _print(result: PlanResult, **extra) -> None:
    out = {**extra, **result.summary()}
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    if result.status == "infeasible":
        raise typer.Exit(1)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        _fail(f"{path}: 文件不存在 file not found")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        _fail(f"{path}: 无法读取 CSV cannot read CSV ({exc})")


@solve_app.command("orlib")
def orlib(
    file: Path = ORLIB_FILE,
    time_limit: float = TIME_LIMIT,
    method: str = METHOD,
) -> None:
    """求解 OR-Library p-中值实例 Solve an OR-Library p-median instance; prints objective, status."""
    try:
        instance = read_orlib(file)
        vertices = np.arange(1, instance.n + 1)  # OR-Library numbers vertices from 1
        model = PMedian.from_cost_matrix(instance.cost, instance.p, site_ids=vertices)
        result = model.solve(time_limit, method)
    except PlanInputError as exc:
        _fail(str(exc))
    _print(result, instance=instance.name, n=instance.n, p=instance.p)


def _solve_table(model: str, costs: Path, demand: Path | None, p, radius, time_limit, method):
    table = _read_csv(costs)
    demand_table = _read_csv(demand) if demand is not None else None
    needs = {"lscp": ("radius",), "mclp": ("radius", "p"), "pmedian": ("p",), "pcenter": ("p",)}
    given = {"radius": radius, "p": p}
    missing = [f"--{name}" for name in needs[model] if given[name] is None]
    if missing:
        _fail(f"{model} 需要参数 needs {' '.join(missing)}")
    try:
        build = {
            "lscp": lambda: LSCP.from_long_table(table, radius, demand_table),
            "mclp": lambda: MCLP.from_long_table(table, radius, p, demand_table),
            "pmedian": lambda: PMedian.from_long_table(table, p, demand_table),
            "pcenter": lambda: PCenter.from_long_table(table, p, demand_table),
        }[model]
        result = _with_source(build, costs, demand).solve(time_limit, method)
    except PlanInputError as exc:
        _fail(str(exc))
    _print(result)


def _with_source(build, costs: Path, demand: Path | None):
    """Run a constructor; a message about the cost or demand table names its file."""
    try:
        return build()
    except PlanInputError as exc:
        message = str(exc)
        for table, path in (("costs:", costs), ("demand:", demand)):
            if path is not None and message.startswith(table):
                message = f"{path}:" + message[len(table) :]
        raise PlanInputError(message) from None


def _register_model(name: str, help_text: str) -> None:
    def command(
        costs: Path = COSTS,
        demand: Path | None = DEMAND,
        p: int | None = typer.Option(None, "--p", help="设施数 number of sites to open"),
        radius: float | None = typer.Option(None, "--radius", help="覆盖半径 coverage radius"),
        time_limit: float = TIME_LIMIT,
        method: str = METHOD,
    ) -> None:
        _solve_table(name, costs, demand, p, radius, time_limit, method)

    command.__doc__ = help_text
    solve_app.command(name)(command)


_register_model("lscp", "集合覆盖 LSCP: 覆盖全部需求的最少设施 fewest sites covering all demand.")
_register_model("mclp", "最大覆盖 MCLP: p 个设施覆盖最多需求 p sites covering the most demand.")
_register_model("pmedian", "p-中值 p-median: 加权总距离最小 minimise weighted total cost.")
_register_model("pcenter", "p-中心 p-center: 最远需求距离最小 minimise the largest cost.")
