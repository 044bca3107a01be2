"""`lifecircle route`: the shortest walking tour through given points (精品路线)."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lifecircle.cli import app
from lifecircle.cli.common import StandardOption, fail
from lifecircle.data.report import DataFileError
from lifecircle.library import Area
from lifecircle.plan.result import PlanInputError
from lifecircle.plan.route import RouteError, read_route_points, walk_route
from lifecircle.report.route import write_route
from lifecircle.standards import StandardError


@app.command("route")
def route(
    area_dir: Annotated[
        Path, typer.Option("--area", help="数据目录 folder: OSM 文件 + compounds/candidates 文件")
    ],
    points: Annotated[
        Path,
        typer.Option("--points", help="路线点 CSV/xlsx/GeoJSON: 名称 name, 经度 lon, 纬度 lat"),
    ],
    closed: Annotated[
        bool, typer.Option("--closed", help="环线：回到起点 return to the start")
    ] = False,
    start: Annotated[
        str | None, typer.Option("--start", help="起点名称 name of the first point")
    ] = None,
    crs: Annotated[str, typer.Option("--crs", help="路线点坐标系 wgs84|gcj02|bd09")] = "wgs84",
    standard: StandardOption = "gb50180-2018",
    out: Annotated[Path, typer.Option("--out", help="输出目录 output folder")] = Path("out/route"),
) -> None:
    """精品路线：经过给定各点的最短步行路线（不走快速路）；写出 route.geojson、route.gpx、route.html。

    The shortest walking tour through the given points (e.g. the five 五宜 points) on the walk
    network, never on trunk roads or motorways: exact up to 12 points, 2-opt + Or-opt beyond.
    """
    console = Console()
    try:
        stops = read_route_points(points, crs)
        area = Area.from_folder(area_dir, crs, standard)
        result = walk_route(area.graph, stops, closed=closed, start=start)
    except (RouteError, PlanInputError, DataFileError, StandardError, ValueError) as exc:
        fail(console, str(exc))
    files = write_route(result, area.graph, out)
    table = Table("序 #", "名称 name", "到下一站 to next (m)", "离街道 to street (m)")
    for s in result.stops.itertuples():
        table.add_row(str(s.order), str(s.name), f"{s.leg_m:,.0f}", f"{s.offset_m:,.0f}")
    console.print(table)
    kind = "环线 loop" if result.closed else "单程 one way"
    proof = "最短（已证明） proven shortest" if result.exact else "启发式 heuristic"
    console.print(f"全长 length {result.length_m:,.0f} m · {kind} · {proof}")
    for path in files:
        console.print(f"  {path}", highlight=False, soft_wrap=True)
