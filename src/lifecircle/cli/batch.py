"""`lifecircle batch`: access (and a hub plan) for every area of a city, on Dask."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lifecircle.cli import app
from lifecircle.cli.common import StandardOption
from lifecircle.cli.data import CoordinateSystem
from lifecircle.cli.progress_bar import progress_bar
from lifecircle.data import DataFileError
from lifecircle.network.osm import OsmError
from lifecircle.scale.areas import BoundaryError, read_boundaries
from lifecircle.scale.batch import load_city, run_batch
from lifecircle.scale.evaluate import HubPlanRequest
from lifecircle.standards import StandardError


@app.command("batch")
def batch(
    osm: Annotated[Path, typer.Option("--osm", help="全市 OSM 文件 city OSM file")],
    boundaries: Annotated[
        Path, typer.Option("--boundaries", help="区域边界 GeoJSON area polygons (街道/镇)")
    ],
    out: Annotated[Path, typer.Option("--out", help="输出目录 output folder")],
    compounds: Annotated[
        Path | None, typer.Option("--compounds", help="小区文件（缺省用 OSM 住宅） compounds")
    ] = None,
    facilities: Annotated[
        Path | None, typer.Option("--facilities", help="设施文件（缺省用 OSM） facilities")
    ] = None,
    candidates: Annotated[
        Path | None, typer.Option("--candidates", help="候选点文件 candidate sites")
    ] = None,
    gates: Annotated[Path | None, typer.Option("--gates", help="小区大门 gates")] = None,
    plan: Annotated[
        str | None, typer.Option("--plan", help="每区选址模型：hub plan model per area")
    ] = None,
    budget: Annotated[
        float | None, typer.Option("--budget", help="每区预算 budget per area")
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="每区求解时限秒 solver seconds per area")
    ] = 60.0,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="已有 Dask 集群地址 tcp://HOST:PORT existing cluster"),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="本机工作进程数 local worker processes")
    ] = 2,
    memory_limit: Annotated[
        str, typer.Option("--memory-limit", help="每进程内存上限 per worker, e.g. 4GB")
    ] = "auto",
    crs: Annotated[
        CoordinateSystem,
        typer.Option(
            "--crs", help="边界与数据文件坐标系 coordinate system of boundaries and files"
        ),
    ] = CoordinateSystem.wgs84,
    standard: StandardOption = "gb50180-2018",
) -> None:
    """全市批量：每个街道/镇一个 Dask 任务，写出分区 Parquet、汇总、xlsx 与城市地图；可续算。
    Every area of a city as a Dask task: Parquet by area, summary, xlsx, city map; resumable."""
    console = Console()
    if plan not in (None, "hub"):
        _fail(console, f"未知模型 unknown plan model {plan!r}; 可选 choose: hub")
    if plan and budget is None:
        _fail(console, "--plan hub 需要 --budget needs --budget")
    request = HubPlanRequest(budget, time_limit) if plan else None
    try:
        areas = read_boundaries(boundaries, crs.value)
        with progress_bar(console) as progress:
            city = load_city(osm, compounds, facilities, candidates, gates, crs.value, standard,
                             progress)  # fmt: skip
        for line in city.warnings:
            console.print(f"[yellow]{line}[/yellow]", highlight=False, soft_wrap=True)
        with progress_bar(console) as progress:
            result = run_batch(city.area, areas, out, request, scheduler, workers, memory_limit,
                               progress=progress)  # fmt: skip
    except (BoundaryError, OsmError, DataFileError, StandardError, ValueError, OSError) as exc:
        _fail(console, str(exc))
    for key, lines in result.warnings.items():
        for line in lines:
            console.print(
                f"[yellow]{key + ': ' if key else ''}{line}[/yellow]",
                highlight=False,
                soft_wrap=True,
            )
    console.print(
        f"完成 {len(result.done)} 个区域，跳过已完成 {len(result.skipped)} 个，失败 {len(result.failed)} 个 "
        f"done {len(result.done)}, skipped (already done) {len(result.skipped)}, "
        f"failed {len(result.failed)}"
    )
    for key, reason in result.failed.items():
        console.print(f"[red]{key}: {reason}[/red]", highlight=False, soft_wrap=True)
    console.print(
        f"已写出 wrote: {out}/access/, coverage/, gaps/, equity/ (Parquet, area=…), summary.csv, "
        "summary.xlsx, city_map.html, areas.csv, failed.csv"
    )
    if result.failed:
        raise typer.Exit(1)


def _fail(console: Console, message: str) -> None:
    console.print(f"[red]错误 error: {message}[/red]", highlight=False, soft_wrap=True)
    raise typer.Exit(2)
