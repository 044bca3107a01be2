"""`lifecircle data …`: check an input file before planning with it."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lifecircle.cli import app
from lifecircle.data import DataFileError, import_file, read_mapping, summary
from lifecircle.standards import StandardError, load_standard

data_app = typer.Typer(
    help="输入数据 Input data: check files of compounds, facilities, candidate sites, gates.",
    no_args_is_help=True,
)
app.add_typer(data_app, name="data")


class FileKind(StrEnum):
    compounds = "compounds"
    facilities = "facilities"
    candidates = "candidates"
    gates = "gates"


class CoordinateSystem(StrEnum):
    wgs84 = "wgs84"
    gcj02 = "gcj02"
    bd09 = "bd09"


@data_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="CSV / XLSX / GeoJSON / GeoPackage 文件 file")],
    kind: Annotated[
        FileKind,
        typer.Option("--kind", help="文件内容 what the file holds: 小区/设施/候选点/小区大门"),
    ],
    crs: Annotated[
        CoordinateSystem,
        typer.Option(
            "--crs",
            help="坐标系 coordinate system: wgs84 (GPS, OSM), gcj02 (高德 AMap, 腾讯), bd09 (百度)",
        ),
    ] = CoordinateSystem.wgs84,
    standard: Annotated[
        str,
        typer.Option("--standard", help="标准（预设名或 TOML 文件） standard: preset or TOML file"),
    ] = "gb50180-2018",
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping", help="类别映射文件 category mapping file (TOML or CSV: 名称,代码)"
        ),
    ] = None,
) -> None:
    """检查输入文件：打印导入汇总和每个被拒绝的行。 Check an input file: print the summary and every rejected row.

    退出码 exit code: 0 全部导入 all rows imported; 1 有行被拒绝 some rows rejected;
    2 文件无法使用 the file cannot be used.
    """
    console = Console()
    try:
        result = import_file(
            file,
            kind.value,
            crs=crs.value,
            standard=load_standard(standard),
            mapping=read_mapping(mapping) if mapping else None,
        )
    except (DataFileError, StandardError) as exc:
        console.print(f"[red]错误 error: {exc}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    table = Table("文件 file", "类型 kind", "行数 rows", "导入 imported", "拒绝 rejected")
    for line in summary([result]).itertuples():
        table.add_row(line.file, line.kind, str(line.rows), str(line.imported), str(line.rejected))
    console.print(table)
    if result.categories:
        mapped = Table("类别原文 category as written", "标准代码 standard code")
        for text, code in sorted(result.categories.items()):
            mapped.add_row(text, code)
        console.print(mapped)
    if result.issues:
        issues = Table("行 row", "列 column", "值 value", "原因 reason", "处理 action")
        issues.columns[3].overflow = "fold"
        for issue in result.issues:
            issues.add_row(
                "" if issue.row is None else str(issue.row),
                issue.column,
                issue.value,
                issue.reason,
                "拒绝 rejected" if issue.rejected else "提示 note",
            )
        console.print(issues)
    if result.rejected_rows:
        raise typer.Exit(1)
