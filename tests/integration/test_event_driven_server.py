"""`make run`'s server (gunicorn, gevent worker, deploy/gunicorn.conf.py) on a real port: open editor
streams hold no thread and give their slot back the moment their reader goes, and slow or half-open
clients cannot exhaust it (issue 13, point 6: 70 half-sent requests made health checks time out)."""
from __future__ import annotations

import socket
import time

import pytest
import requests
from sqlalchemy import create_engine, func, select

from safety_plans.models import PlanPresence
from support import gunicorn

CAP = 40


@pytest.fixture
def server(tmp_path):
    """The server on a fresh database, its stream cap lowered so the test can reach it (as one
    person: their own cap is raised to it; tests/integration/test_live_stream_cap.py tests that)."""
    from support.databases import drop_database, fresh_database_url

    seeded = gunicorn.seed(fresh_database_url(tmp_path), tmp_path / "instance")
    process, url = gunicorn.start(seeded, {"LIVE_MAX_STREAMS": str(CAP), "LIVE_MAX_STREAMS_PER_PERSON": str(CAP),
                                           "WORKERS": "1"})
    yield seeded, url
    gunicorn.stop(process)
    drop_database(seeded.db_url)


def _open_stream(url: str, path: str, cookie: str) -> socket.socket:
    """An EventSource-like reader: sends its request, reads until the first event (or a refusal)."""
    port = int(url.rsplit(":", 1)[1])
    reader = socket.create_connection(("127.0.0.1", port), timeout=10)
    reader.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                   f"Cookie: {cookie}\r\n\r\n".encode())
    return reader


def _status_and_hello(reader: socket.socket) -> int:
    """The answer's status, once the first event (200) or the whole head (anything else) arrived."""
    seen = b""
    while True:
        chunk = reader.recv(4096)
        seen += chunk
        if not chunk or b"event: hello" in seen or (b"\r\n\r\n" in seen and not seen.startswith(b"HTTP/1.1 200")):
            return int(seen.split(b" ", 2)[1]) if seen.startswith(b"HTTP/1.1 ") else 0


def _open_editors(url: str, path: str, cookie: str, count: int) -> tuple[list[socket.socket], list[int]]:
    readers = [_open_stream(url, path, cookie) for _ in range(count)]
    return readers, [_status_and_hello(r) for r in readers]


def _present(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(PlanPresence)) or 0
    finally:
        engine.dispose()


def _wait_for(check, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_stream_slots_come_back_the_moment_readers_go(server):
    seeded, url = server
    browser = gunicorn.signed_in(url, seeded.client_email)
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    path = f"/api/v1/plans/{seeded.plan_id}/events"

    readers, statuses = _open_editors(url, path, cookie, CAP)
    assert statuses == [200] * CAP
    assert _present(seeded.db_url) == CAP
    # One more than the cap: refused, and the editor falls back to polling.
    extra, [status] = _open_editors(url, path, cookie, 1)
    assert status == 503
    extra[0].close()
    # Pages still answer while every stream is open (no thread is held by them).
    assert browser.get(f"{url}/plans/{seeded.plan_id}", timeout=5).status_code == 200

    for reader in readers:  # the phones go away without a word
        reader.close()
    assert _wait_for(lambda: _present(seeded.db_url) == 0), "presence of closed streams is still counted"

    # Every slot is free again: the same number of editors is accepted at once.
    readers, statuses = _open_editors(url, path, cookie, CAP)
    assert statuses == [200] * CAP
    for reader in readers:
        reader.close()


def test_half_sent_requests_do_not_starve_health_checks_or_pages(server):
    seeded, url = server
    port = int(url.rsplit(":", 1)[1])
    stalled = []
    for _ in range(80):  # more than gthread's 2 x 32 threads ever had
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # and never the rest
        stalled.append(s)
    try:
        for _ in range(3):
            started = time.monotonic()
            assert requests.get(url + "/healthz", timeout=5).json() == {"status": "ok"}
            assert requests.get(url + "/help", timeout=5).status_code == 200
            assert time.monotonic() - started < 2.0
    finally:
        for s in stalled:
            s.close()


def test_one_heartbeat_keeps_every_stream_present_and_finds_ended_access(app, world):
    """The Heart marks all of a process's streams present in one transaction and names the ones
    whose reader lost access (a link ended without anyone being told)."""
    from datetime import timedelta

    from backend.accounts import care
    from backend.accounts.services import find_user
    from backend.db import session_scope, utcnow
    from safety_plans.live import Heart

    old = utcnow() - timedelta(seconds=30)
    with app.test_request_context(), session_scope(app) as db:
        owner, berg = find_user(db, world.owner), find_user(db, world.linked_therapist)
        for stream, user in (("s-owner", owner), ("s-berg", berg)):
            db.add(PlanPresence(stream=stream, plan_id=world.plan_id, user_id=user.id, last_seen=old))
        ids = {"owner": owner.id, "berg": berg.id}
    told: list[dict] = []
    streams = {"s-owner": (world.plan_id, ids["owner"], told.append),
               "s-berg": (world.plan_id, ids["berg"], told.append)}
    heart = Heart(app)
    assert heart.beat(streams) == []
    with session_scope(app) as db:
        assert all(row.last_seen > old for row in db.scalars(select(PlanPresence)))
        care.end_link(db, ids["berg"], ids["owner"])
    assert heart.beat(streams) == ["s-berg"]
