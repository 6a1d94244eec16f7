"""Two app processes behind one PostgreSQL database: an edit through one is pushed live (SSE) to an
editor connected to the other, through LISTEN/NOTIFY. PostgreSQL only (SQLite is one process)."""
from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import requests

from backend import create_app
from backend.accounts import care
from backend.accounts.services import create_user
from backend.db import get_engine, session_scope
from backend.migrate import upgrade
from safety_plans import plans
from support.databases import drop_database, fresh_database_url
from support.plans import PASSWORD, add_op
from support.two_step import complete_over_http

ROOT = Path(__file__).resolve().parents[2]
SERVE = textwrap.dedent("""
    import sys
    from werkzeug.serving import run_simple
    from backend import create_app
    app = create_app({"DATABASE_URL": sys.argv[1], "INSTANCE_PATH": sys.argv[2]})
    run_simple("127.0.0.1", int(sys.argv[3]), app, threaded=True)
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(db_url: str, instance: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVE, db_url, str(instance), str(port)], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("an app process did not start")


def _signed_in(url: str, email: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(url + "/auth/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = browser.post(url + "/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False)
    answer = complete_over_http(browser, url, email, answer)  # a therapist's second step
    assert answer.status_code == 302
    browser.headers["X-CSRFToken"] = re.search(r'name="csrf-token" content="([^"]+)"',
                                               browser.get(url + "/").text).group(1)
    return browser


@pytest.fixture
def two_processes(tmp_path, postgres_only):
    """A fresh migrated database with Ingrid's plan, and two app processes serving it."""
    db_url = fresh_database_url(tmp_path)
    instance = tmp_path / "instance"
    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(instance)})
    upgrade(app)
    with app.test_request_context(), session_scope(app) as db:
        client = create_user(db, "ingrid@example.org", PASSWORD, display_name="Ingrid")
        therapist = create_user(db, "berg@example.org", PASSWORD, role="therapist", display_name="Dr Berg")
        care.link(db, therapist.id, client.id)
        plan_id = plans.get_or_create_plan(db, client).id
    get_engine(app).dispose()
    started = [_start(db_url, instance), _start(db_url, instance)]
    yield plan_id, started[0][1], started[1][1]
    for process, _ in started:
        process.terminate()
        process.wait(timeout=10)
    drop_database(db_url)


def test_an_edit_through_one_process_reaches_an_editor_on_the_other(two_processes):
    plan_id, first, second = two_processes
    ingrid = _signed_in(second, "ingrid@example.org")
    events: queue.Queue[str] = queue.Queue()
    stream = ingrid.get(f"{second}/api/v1/plans/{plan_id}/events", stream=True, timeout=(5, 30))
    assert stream.status_code == 200

    def read() -> None:
        try:
            for line in stream.iter_lines(decode_unicode=True):
                events.put(line)
        except Exception:  # noqa: BLE001 - the stream is closed at the end of the test
            pass

    threading.Thread(target=read, daemon=True).start()
    assert _next_line(events, "event: hello")

    berg = _signed_in(first, "berg@example.org")
    answer = berg.post(f"{first}/api/v1/plans/{plan_id}/changes", json={"ops": [add_op("reasons", "Spring")]})
    assert answer.status_code == 200
    revision = answer.json()["revision"]
    assert _next_line(events, "event: change")
    assert _next_line(events, "data: ") == f'data: {{"plan":{plan_id},"revision":{revision}}}'
    feed = ingrid.get(f"{second}/api/v1/plans/{plan_id}/changes?since={revision - 1}").json()
    assert [c["after"]["text"] for c in feed["changes"]] == ["Spring"]
    stream.close()


def _next_line(events: queue.Queue, prefix: str, wait: float = 20.0) -> str | None:
    """The next line starting with `prefix` (presence and other events are skipped)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            line = events.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line.startswith(prefix):
            return line
    return None
