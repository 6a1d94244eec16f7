"""The real server as `make run` starts it (gunicorn with `deploy/gunicorn.conf.py`, the gevent
worker) on a free loopback port, over a fresh migrated database with one client and their plan."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from backend import create_app
from backend.accounts.services import create_user
from backend.broker import get_broker
from backend.db import get_engine, session_scope
from backend.migrate import upgrade
from safety_plans import plans
from support.plans import PASSWORD
from support.two_step import complete_over_http

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Seeded:
    """A migrated database and what is in it."""

    db_url: str
    instance: Path
    plan_id: int
    client_email: str


def seed(db_url: str, instance: Path, therapist: str | None = None) -> Seeded:
    """Migrate an empty database and give it Ingrid (a client) with her plan (and a linked therapist)."""
    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(instance)})
    upgrade(app)
    with app.test_request_context(), session_scope(app) as db:
        client = create_user(db, "ingrid@example.org", PASSWORD, display_name="Ingrid")
        if therapist:
            from backend.accounts import care

            berg = create_user(db, therapist, PASSWORD, role="therapist", display_name="Dr Berg")
            care.link(db, berg.id, client.id)
        plan_id = plans.get_or_create_plan(db, client).id
    get_broker(app).stop()
    get_engine(app).dispose()
    return Seeded(db_url, instance, plan_id, "ingrid@example.org")


def start(seeded: Seeded, env: dict | None = None, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """gunicorn as `make run` serves (the same config file) on this database; returns (process, URL)."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--config", str(CONFIG), "backend:create_app()"], cwd=ROOT,
        env={**os.environ, "DATABASE_URL": seeded.db_url, "TRYGG_INSTANCE_PATH": str(seeded.instance),
             "TRYGG_BASE_URL": url, "PORT": str(port), "HOST": "127.0.0.1", "ACCESS_LOG": "",
             "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=subprocess.DEVNULL, stderr=open(os.environ.get("TRYGG_TEST_SERVER_LOG", os.devnull), "ab"),
        start_new_session=True)
    for _ in range(200):
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return process, url
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    pytest.fail("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    """Stop a server started here (its own process group: the arbiter and its workers)."""
    if process.poll() is None:
        os.killpg(process.pid, 3)  # SIGQUIT: gunicorn's quick shutdown
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=5)


def signed_in(url: str, email: str) -> requests.Session:
    """A requests session signed in through the real form (a therapist's second step too), with
    the page's CSRF token set for API writes."""
    browser = requests.Session()
    page = browser.get(url + "/auth/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = browser.post(url + "/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False)
    answer = complete_over_http(browser, url, email, answer)
    assert answer.status_code == 302
    browser.headers["X-CSRFToken"] = re.search(r'name="csrf-token" content="([^"]+)"',
                                               browser.get(url + "/").text).group(1)
    return browser
