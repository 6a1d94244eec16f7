"""Co-edit propagation: two Chromium editors, then how many open editors one process holds.

Starts gunicorn (gthread, WORKERS/THREADS as `make run`) on a loopback port against a temp SQLite
database. 1) A therapist and a client have the editor open in headless Debian Chromium; the
therapist changes an item 20 times, and we time until the client's page shows it (p50/p95).
2) N plain-HTTP SSE streams (threads) on the client's plan, in steps; for each step 10 edits through
the API, timing until every stream has the `change` event. Bounded counts throughout.

    .venv/bin/python bench/coedit.py
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from common import free_port, make_default, percentile, start_gunicorn  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
PASSWORD = "a calm walk by the river"
EDITS = 20
STEPS = (10, 20, 30, 40)




def seed(db_url: str, instance: Path) -> tuple[int, str]:
    from backend import create_app
    from backend.accounts import care
    from backend.accounts.services import create_user
    from backend.db import get_engine, session_scope
    from backend.migrate import upgrade
    from safety_plans import ops, plans

    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(instance)})
    upgrade(app)
    with app.test_request_context(), session_scope(app) as db:
        client = create_user(db, "ingrid@example.org", PASSWORD, display_name="Ingrid")
        therapist = create_user(db, "berg@example.org", PASSWORD, role="therapist", display_name="Dr Berg")
        care.link(db, therapist.id, client.id)
        plan = plans.get_or_create_plan(db, client)
        op = {"uuid": ops.new_uuid(), "type": "add", "item": ops.new_uuid(), "section": "reasons",
              "fields": {"text": "Start"}}
        ops.apply_ops(db, plan, client, [op])
        ids = plan.id, op["item"]
    get_engine(app).dispose()
    return ids


def signed_in(base: str, email: str) -> requests.Session:
    s = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', s.get(base + "/auth/login").text).group(1)
    s.post(base + "/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    s.headers["X-CSRFToken"] = re.search(r'name="csrf-token" content="([^"]+)"', s.get(base + "/").text).group(1)
    return s


def browsers(base: str, plan_id: int, item: str) -> list[float]:
    from playwright.sync_api import sync_playwright

    from support.live import CHROMIUM_ARGS, chromium_path
    from support.two_step import complete_in_browser  # the therapist's second step (TOTP)

    times = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        pages = []
        for email in ("berg@example.org", "ingrid@example.org"):
            page = browser.new_context().new_page()
            page.goto(base + "/auth/login")
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            complete_in_browser(page, email)
            page.goto(f"{base}/plans/{plan_id}/edit")
            pages.append(page)
        therapist, client = pages
        client.wait_for_selector("[data-presence]:not([hidden])")
        li = f'li[data-item="{item}"]'
        therapist.click(f"{li} summary")
        field = therapist.locator(f'{li} form[data-form="edit"] input[name="text"]')
        for n in range(EDITS):
            text = f"Edit number {n}"
            field.fill(text)
            start = time.perf_counter()
            field.press("Enter")  # saving the item sends at once (typing alone waits 600 ms)
            client.wait_for_function("([sel, t]) => document.querySelector(sel).textContent.includes(t)",
                                     arg=[f"{li} summary", text], timeout=10000)
            times.append((time.perf_counter() - start) * 1000)
            therapist.click(f"{li} summary")  # open the item again for the next edit
        browser.close()
    return times


def streams(base: str, plan_id: int, item: str, n: int) -> tuple[int, list[float]]:
    """Open n SSE streams; returns (how many opened, propagation times of 10 edits in ms)."""
    client = signed_in(base, "ingrid@example.org")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    got: dict[int, list] = {}
    opened = []
    lock = threading.Lock()
    stop = threading.Event()

    def reader(k: int) -> None:
        sock = socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=60)
        sock.sendall(f"GET /api/v1/plans/{plan_id}/events HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n"
                     f"Accept: text/event-stream\r\n\r\n".encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += sock.recv(4096)
        if b" 200 " not in buf.split(b"\r\n", 1)[0]:
            sock.close()
            return
        with lock:
            opened.append(k)
        sock.settimeout(1)
        while not stop.is_set():
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            now = time.perf_counter()
            for rev in re.findall(rb"event: change\ndata: \{\"plan\":\d+,\"revision\":(\d+)", chunk):
                with lock:
                    got.setdefault(int(rev), []).append(now)
        sock.close()

    threads = [threading.Thread(target=reader, args=(k,), daemon=True) for k in range(n)]
    for t in threads:
        t.start()
    time.sleep(2)
    times = []
    version = client.get(f"{base}/api/v1/plans/{plan_id}").json()
    for e in range(10):
        current = next(i for s in version["sections"] for i in s["items"] if i["uuid"] == item)["version"]
        start = time.perf_counter()
        answer = client.post(f"{base}/api/v1/plans/{plan_id}/changes", json={"ops": [{
            "uuid": f"bench-{n}-{e}-{time.time_ns()}", "type": "edit", "item": item, "base_version": current,
            "fields": {"text": f"Stream edit {n}-{e}"}}]}).json()
        rev = answer["revision"]
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            with lock:
                if len(got.get(rev, [])) >= len(opened):
                    break
            time.sleep(0.005)
        with lock:
            times += [(t - start) * 1000 for t in got.get(rev, [])]
            times += [5000.0] * (len(opened) - len(got.get(rev, [])))
        version = client.get(f"{base}/api/v1/plans/{plan_id}").json()
    stop.set()
    for t in threads:
        t.join(timeout=3)
    return len(opened), times


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="trygg-coedit-"))
    db_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workers, threads = make_default("WORKERS"), make_default("THREADS")
    env = {**os.environ, "DATABASE_URL": db_url, "TRYGG_INSTANCE_PATH": str(tmp / "instance"), "TRYGG_BASE_URL": base}
    os.environ["TRYGG_INSTANCE_PATH"] = str(tmp / "instance")
    plan_id, item = seed(db_url, tmp / "instance")
    server = start_gunicorn(port, env, workers, threads)
    try:
        print(f"gunicorn gthread, {workers} workers x {threads} threads, SQLite, LIVE_MAX_STREAMS="
              f"{os.environ.get('LIVE_MAX_STREAMS', 24)} per process")
        t = browsers(base, plan_id, item)
        print(f"browser to browser ({len(t)} edits): p50 {percentile(t, 50):.0f} ms, p95 {percentile(t, 95):.0f} ms")
        held = 0
        for n in STEPS:
            opened, times = streams(base, plan_id, item, n)
            p95 = percentile(times, 95) if times else float("nan")
            print(f"{n} streams asked, {opened} open: propagation p50 {percentile(times, 50):.0f} ms, p95 {p95:.0f} ms")
            if opened == n and p95 <= 1000:
                held = n
        print(f"open editors held with p95 <= 1 s: {held} (all processes); the cap refuses more with 503")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()  # open streams hold gunicorn's graceful stop
            server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
