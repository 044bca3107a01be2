"""`lifecircle db roles`: least-privilege PostgreSQL roles (an owner for migrations, an app
role for the service that cannot truncate, alter tables or disable the audit triggers)."""

import os
from urllib.parse import urlsplit

import typer
from rich.console import Console

from lifecircle.cli import app

db_app = typer.Typer(help="数据库 database administration", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("roles")
def roles(
    create: bool = typer.Option(
        False, "--create", help="直接在数据库中创建 create them now (as the superuser of the URL)"
    ),
    owner: str = typer.Option("lifecircle_owner", help="迁移用的所有者角色 owner role"),
    app_role: str = typer.Option("lifecircle_app", "--app", help="服务用的角色 service role"),
) -> None:
    """打印或创建最小权限角色 Print or create the owner and app roles (PostgreSQL)."""
    import psycopg

    from lifecircle.store.org.roles import as_text, create_roles, plan_roles

    console = Console()
    url = os.environ.get("LIFECIRCLE_DATABASE_URL", "")
    if not url:
        console.print(
            "[red]请设置 LIFECIRCLE_DATABASE_URL (a superuser on the migrated PostgreSQL database)[/red]"
        )
        raise typer.Exit(2)
    parts = urlsplit(url)
    plan = plan_roles(parts.path.lstrip("/"), owner, app_role)
    if create:
        try:
            create_roles(plan, url)
        except psycopg.Error as exc:
            console.print(
                f"[red]创建角色失败 could not create the roles: {exc}[/red]", soft_wrap=True
            )
            raise typer.Exit(1) from None
        console.print(f"已创建 created {owner} and {app_role} on {plan.database}")
    else:
        with psycopg.connect(url) as connection:
            print(as_text(plan, connection))
    host = f"{parts.hostname}:{parts.port or 5432}/{plan.database}"
    # The passwords are shown this once; neither is stored anywhere by lifecircle.
    console.print(
        "迁移 migrations:  LIFECIRCLE_OWNER_DATABASE_URL="
        f"postgresql://{owner}:{plan.owner_password}@{host}",
        soft_wrap=True,
    )
    console.print(
        f"服务 service:     LIFECIRCLE_DATABASE_URL=postgresql://{app_role}:{plan.app_password}@{host}",
        soft_wrap=True,
    )
