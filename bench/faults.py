"""Durability under a crash: concurrent Open311 intakes, the server killed with SIGKILL mid-run
and restarted, clients retrying with their Idempotency-Key until each intake is acknowledged.

Afterwards the rows are counted: every acknowledged intake must be stored exactly once
(lost = 0, duplicated = 0). `--without-keys` retries without the header, to show that the
count can fail: a retry of a request whose answer was lost in the crash is then filed twice.

    python bench/faults.py                               # SQLite, and PostgreSQL if the URL is set
    python bench/faults.py --intakes 2000 --clients 16 --backend sqlite
    LIFECIRCLE_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test python bench/faults.py
"""

import argparse
import http.client
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api import (  # noqa: E402
    API_KEY,
    chosen_backends,
    drop_database,
    free_port,
    fresh_database,
    stored_tokens,
    wait_until_up,
)


class Server:
    """`lifecircle serve` in its own process group, so that SIGKILL takes every worker at once."""

    def __init__(self, env: dict, port: int, db: Path, workers: int, threads: int, log: Path):
        self.env, self.port, self.db = env, port, db
        self.workers, self.threads, self.log = workers, threads, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "lifecircle", "serve", "--demo", "--port", str(self.port)]
        command += ["--db", str(self.db), "--workers", str(self.workers)]
        command += ["--threads", str(self.threads)]
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        wait_until_up(self.port, self.process)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def client(port, tokens, idempotent, acked, stats, lock, give_up_at):
    """Send each intake until it is acknowledged (201, or 200 for a replay), retrying the same
    request (same Idempotency-Key) after any connection error or 5xx."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for token in tokens:
        body = urllib.parse.urlencode(
            {
                "api_key": API_KEY,
                "service_code": "consultation",
                "address_id": 1,
                "description": token,
            }
        ).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if idempotent:
            headers["Idempotency-Key"] = token
        while time.time() < give_up_at:
            try:
                conn.request("POST", "/open311/v2/requests.json", body, headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                status = None
            if status in (200, 201):
                with lock:
                    acked.append(token)
                    stats["replayed"] += status == 200
                break
            with lock:
                stats["retries"] += 1
            time.sleep(0.05)


def run_backend(backend: str, args, pg_url: str | None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="lifecircle-faults-"))
    target, env = fresh_database(backend, tmp, pg_url)
    db = tmp / "bench.sqlite3"
    server = Server(env, free_port(), db, args.workers, args.threads, tmp / "server.log")
    acked: list[str] = []
    stats = {"retries": 0, "replayed": 0}
    lock = threading.Lock()
    run_id = uuid.uuid4().hex[:6]
    tokens = [f"bench-{run_id}-{i}" for i in range(args.intakes)]
    try:
        server.start()
        started = time.time()
        give_up_at = started + args.limit
        threads = [
            threading.Thread(
                target=client,
                args=(
                    server.port,
                    tokens[c :: args.clients],
                    not args.without_keys,
                    acked,
                    stats,
                    lock,
                    give_up_at,
                ),
            )
            for c in range(args.clients)
        ]
        for t in threads:
            t.start()
        while len(acked) < args.intakes * args.kill_at and time.time() < give_up_at:
            time.sleep(0.01)
        killed_after = len(acked)
        server.kill()
        down_at = time.time()
        time.sleep(args.down)
        server.start()
        downtime = time.time() - down_at
        for t in threads:
            t.join()
        wall = time.time() - started
    finally:
        server.stop()
    rows = stored_tokens(backend, target)
    stored = set(rows)
    report = {
        "backend": backend,
        "intakes": args.intakes,
        "acked": len(acked),
        "killed_after": killed_after,
        "downtime_s": downtime,
        "retries": stats["retries"],
        "replayed": stats["replayed"],
        "lost": len(set(acked) - stored),
        "duplicated": len(rows) - len(stored),
        "seconds": wall,
    }
    drop_database(backend, target, pg_url, tmp)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--intakes", type=int, default=2000, help="intakes to acknowledge")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client connections")
    parser.add_argument("--kill-at", type=float, default=0.4, help="share acknowledged at SIGKILL")
    parser.add_argument("--down", type=float, default=1.0, help="seconds the server stays down")
    parser.add_argument("--limit", type=float, default=180, help="give up after this many s")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--without-keys", action="store_true", help="retry without the header")
    args = parser.parse_args()
    backends, pg_url = chosen_backends(args.backend)
    keys = "without Idempotency-Key" if args.without_keys else "with Idempotency-Key"
    print(
        f"{args.intakes} Open311 intakes from {args.clients} clients {keys}; SIGKILL of the whole"
        f" server at {args.kill_at:.0%} acknowledged, restart after {args.down:g} s;"
        f" gunicorn {args.workers}×{args.threads}; {os.cpu_count()} CPUs (shared machine)"
    )
    header = ("backend", "acked", "killed at", "down s", "retries", "replayed", "lost", "dup", "s")
    print("".join(f"{h:>10}" for h in header))
    failed = False
    for backend in backends:
        r = run_backend(backend, args, pg_url)
        print(
            f"{r['backend']:>10}{r['acked']:>10}{r['killed_after']:>10}{r['downtime_s']:>10.1f}"
            f"{r['retries']:>10}{r['replayed']:>10}{r['lost']:>10}{r['duplicated']:>10}"
            f"{r['seconds']:>10.1f}"
        )
        failed |= r["lost"] > 0 or r["duplicated"] > 0 or r["acked"] < r["intakes"]
    if failed:
        print("有丢失、重复或未确认的诉求 lost, duplicated or unacknowledged intakes")
        sys.exit(1)


if __name__ == "__main__":
    main()
