"""`lifecircle serve --demo` creates and migrates the SQLite file, seeds, and serves API,
Open311, admin and static files on loopback; a second start keeps the data."""

import http.client
import os
import socket
import sqlite3
import subprocess
import sys
import time

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


@pytest.fixture
def serve(tmp_path):
    started = []

    def start(*args: str) -> tuple[int, subprocess.Popen]:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "LIFECIRCLE_DATABASE_URL"}
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lifecircle",
                "serve",
                "--port",
                str(port),
                "--workers",
                "1",
                *args,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read()
            try:
                if get(port, "/open311/v2/services.json")[0] == 200:
                    return port, process
            except OSError:
                time.sleep(0.2)
        raise AssertionError("server did not start")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=20)


def test_serve_demo_creates_migrates_seeds_and_serves(serve, tmp_path):
    db = tmp_path / "ops.sqlite3"
    port, process = serve("--demo", "--db", str(db))
    status, body = get(port, "/open311/v2/services.json")
    assert status == 200 and "公共设施报修".encode() in body
    assert get(port, "/api/docs")[0] == 200
    assert get(port, "/api/requests")[0] == 401
    assert get(port, "/admin/login/")[0] == 200
    assert get(port, "/static/admin/css/base.css")[0] == 200
    process.terminate()
    process.wait(timeout=20)
    assert "demo-open311-key" in process.stdout.read()
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from auth_user").fetchone()[0] == 15


def test_a_second_start_migrates_but_does_not_seed_again(demo):
    from lifecircle.store.org.models import OrgUnit
    from lifecircle.web.server import prepare_database

    units = OrgUnit.objects.count()
    assert prepare_database(demo=True) is None
    assert OrgUnit.objects.count() == units


def run_cli(*args: str, env_extra: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFECIRCLE_")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "lifecircle", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_serve_refuses_to_bind_beyond_loopback_with_the_built_in_key(tmp_path):
    done = run_cli("serve", "--host", "0.0.0.0", "--db", str(tmp_path / "x.sqlite3"))
    assert done.returncode == 1
    assert "LIFECIRCLE_SECRET_KEY" in done.stdout and not (tmp_path / "x.sqlite3").exists()


def test_serve_with_an_unreachable_database_says_so_in_one_line(tmp_path):
    url = "postgresql://nobody@127.0.0.1:1/nowhere"  # nothing listens on port 1
    done = run_cli("serve", env_extra={"LIFECIRCLE_DATABASE_URL": url}, cwd=tmp_path)
    assert done.returncode == 1
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and "database unreachable" in lines[0] and "127.0.0.1:1" in lines[0]


def deploy_check(**env_extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFECIRCLE_")}
    env.update(env_extra, DJANGO_SETTINGS_MODULE="lifecircle.store.settings")
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_the_documented_production_settings():
    production = {
        "LIFECIRCLE_HTTPS": "1",
        "LIFECIRCLE_SECRET_KEY": "k" + os.urandom(32).hex(),
        "LIFECIRCLE_ALLOWED_HOSTS": "ops.example.gov.cn",
    }
    done = deploy_check(**production)
    assert done.returncode == 0, done.stdout + done.stderr
    # the check itself can fail: without the HTTPS settings it names what is missing
    local = deploy_check(LIFECIRCLE_SECRET_KEY=production["LIFECIRCLE_SECRET_KEY"])
    assert local.returncode != 0 and "SECURE_HSTS_SECONDS" in local.stdout + local.stderr
