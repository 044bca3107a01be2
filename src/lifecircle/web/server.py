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

    from lifecircle.ops.demo import seed_demo
    from lifecircle.ops.demo_history import seed_history
    from lifecircle.store.org.models import OrgUnit

    call_command("migrate", interactive=False, verbosity=0)
    if not demo or OrgUnit.objects.exists():
        return None
    seeded = seed_demo()
    seed_history(seeded)
    return seeded


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
                "timeout": 60,
                "graceful_timeout": 5,
                "keepalive": 5,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return StaticFilesHandler(get_wsgi_application())

    Server().run()
