"""`lifecircle users token USERNAME`: a personal API token, printed once and stored hashed."""

import typer
from rich.console import Console

from lifecircle.cli import app

users_app = typer.Typer(help="用户 users", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("token")
def token(
    username: str = typer.Argument(..., help="用户名 user name"),
    name: str = typer.Option("", help="令牌名称 a name for the token"),
    db: str | None = typer.Option(
        None, "--db", help="SQLite 文件 file; LIFECIRCLE_DATABASE_URL wins"
    ),
) -> None:
    """为用户生成个人 API 令牌（只显示一次）Make a personal API token, shown only this once."""
    from lifecircle.web import server

    server.setup(db)
    from lifecircle.store.org.models import ApiKey, TokenError

    console = Console()
    try:
        _, secret = ApiKey.issue_personal(username, name=name)
    except TokenError as exc:
        console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(
        "令牌只显示这一次 the token is shown only now; use it as `Authorization: Bearer …`:"
    )
    print(secret)
