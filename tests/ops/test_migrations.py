"""Migrations: the models match them, they apply on a fresh SQLite file and on PostgreSQL."""

import os
import sqlite3
import subprocess
import sys
import uuid

import pytest


def _django_admin(env_extra: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LIFECIRCLE_DATABASE_URL"}
    env.update(env_extra, DJANGO_SETTINGS_MODULE="lifecircle.store.settings")
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_models_have_no_missing_migrations(tmp_path):
    done = _django_admin(
        {"LIFECIRCLE_DB_PATH": str(tmp_path / "x.sqlite3")},
        "makemigrations",
        "--check",
        "--dry-run",
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_migrations_apply_on_a_fresh_sqlite_file(tmp_path):
    db = tmp_path / "fresh.sqlite3"
    done = _django_admin({"LIFECIRCLE_DB_PATH": str(db)}, "migrate", "--noinput")
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert {"org_auditentry", "requests_servicerequest", "roster_dutyassignment"} <= tables


@pytest.fixture
def postgres_database():
    """A throwaway PostgreSQL database; skips without LIFECIRCLE_TEST_POSTGRES_URL."""
    url = os.environ.get("LIFECIRCLE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("LIFECIRCLE_TEST_POSTGRES_URL 未设置 not set: no PostgreSQL to test against")
    import psycopg

    name = f"lc_mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = url.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_migrations_apply_on_postgres_and_audit_trigger_refuses_update(postgres_database):
    done = _django_admin({"LIFECIRCLE_DATABASE_URL": postgres_database}, "migrate", "--noinput")
    assert done.returncode == 0, done.stderr
    import psycopg

    with psycopg.connect(postgres_database, autocommit=True) as conn:
        conn.execute(
            "insert into org_auditentry (at, actor_label, action, model, object_id, note)"
            " values (now(), 'x', 'test', 'm', '1', '')"
        )
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("update org_auditentry set note = 'changed'")
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("delete from org_auditentry")
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("truncate org_auditentry")
        assert conn.execute("select count(*) from org_auditentry").fetchone()[0] == 1


def _pass_on_postgres(files: list[str]) -> None:
    """Run these test files of this folder again against PostgreSQL; all must pass, none skip."""
    url = os.environ.get("LIFECIRCLE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("LIFECIRCLE_TEST_POSTGRES_URL 未设置 not set: no PostgreSQL to test against")
    here = os.path.dirname(__file__)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         *[os.path.join(here, f) for f in files]],
        env={**os.environ, "LIFECIRCLE_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout


@pytest.mark.postgres
def test_request_and_permission_tests_pass_on_postgres():
    """The request workflow, concurrency and permission tests, run again on PostgreSQL."""
    _pass_on_postgres(["test_requests_api.py", "test_permissions.py", "test_audit_tamper.py"])


@pytest.mark.postgres
def test_rooms_work_orders_and_notices_pass_on_postgres():
    """Bookings (with the exclusion constraint), work-order steps and notices on PostgreSQL."""
    _pass_on_postgres(["test_rooms.py", "test_workorders.py", "test_notices.py"])
