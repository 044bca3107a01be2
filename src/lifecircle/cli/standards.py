"""`lifecircle standards …`: show the planning standards in force."""

import typer
from rich.console import Console
from rich.table import Table

from lifecircle.cli import app
from lifecircle.standards import PRESETS, StandardError, load_standard

standards_app = typer.Typer(
    help="规划标准 Planning standards: presets and user overrides.", no_args_is_help=True
)
app.add_typer(standards_app, name="standards")


@standards_app.command("list")
def list_presets() -> None:
    """列出预设标准 List the preset standards."""
    console = Console()
    for name in PRESETS:
        standard = load_standard(name)
        console.print(f"{name}\t{standard.title_zh}\t{standard.title_en}")


@standards_app.command("show")
def show(
    name: str = typer.Argument(
        "gb50180-2018", help="预设名或 TOML 文件 preset name or a TOML file"
    ),
) -> None:
    """显示标准的类别、层级、阈值与目标人群 Show a standard's categories, levels, thresholds, groups."""
    console = Console()
    try:
        standard = load_standard(name)
    except StandardError as exc:
        console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(f"[bold]{standard.title_zh}[/bold]  {standard.title_en}")
    levels = Table("层级 level", "步行距离 distance (m)", "分钟 min", "人口 population")
    for level in standard.levels.values():
        levels.add_row(
            f"{level.name_zh} {level.name_en}",
            f"{level.distance_m:g}",
            f"{level.minutes:g}",
            f"{level.population_min:,}–{level.population_max:,}",
        )
    console.print(levels)
    groups = Table("人群 group", "人口列 column", "步速 speed (m/min)")
    for group in standard.groups.values():
        groups.add_row(
            f"{group.name_zh} {group.name_en}", group.column, f"{group.speed_m_per_min:g}"
        )
    console.print(groups)
    table = Table(
        "代码 code",
        "类别 category",
        "层级 level",
        "阈值 threshold (m)",
        "人群 group",
        "驿站功能 hub (m²)",
    )
    for cat in standard.categories.values():
        table.add_row(
            cat.code,
            f"{cat.name_zh} {cat.name_en}",
            standard.levels[cat.level].name_zh,
            f"{cat.threshold_m:g}",
            standard.groups[cat.group].name_zh,
            f"{cat.floor_area_m2:g}" if cat.hub_function else "",
        )
    console.print(table)
