"""Prepare the database and run the web service on gunicorn (threads in a few processes)."""

import os

import django


def setup(db_path: str | None = None) -> None:
    """Point Django at the SQLite file (unless LIFECIRCLE_DATABASE_URL is set) and set it up."""
    if db_path:
        os.environ["LIFECIRCLE_DB_PATH"] = str(db_path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecircle.store.settings")
    django.setup()


def prepare_database(demo: bool):
    """Apply migrations; with `demo`, seed the demo sub-district into an empty database.

    The demo comes with three months of history (requests, rosters, inspections, meetings,
    volunteering). Returns the seeded Demo, or None when nothing was seeded (no --demo, or
    data already there).
    """
    from django.core.management import call_command
    from django.db import connections

    from lifecircle.ops.demo import seed_demo
    from lifecircle.ops.demo_history import seed_history
    from lifecircle.store.org.models import OrgUnit

    alias = "owner" if "owner" in connections else "default"
    call_command("migrate", database=alias, interactive=False, verbosity=0)
    if not demo or OrgUnit.objects.exists():
        return None
    seeded = seed_demo()
    seed_history(seeded)
    return seeded


LOOPBACK = ("127.0.0.1", "localhost", "::1")


class UnsafeBind(RuntimeError):
    """Serving beyond this machine with the built-in secret key (anyone could forge sessions)."""


def check_bind(host: str) -> None:
    """Refuse a non-loopback address while the built-in SECRET_KEY is in use."""
    from django.conf import settings

    if host not in LOOPBACK and settings.SECRET_KEY == settings.BUILTIN_SECRET_KEY:
        raise UnsafeBind(
            f"拒绝在 {host} 上对外服务：请先设置 LIFECIRCLE_SECRET_KEY"
            f" refusing to serve on {host} with the built-in secret key; set LIFECIRCLE_SECRET_KEY"
        )


class DatabaseUnreachable(RuntimeError):
    """The database cannot be reached (the message says which one and why, in one line)."""


def check_database() -> None:
    """Connect once; raise DatabaseUnreachable with one line naming the database."""
    from django.conf import settings
    from django.db import OperationalError, connections

    for alias in connections:
        try:
            connections[alias].ensure_connection()
        except OperationalError as exc:
            database = settings.DATABASES[alias]
            where = (
                f"{database.get('HOST') or 'local'}:{database.get('PORT') or ''}/{database['NAME']}"
            )
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DatabaseUnreachable(
                f"数据库无法连接 database unreachable ({where}): {reason}"
            ) from None
        finally:
            connections[alias].close()


def run(host: str, port: int, workers: int = 2, threads: int = 4) -> None:
    """Serve the site, the API, Open311 and the static files until interrupted."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.wsgi import get_wsgi_application
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    connections.close_all()  # the workers open their own after the fork

    class Server(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "loglevel": "warning",
                "errorlog": "-",
                "accesslog": "-",
                "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s',
                "timeout": 60,
                "graceful_timeout": 5,
                "keepalive": 5,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return StaticFilesHandler(get_wsgi_application())

    Server().run()
