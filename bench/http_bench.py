"""Throughput and latency of the real server, endpoint by endpoint (issue 15's table).

Starts `make run`'s server (gunicorn, gevent worker, deploy/gunicorn.conf.py; access log off) on a
loopback port over a fresh database with CLIENTS signed-in clients, and drives each endpoint with
CONNECTIONS keep-alive connections from an asyncio load generator for SECONDS. Prints, per endpoint:
requests/s, p50/p95/p99, the server's CPU per request (from /proc), and the ratio to /healthz in
the same run. `--before` also runs main's former server (gthread, 2 workers x 32 threads).

    .venv/bin/python bench/http.py [--db sqlite|postgresql|both] [--before] [--seconds 5] [--repeat 3]

(bench/http.py starts this module; the code lives here because a module named `http` in this
folder stands in for the standard library's package when the scripts here import it.)

PostgreSQL: a server at BENCH_POSTGRES (default postgresql://trygg@127.0.0.1:55432/postgres, the port
.ci/run starts PostgreSQL on) where a database is created and dropped. Figures are noisy on a shared
machine: compare within one run.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
import time
import uuid
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE.parent))
_spec = importlib.util.spec_from_file_location("bench_serving", _HERE / "serving.py")
serving = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["bench_serving"] = serving
_spec.loader.exec_module(serving)  # type: ignore[union-attr]
fresh_database, load, percentile = serving.fresh_database, serving.load, serving.percentile
request_bytes, seed, sign_in, start_server = serving.request_bytes, serving.seed, serving.sign_in, serving.start_server

CLIENTS = 50
CONNECTIONS = 50


def endpoints(url: str, sessions: list, plans: list) -> list[tuple[str, list]]:
    """(name, one request maker per connection) for each endpoint of the table."""
    import urllib.request

    html = urllib.request.urlopen(url + "/help").read().decode()
    asset = re.search(r'href="(/assets/[^"]+\.css)"', html).group(1)

    def fixed(data: bytes):
        return lambda: data

    def edit(cookie, csrf, plan_id, items):
        counter = iter(range(10**9))

        def make() -> bytes:
            n = next(counter)
            body = json.dumps({"ops": [{"uuid": str(uuid.uuid4()), "type": "edit", "item": items[n % len(items)],
                                        "base_version": 1, "fields": {"text": f"Edited {n}"}}]}).encode()
            return request_bytes("POST", f"/api/v1/plans/{plan_id}/changes", cookie, csrf, body)
        return make

    pairs = [(sessions[i % len(sessions)], plans[i % len(plans)]) for i in range(CONNECTIONS)]
    return [
        ("/healthz", [fixed(request_bytes("GET", "/healthz")) for _ in range(CONNECTIONS)]),
        ("static asset", [fixed(request_bytes("GET", asset)) for _ in range(CONNECTIONS)]),
        ("crisis view /plans/<id>",
         [fixed(request_bytes("GET", f"/plans/{p[1]}", s[0])) for s, p in pairs]),
        ("GET /api/v1/plans/<id>",
         [fixed(request_bytes("GET", f"/api/v1/plans/{p[1]}", s[0])) for s, p in pairs]),
        ("POST …/changes (one edit)", [edit(s[0], s[1], p[1], p[2]) for s, p in pairs]),
    ]


def run(kind: str, worker: str, seconds: float, root: Path | None = None) -> list[dict]:
    """One server on one database: every endpoint in turn (`root`: another checkout's code)."""
    database = fresh_database(kind)
    try:
        plans = seed(database, CLIENTS)
        server = start_server(database, worker, root=root or serving.ROOT)
        try:
            sessions = [sign_in(server.url, email) for email, _, _ in plans]
            rows = []
            for name, makers in endpoints(server.url, sessions, plans):
                load(server.url, makers[:10], 1.0)  # warm up
                cpu = server.cpu_seconds()
                result = load(server.url, makers, seconds)
                used = server.cpu_seconds() - cpu
                done = len(result.latencies)
                rows.append({"endpoint": name, "rps": done / result.elapsed, "p50": percentile(result.latencies, 50),
                             "p95": percentile(result.latencies, 95), "p99": percentile(result.latencies, 99),
                             "cpu_ms": 1000 * used / done if done else 0.0, "errors": result.errors,
                             "statuses": result.statuses})
            return rows
        finally:
            server.stop()
    finally:
        database.drop()


def show(kind: str, worker: str, rows: list[dict], label: str = "") -> None:
    """The table for one run, ratios to /healthz of the same run."""
    base = rows[0]["rps"] or 1
    label = label or ("gevent (make run)" if worker == "gevent" else "gthread 2x32")
    print(f"\n{kind}, {label}, {CONNECTIONS} connections, {CLIENTS} signed-in clients")
    print(f"{'endpoint':28} {'req/s':>8} {'× healthz':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'CPU ms/req':>10} {'errors':>6}")
    for row in rows:
        print(f"{row['endpoint']:28} {row['rps']:8.0f} {row['rps'] / base:9.2f} {row['p50'] * 1000:8.1f} "
              f"{row['p95'] * 1000:8.1f} {row['p99'] * 1000:8.1f} {row['cpu_ms']:10.2f} {row['errors']:6}")
        if row["errors"]:
            print(f"{'':28} statuses: {row['statuses']}")


def show_median(kind: str, runs: list[list[dict]]) -> None:
    """Per endpoint, the median over the runs of each figure (each ratio taken within its own run):
    on a shared machine one run can be a quarter off."""
    import statistics

    print(f"\n{kind}, median of {len(runs)} runs (ratios within each run)")
    print(f"{'endpoint':28} {'req/s':>8} {'× healthz':>9} {'range':>11} {'p95 ms':>8} {'CPU ms/req':>10}")
    for n, row in enumerate(runs[0]):
        ratios = [run[n]["rps"] / (run[0]["rps"] or 1) for run in runs]
        print(f"{row['endpoint']:28} {statistics.median(run[n]['rps'] for run in runs):8.0f} "
              f"{statistics.median(ratios):9.2f} {min(ratios):5.2f}–{max(ratios):<5.2f} "
              f"{statistics.median(run[n]['p95'] for run in runs) * 1000:8.1f} "
              f"{statistics.median(run[n]['cpu_ms'] for run in runs):10.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"],
                        default="both" if os.environ.get("BENCH_POSTGRES") else "sqlite")
    parser.add_argument("--before", action="store_true", help="also run the former gthread server (2x32)")
    parser.add_argument("--main", type=Path, help="with --before: the checkout (with its .venv) whose code the "
                        "former server runs, e.g. ../main (it must have the same migrations: the database is "
                        "made with this checkout's); default: this checkout's code")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=1, help="run each table this many times and print "
                        "the medians too (a fresh server and database each time)")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    workers = ["gthread", "gevent"] if args.before else ["gevent"]
    print(f"bench/http.py: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    started = time.monotonic()
    for kind in kinds:
        for worker in workers:
            root = args.main if worker == "gthread" and args.main else None
            label = f"gthread 2x32, code of {root} (before)" if root else ""
            runs = []
            for _ in range(max(1, args.repeat)):
                runs.append(run(kind, worker, args.seconds, root))
                show(kind, worker, runs[-1], label)
            if len(runs) > 1:
                show_median(f"{kind}, {label or worker}", runs)
    print(f"\n({time.monotonic() - started:.0f} s; load average {os.getloadavg()[0]:.2f} at the end)")
    return 0


