"""How many open editors one `make run` server holds, and what they cost (issue 15).

For N = 100, 500, 2,000 open editor streams (SSE, `/api/v1/plans/<id>/events`, spread over the
plans of CLIENTS signed-in clients) against the real server (deploy/gunicorn.conf.py, gevent):
streams accepted (200) and refused (503), the time from sending an edit to its `change` event on
every stream of that plan (p50/p95), the server's resident memory, and the crisis view's p95 for
10 concurrent readers while the streams are open (and with none open, first). The streams are
asyncio sockets in this process; everything is on loopback and bounded in time.

    .venv/bin/python bench/live_capacity.py [--db sqlite|postgresql|both] [--sizes 100,500,2000]

PostgreSQL with BENCH_POSTGRES=postgresql://…/postgres (a database is created there and dropped).
"""
from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
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

CLIENTS = 50
EDITS = 20
PAGE_SECONDS = 4.0


class Stream:
    """One open editor: its socket and when each revision's `change` arrived."""

    def __init__(self, plan_id: int):
        self.plan_id = plan_id
        self.status = 0
        self.arrivals: dict[int, float] = {}
        self.writer: asyncio.StreamWriter | None = None


async def open_stream(host: str, port: int, cookie: str, stream: Stream, opened: asyncio.Event) -> None:
    """Connect, wait for `hello` (or a refusal), then note every change's arrival until closed."""
    try:
        reader, writer = await asyncio.open_connection(host, port)
        stream.writer = writer
        writer.write(serving.request_bytes("GET", f"/api/v1/plans/{stream.plan_id}/events", cookie,
                                           extra="Accept: text/event-stream\r\n"))
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
        stream.status = int(head.split(b" ", 2)[1])
        if stream.status != 200:
            writer.close()
            return
        event = None
        while True:
            line = await reader.readline()
            if not line:
                return
            text = line.decode().strip()
            if text.startswith("event: "):
                event = text[7:]
                if event == "hello":
                    opened.set()
            elif text.startswith("data: ") and event == "change":
                stream.arrivals.setdefault(json.loads(text[6:])["revision"], time.perf_counter())
            elif '"revision"' in text and text.startswith("data: "):
                pass
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
        return
    finally:
        opened.set()


async def post_edit(host: str, port: int, cookie: str, csrf: str, plan_id: int, item: str, n: int) -> tuple[float, int]:
    """Send one edit; (when it was sent, the revision it made)."""
    reader, writer = await asyncio.open_connection(host, port)
    body = json.dumps({"ops": [{"uuid": str(uuid.uuid4()), "type": "edit", "item": item, "base_version": 1,
                                "fields": {"text": f"Live edit {n}"}}]}).encode()
    sent = time.perf_counter()
    writer.write(serving.request_bytes("POST", f"/api/v1/plans/{plan_id}/changes", cookie, csrf, body))
    status, payload, _ = await serving._read_response(reader)
    writer.close()
    if payload[:2] == b"\x1f\x8b":
        import gzip

        payload = gzip.decompress(payload)
    return sent, json.loads(payload)["revision"] if status == 200 else -1


async def scenario(url: str, sessions: list, plans: list, count: int) -> dict:
    """Open `count` streams, make EDITS edits, measure pages, close everything."""
    host, port = url.split("//", 1)[1].split(":")
    streams = [Stream(plans[i % len(plans)][1]) for i in range(count)]
    events = [asyncio.Event() for _ in streams]
    tasks = []
    started = time.perf_counter()
    for i, (stream, opened) in enumerate(zip(streams, events, strict=True)):
        tasks.append(asyncio.create_task(open_stream(host, int(port), sessions[i % len(sessions)][0], stream, opened)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # arrive like people, not all in one instant
    await asyncio.wait_for(asyncio.gather(*[e.wait() for e in events]), 180)
    open_seconds = time.perf_counter() - started
    accepted = sum(1 for s in streams if s.status == 200)
    refused = sum(1 for s in streams if s.status == 503)

    delays = []
    for n in range(EDITS):
        index = n % len(plans)
        cookie, csrf = sessions[index]
        sent, revision = await post_edit(host, int(port), cookie, csrf, plans[index][1], plans[index][2][0], n)
        await asyncio.sleep(0.3)
        for stream in streams:
            if stream.plan_id == plans[index][1] and stream.status == 200:
                arrived = stream.arrivals.get(revision)
                delays.append(arrived - sent if arrived else float("inf"))
    missing = sum(1 for d in delays if d == float("inf"))
    await asyncio.sleep(1.0)  # late arrivals
    page = await asyncio.to_thread(
        serving.load, url, [lambda s=s, p=p: serving.request_bytes("GET", f"/plans/{p[1]}", s[0])
                            for s, p in zip(sessions[:10], plans[:10], strict=True)], PAGE_SECONDS)
    for stream in streams:
        if stream.writer is not None:
            stream.writer.close()
    for task in tasks:
        task.cancel()
    finite = [d for d in delays if d != float("inf")]
    return {"accepted": accepted, "refused": refused, "open_s": open_seconds, "delays": finite, "missing": missing,
            "page_p95": serving.percentile(page.latencies, 95), "page_rps": len(page.latencies) / page.elapsed}


def run(kind: str, sizes: list[int]) -> None:
    """One server on one database, every size in turn."""
    database = serving.fresh_database(kind)
    try:
        plans = serving.seed(database, CLIENTS)
        # 2,000 streams from 50 clients: 40 each, over the per-person cap's default (10).
        server = serving.start_server(database, "gevent", {"LIVE_MAX_STREAMS_PER_PERSON": "100"})
        try:
            sessions = [serving.sign_in(server.url, email) for email, _, _ in plans]
            base = serving.load(server.url, [lambda s=s, p=p: serving.request_bytes("GET", f"/plans/{p[1]}", s[0])
                                             for s, p in zip(sessions[:10], plans[:10], strict=True)], PAGE_SECONDS)
            workers = len(server.pids()) - 1
            print(f"\n{kind}: gevent, {workers} worker process(es); crisis view with no editors open: "
                  f"p95 {serving.percentile(base.latencies, 95) * 1000:.0f} ms, "
                  f"{len(base.latencies) / base.elapsed:.0f} req/s (10 readers); RSS {server.rss_mib():.0f} MiB")
            print(f"{'streams':>8} {'accepted':>8} {'refused':>7} {'open s':>7} {'prop p50':>9} {'prop p95':>9} "
                  f"{'missed':>6} {'RSS MiB':>8} {'page p95':>9} {'page r/s':>8}")
            for count in sizes:
                result = asyncio.run(scenario(server.url, sessions, plans, count))
                rss = server.rss_mib()
                delays = result["delays"]
                print(f"{count:8} {result['accepted']:8} {result['refused']:7} {result['open_s']:7.1f} "
                      f"{serving.percentile(delays, 50) * 1000:7.0f}ms {serving.percentile(delays, 95) * 1000:7.0f}ms "
                      f"{result['missing']:6} {rss:8.0f} {result['page_p95'] * 1000:7.0f}ms {result['page_rps']:8.0f}")
                time.sleep(2)  # the server lets go of the closed streams
        finally:
            server.stop()
    finally:
        database.drop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"],
                        default="both" if os.environ.get("BENCH_POSTGRES") else "sqlite")
    parser.add_argument("--sizes", default="100,500,2000")
    args = parser.parse_args()
    print(f"bench/live_capacity.py: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; "
          f"propagation = from sending an edit to its event on every stream of that plan ({EDITS} edits)")
    started = time.monotonic()
    for kind in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        run(kind, [int(n) for n in args.sizes.split(",")])
    print(f"\n({time.monotonic() - started:.0f} s; load average {os.getloadavg()[0]:.2f} at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
