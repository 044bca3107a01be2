"""`lifecircle serve`: create and migrate the database, optionally seed the demo, serve the site."""

import os

import typer
from rich.console import Console
from rich.table import Table

from lifecircle.cli import app


@app.command()
def serve(
    demo: bool = typer.Option(
        False, "--demo", help="写入演示街道、用户与 Open311 密钥 seed the demo"
    ),
    host: str = typer.Option("127.0.0.1", help="监听地址 address to listen on"),
    port: int = typer.Option(8000, help="端口 port"),
    db: str | None = typer.Option(
        None,
        "--db",
        help="SQLite 文件 file (默认 default ./lifecircle.sqlite3); LIFECIRCLE_DATABASE_URL 优先 wins",
    ),
    workers: int = typer.Option(2, min=1, help="进程数 worker processes"),
    threads: int = typer.Option(4, min=1, help="每进程线程 threads per worker"),
) -> None:
    """运行驿站运营网站、API 与 Open311 Run the station-operations site, API and Open311."""
    from lifecircle.web import server

    console = Console()
    if host not in server.LOOPBACK and host not in ("0.0.0.0", "::"):
        extra = os.environ.get("LIFECIRCLE_ALLOWED_HOSTS", "")
        os.environ["LIFECIRCLE_ALLOWED_HOSTS"] = ",".join(h for h in (extra, host) if h)
    server.setup(db)
    from django.conf import settings

    try:
        server.check_bind(host)
        server.check_database()
    except (server.UnsafeBind, server.DatabaseUnreachable) as exc:
        console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(1) from None
    database = settings.DATABASES["default"]
    console.print(f"数据库 database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
    seeded = server.prepare_database(demo)
    if seeded is not None:
        from lifecircle.ops.demo import DEMO_PASSWORD

        table = Table("用户 user", "角色 role", "单位 unit")
        for name, user in seeded.users.items():
            for grant in user.grants.select_related("unit"):
                table.add_row(name, grant.get_role_display(), grant.unit.name)
        console.print(table)
        console.print(
            f"演示密码 demo password: {DEMO_PASSWORD}   Open311 api_key: {seeded.api_key}"
        )
    elif demo:
        console.print("数据库已有数据，未重复写入演示数据 data present; demo not seeded again")
    base = f"http://{host}:{port}"
    console.print(f"{base}/   API {base}/api/docs   Open311 {base}/open311/v2/services.json")
    server.run(host, port, workers=workers, threads=threads)


@app.command()
def notices(
    db: str | None = typer.Option(
        None, "--db", help="SQLite 文件 file; LIFECIRCLE_DATABASE_URL 优先 wins"
    ),
) -> None:
    """重发未送达的通知（可放进 cron，每几分钟一次）Retry the notices not yet delivered (run from cron)."""
    from lifecircle.web import server

    server.setup(db)
    from lifecircle.ops.notices import deliver_pending
    from lifecircle.store.notify.models import Notice

    sent = deliver_pending()
    waiting = Notice.objects.filter(state=Notice.State.PENDING).count()
    failed = Notice.objects.filter(state=Notice.State.FAILED).count()
    Console().print(f"已发送 sent {sent}；待重试 pending {waiting}；已放弃 gave up {failed}")


@app.command()
def streets(
    geojson: str = typer.Argument(..., help="街道线 GeoJSON 文件 file of street lines (WGS-84)"),
    unit: int | None = typer.Option(
        None, help="街道单位编号 sub-district unit id (默认第一个 first)"
    ),
    db: str | None = typer.Option(
        None, "--db", help="SQLite 文件 file; LIFECIRCLE_DATABASE_URL 优先 wins"
    ),
) -> None:
    """导入地图底图的街道线 Import the street lines drawn under every map (offline)."""
    from pathlib import Path

    from lifecircle.web import server

    server.setup(db)
    import json

    from lifecircle.ops.errors import OpsError
    from lifecircle.ops.streets import check_lines, save_streets
    from lifecircle.store.org.models import OrgUnit

    target = OrgUnit.objects.filter(
        **({"pk": unit} if unit else {"kind": OrgUnit.Kind.SUBDISTRICT})
    ).first()
    if target is None:
        raise typer.BadParameter(
            f"没有单位 no unit {unit or '(sub-district)'}", param_hint="--unit"
        )
    path = Path(geojson)
    try:
        lines = check_lines(json.loads(path.read_text(encoding="utf-8")), path.name)
    except (OSError, json.JSONDecodeError) as exc:
        raise typer.BadParameter(f"{path}: {exc}", param_hint="GEOJSON") from None
    except OpsError as exc:
        raise typer.BadParameter(exc.message, param_hint="GEOJSON") from None
    save_streets(None, target, lines, path.name)
    Console().print(f"{target.name}: {len(lines['features'])} 条街道线 street lines")
