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
