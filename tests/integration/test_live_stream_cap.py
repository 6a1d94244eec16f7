"""Live streams per person (issue 26, point 8): on `make run`'s server (gunicorn, gevent worker), one
person holds at most `LIVE_MAX_STREAMS_PER_PERSON` open event streams in a process; one more gets
503 with Retry-After (the page polls), while someone else is still served, and a stream that
closes, even without a word, gives its slot back."""
from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import create_engine, func, select

from safety_plans.models import PlanPresence
from support import gunicorn

PER_PERSON = 3
THERAPIST = "berg@example.org"


@pytest.fixture
def server(tmp_path):
    """The server on a fresh database (Ingrid, her plan, her therapist), a low per-person cap."""
    from support.databases import drop_database, fresh_database_url

    seeded = gunicorn.seed(fresh_database_url(tmp_path), tmp_path / "instance", therapist=THERAPIST)
    process, url = gunicorn.start(seeded, {"LIVE_MAX_STREAMS_PER_PERSON": str(PER_PERSON), "WORKERS": "1"})
    yield seeded, url
    gunicorn.stop(process)
    drop_database(seeded.db_url)


def _cookie(url: str, email: str) -> str:
    browser = gunicorn.signed_in(url, email)
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


def _open(url: str, path: str, cookie: str) -> tuple[socket.socket, int, str]:
    """An EventSource-like reader: (its socket, the status, the head) once the first event (200)
    or the whole answer's head (anything else) arrived."""
    port = int(url.rsplit(":", 1)[1])
    reader = socket.create_connection(("127.0.0.1", port), timeout=10)
    reader.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                   f"Cookie: {cookie}\r\n\r\n".encode())
    seen = b""
    while True:
        chunk = reader.recv(4096)
        seen += chunk
        if not chunk or b"event: hello" in seen or (b"\r\n\r\n" in seen and not seen.startswith(b"HTTP/1.1 200")):
            break
    status = int(seen.split(b" ", 2)[1]) if seen.startswith(b"HTTP/1.1 ") else 0
    return reader, status, seen.split(b"\r\n\r\n", 1)[0].decode("latin-1")


def _present(db_url: str) -> int:
    """Open editor streams, as the database knows them (a row per stream)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(PlanPresence)) or 0
    finally:
        engine.dispose()


def _wait_for(check, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_one_person_gets_their_cap_of_streams_and_others_are_still_served(server):
    seeded, url = server
    path = f"/api/v1/plans/{seeded.plan_id}/events"
    ingrid, berg = _cookie(url, seeded.client_email), _cookie(url, THERAPIST)

    opened = [_open(url, path, ingrid) for _ in range(PER_PERSON)]
    assert [status for _, status, _ in opened] == [200] * PER_PERSON
    extra, status, head = _open(url, path, ingrid)
    extra.close()
    assert status == 503, head
    retry = [line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.lower().startswith("retry-after:")]
    assert retry and int(retry[0]) > 0, head  # the editor polls meanwhile and tries again later

    # Her therapist, in the same process, is served: the cap is hers, not everyone's.
    therapist, status, head = _open(url, path, berg)
    assert status == 200, head

    # One of her phones goes away without a word: its slot comes back, and a new stream is taken.
    opened.pop()[0].close()
    assert _wait_for(lambda: _present(seeded.db_url) == PER_PERSON)  # hers, less one, and Berg's
    again, status, head = _open(url, path, ingrid)
    assert status == 200, head
    for reader in [again, therapist, *(reader for reader, _, _ in opened)]:
        reader.close()


def test_slots_of_readers_who_left_are_not_lost(server):
    """Rounds of 'open the cap, then drop every connection': the count never leaks, so each round
    gets the whole cap again (and one more is still refused)."""
    seeded, url = server
    path = f"/api/v1/plans/{seeded.plan_id}/events"
    ingrid = _cookie(url, seeded.client_email)
    for _ in range(3):
        opened = [_open(url, path, ingrid) for _ in range(PER_PERSON)]
        assert [status for _, status, _ in opened] == [200] * PER_PERSON
        extra, status, _ = _open(url, path, ingrid)
        extra.close()
        assert status == 503
        for reader, _, _ in opened:
            reader.close()
        assert _wait_for(lambda: _present(seeded.db_url) == 0), "closed streams are still counted"
