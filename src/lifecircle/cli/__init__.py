"""Command line: `lifecircle …`. Each subcommand lives in its own module and only translates."""

import typer

app = typer.Typer(
    name="lifecircle",
    help="15分钟社区生活圈：测可达、选址、运营驿站。 Plan and run a 15-minute community life circle.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _register() -> None:
    from lifecircle.cli import (  # noqa: F401  (each module adds its commands to `app`)
        access,
        batch,
        data,
        db,
        demo,
        plan,
        report,
        route,
        serve,
        solve,
        standards,
        users,
        voice,
    )


_register()


def main() -> None:
    """Entry point of the `lifecircle` console script."""
    app()
