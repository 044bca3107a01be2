"""Request intake benchmark: Open311 POST requests.json against `lifecircle serve` on loopback.

Starts the real server (gunicorn, the same command users run) on a fresh database, drives it
from a few load processes with keep-alive connections until a request count or a time limit is
reached, then counts the rows: every acknowledged request must be stored exactly once.

    python bench/api.py                         # SQLite, and PostgreSQL if the URL is set
    python bench/api.py --requests 6000 --seconds 30 --backend sqlite
    LIFECIRCLE_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test python bench/api.py
"""

import argparse
import http.client
import multiprocessing as mp
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

API_KEY = "demo-open311-key"  # lifecircle.ops.demo.DEMO_API_KEY, seeded by `serve --demo`


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for p in [pid, *map(int, children.read_text().split())]:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def wait_until_up(port: int, server: subprocess.Popen, limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/open311/v2/services.json")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not come up")


def load_worker(port, station_id, count, stop_at, threads, tag, out):
    """One load process: `threads` keep-alive connections share `count` requests."""
    latencies, acked, failures = [], [], []
    cpu_start = time.process_time()
    lock = threading.Lock()
    next_index = iter(range(count))

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.time() < stop_at:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            token = f"bench-{tag}-{i}"
            body = urllib.parse.urlencode(
                {
                    "api_key": API_KEY,
                    "service_code": "consultation",
                    "address_id": station_id,
                    "description": token,
                }
            ).encode()  # bytes: sent with the headers in one packet (no Nagle/delayed-ACK stall)
            start = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    "/open311/v2/requests.json",
                    body,
                    {"Content-Type": "application/x-www-form-urlencoded"},
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = repr(exc)
            elapsed = time.perf_counter() - start
            with lock:
                if status == 201:
                    latencies.append(elapsed)
                    acked.append(token)
                else:
                    failures.append(status)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((latencies, acked, failures, time.process_time() - cpu_start))


def stored_tokens(backend: str, target: str) -> list[str]:
    query = "select description from requests_servicerequest where description like 'bench-%'"
    if backend.startswith("sqlite"):
        with sqlite3.connect(target) as conn:
            return [r[0] for r in conn.execute(query)]
    import psycopg

    with psycopg.connect(target) as conn:
        return [r[0] for r in conn.execute(query)]


def fresh_database(backend: str, tmp: Path, pg_url: str | None) -> tuple[str, dict]:
    """A new empty database (SQLite file in `tmp`, or a PostgreSQL database) and the server's
    environment pointing at it, with media and logs in `tmp`."""
    env = {k: v for k, v in os.environ.items() if k != "LIFECIRCLE_DATABASE_URL"}
    env["LIFECIRCLE_MEDIA_ROOT"] = str(tmp / "media")
    env["LIFECIRCLE_LOG_DIR"] = str(tmp / "logs")
    if backend.startswith("sqlite"):
        env["LIFECIRCLE_SQLITE_SYNCHRONOUS"] = "NORMAL" if backend == "sqlite-normal" else "FULL"
        return str(tmp / "bench.sqlite3"), env
    import psycopg

    name = f"lc_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    target = pg_url.rpartition("/")[0] + "/" + name
    env["LIFECIRCLE_DATABASE_URL"] = target
    return target, env


def drop_database(backend: str, target: str, pg_url: str | None, tmp: Path) -> None:
    if backend == "postgres":
        import psycopg

        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{target.rpartition("/")[2]}" WITH (FORCE)')
    shutil.rmtree(tmp, ignore_errors=True)


def chosen_backends(choice: str) -> tuple[list[str], str | None]:
    """The backends to run ("both": SQLite with synchronous=FULL, and PostgreSQL when
    LIFECIRCLE_TEST_POSTGRES_URL is set; "all" adds SQLite with synchronous=NORMAL as a peer)."""
    pg_url = os.environ.get("LIFECIRCLE_TEST_POSTGRES_URL")
    backends = {
        "both": ["sqlite", "postgres"],
        "all": ["sqlite", "sqlite-normal", "postgres"],
    }.get(choice, [choice])
    if "postgres" in backends and not pg_url:
        if choice == "postgres":
            sys.exit("LIFECIRCLE_TEST_POSTGRES_URL 未设置 not set")
        print("PostgreSQL: 跳过 skipped (LIFECIRCLE_TEST_POSTGRES_URL not set)")
        backends.remove("postgres")
    return backends, pg_url


def run_backend(backend: str, args, pg_url: str | None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="lifecircle-bench-"))
    target, env = fresh_database(backend, tmp, pg_url)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "lifecircle",
        "serve",
        "--demo",
        "--port",
        str(port),
        "--db",
        str(tmp / "bench.sqlite3"),
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
    ]
    with open(tmp / "server.log", "w") as log:  # the access log: one line per request
        server = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    try:
        wait_until_up(port, server)
        station_id = 1  # the first demo station of the fresh database
        out = mp.Queue()
        # warm-up (not timed): every worker thread imports the views and opens its connection
        load_worker(
            port,
            station_id,
            args.workers * args.threads * 10,
            time.time() + 20,
            args.concurrency,
            "warm",
            out,
        )
        warm = out.get()
        cpu_before = tree_cpu_seconds(server.pid)
        per_process = args.requests // args.processes
        started = time.time()
        stop_at = started + args.seconds
        procs = [
            mp.Process(
                target=load_worker,
                args=(port, station_id, per_process, stop_at, args.concurrency, f"{p}", out),
            )
            for p in range(args.processes)
        ]
        for p in procs:
            p.start()
        results = [out.get() for _ in procs]
        for p in procs:
            p.join()
        wall = time.time() - started
        server_cpu = tree_cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    latencies = sorted(x for r in results for x in r[0])
    acked = [t for r in results for t in r[1]] + warm[1]
    failures = [f for r in results for f in r[2]]
    rows = stored_tokens(backend, target)
    stored = set(rows)
    report = {
        "backend": backend,
        "ok": len(latencies),
        "failed": len(failures),
        "seconds": wall,
        "rps": len(latencies) / wall,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan"),
        "lost": len(set(acked) - stored),
        "duplicated": len(rows) - len(stored),
        "rows": len(rows),
        "server_cpu_ms": 1000 * server_cpu / max(1, len(latencies) + len(failures)),
        "load_cpu_ms": 1000 * sum(r[3] for r in results) / max(1, len(latencies) + len(failures)),
    }
    drop_database(backend, target, pg_url, tmp)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--backend",
        choices=["sqlite", "sqlite-normal", "postgres", "both", "all"],
        default="all",
        help="sqlite: synchronous=FULL (the default setting); sqlite-normal: NORMAL, for its cost",
    )
    parser.add_argument("--requests", type=int, default=8000, help="upper bound on requests sent")
    parser.add_argument("--seconds", type=float, default=25, help="upper bound on the load phase")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes")
    parser.add_argument("--concurrency", type=int, default=4, help="connections per load process")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per server worker")
    args = parser.parse_args()
    backends, pg_url = chosen_backends(args.backend)
    print(
        f"Open311 POST requests.json, loopback; server gunicorn {args.workers}×{args.threads} threads;"
        f" load {args.processes}×{args.concurrency} keep-alive connections;"
        f" ≤{args.requests} requests, ≤{args.seconds:g} s; {os.cpu_count()} CPUs (shared machine)"
    )
    print(
        f"{'backend':<14}{'ok':>7}{'failed':>8}{'s':>7}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'lost':>6}{'dup':>5}{'server CPU ms/req':>19}{'load CPU ms/req':>17}"
    )
    reports = []
    for backend in backends:
        r = run_backend(backend, args, pg_url)
        reports.append(r)
        print(
            f"{r['backend']:<14}{r['ok']:>7}{r['failed']:>8}{r['seconds']:>7.1f}{r['rps']:>8.0f}"
            f"{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['lost']:>6}{r['duplicated']:>5}"
            f"{r['server_cpu_ms']:>19.2f}{r['load_cpu_ms']:>17.2f}"
        )
    if len(reports) > 1 and reports[0]["rps"] > 0:
        base = reports[0]
        ratios = ", ".join(f"{r['backend']} {r['rps'] / base['rps']:.2f}×" for r in reports[1:])
        print(f"req/s relative to {base['backend']}: {ratios}")


if __name__ == "__main__":
    main()
