"""Crisis view: its gzip size as one response, and server time under 50 concurrent clients.

Starts gunicorn on a free loopback port against a fresh SQLite database in a temp dir, fills 50
clients' plans, signs each in, then has 50 threads fetch their crisis view (bounded request count).
Prints the compressed size of the HTML (and of the two stylesheets it links), and p50/p95 of the
server's own request time (gunicorn's %(D)s) and of the time the clients saw.

    .venv/bin/python bench/crisis_view.py
"""

from __future__ import annotations

import gzip
import http.cookiejar
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from common import free_port, make_default, percentile, start_gunicorn  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENTS = 50
REQUESTS_PER_CLIENT = 20  # 1,000 requests in all
PASSWORD = "a calm walk by the river"


def seed(db_url: str, instance: Path) -> list[str]:
    """Migrate, then give 50 clients a realistic plan; returns their emails."""
    from backend import create_app
    from backend.accounts.services import create_user
    from backend.db import session_scope
    from backend.migrate import upgrade
    from safety_plans import commitments, ops, plans

    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(instance)})
    upgrade(app)
    emails = []
    with app.test_request_context(), session_scope(app) as db:
        for n in range(CLIENTS):
            email = f"client{n}@example.org"
            user = create_user(db, email, PASSWORD, display_name=f"Client {n}", country="NO", locale="nb")
            plan = plans.get_or_create_plan(db, user)
            batch = []
            for section, texts in {
                "warning_signs": ["I stop answering messages", "I sleep badly", "Everything feels grey"],
                "inner_coping": ["Take a warm shower", "Walk round the block", "Listen to music", "Hold ice"],
                "distraction": ["The library", "Café Kaffebrenneriet"],
                "safe_environment": ["Medicines with my sister", "No alcohol at home"],
                "reasons": ["My children", "My dog Tass", "The trip to Lofoten"],
                "grounding": ["Name five things I see"],
            }.items():
                batch += [
                    {
                        "uuid": ops.new_uuid(),
                        "type": "add",
                        "item": ops.new_uuid(),
                        "section": section,
                        "fields": {"text": t},
                    }
                    for t in texts
                ]
            for name, phone in (
                ("Sister Kari", "+47 999 88 777"),
                ("Friend Ola", "+47 411 22 333"),
                ("Neighbour Per", "+47 922 33 444"),
            ):
                batch.append(
                    {
                        "uuid": ops.new_uuid(),
                        "type": "add",
                        "item": ops.new_uuid(),
                        "section": "support",
                        "fields": {
                            "text": name,
                            "phone": phone,
                            "agreed": True,
                            "sms_message": "Can you call me? I'm having a hard time.",
                        },
                    }
                )
            batch.append(
                {
                    "uuid": ops.new_uuid(),
                    "type": "add",
                    "item": ops.new_uuid(),
                    "section": "professionals",
                    "fields": {"text": "Dr Berg, DPS", "phone": "22 00 00 00"},
                }
            )
            ops.apply_ops(db, plan, user, batch)
            commitments.add_commitment(db, plan, user, "Call Kari on Sunday", due="2026-12-01")
            emails.append(email)
    from backend.db import get_engine

    get_engine(app).dispose()
    return emails


def sign_in(base: str, email: str) -> tuple[urllib.request.OpenerDirector, str]:
    """A cookie-keeping opener signed in as `email`, and the URL of their plan."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/auth/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD}).encode()
    response = opener.open(base + "/auth/login", data=data)
    return opener, response.geturl()


def main() -> int:
    workers, thread_count = make_default("WORKERS"), make_default("THREADS")
    tmp = Path(tempfile.mkdtemp(prefix="trygg-bench-"))
    db_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    access_log = tmp / "access.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "TRYGG_INSTANCE_PATH": str(tmp / "instance"),
        "TRYGG_BASE_URL": base,
        "PORT": str(port),
    }
    os.environ.update({"TRYGG_INSTANCE_PATH": str(tmp / "instance")})
    server = None
    try:
        emails = seed(db_url, tmp / "instance")
        server = start_gunicorn(
            port,
            env,
            workers,
            thread_count,
            ["--access-logfile", str(access_log), "--access-logformat", "%(U)s %(s)s %(D)s"],
        )
        sessions = [sign_in(base, e) for e in emails]
        opener, plan_url = sessions[0]
        body = opener.open(plan_url).read()
        css = re.findall(rb'href="(/assets/[^"]+\.css)"', body)
        css_sizes = [(c.decode(), len(gzip.compress(opener.open(base + c.decode()).read(), 6))) for c in css]
        print(f"crisis view: 1 HTML response, {len(body)} bytes, {len(gzip.compress(body, 6))} bytes gzip (level 6)")
        for path, size in css_sizes:
            print(f"  stylesheet {path}: {size} bytes gzip (cached for a year)")
        print(f"  HTML + stylesheets: {len(gzip.compress(body, 6)) + sum(s for _, s in css_sizes)} bytes gzip")
        access_log.write_text("")  # measure only the load below

        seen: list[float] = []
        errors = []
        lock = threading.Lock()

        def run(opener, url):
            for _ in range(REQUESTS_PER_CLIENT):
                start = time.perf_counter()
                try:
                    response = opener.open(url)
                    response.read()
                    ok = response.status == 200
                except OSError as exc:  # noqa: PERF203 - counted, reported
                    ok = False
                    errors.append(str(exc))
                with lock:
                    if ok:
                        seen.append((time.perf_counter() - start) * 1000)

        threads = [threading.Thread(target=run, args=s) for s in sessions]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        time.sleep(0.5)  # let gunicorn flush its log
        server_ms = [
            int(line.split()[2]) / 1000
            for line in access_log.read_text().splitlines()
            if line.startswith("/plans/") and line.split()[1] == "200"
        ]
        total = CLIENTS * REQUESTS_PER_CLIENT
        print(
            f"load: {CLIENTS} concurrent clients, {total} requests, {len(errors)} errors, "
            f"{total / elapsed:.0f} requests/s (make run's gunicorn, gevent, WORKERS={workers or 'auto'}, SQLite, "
            f"{os.cpu_count()} CPUs)"
        )
        if server_ms:
            print(
                f"server time (gunicorn's own clock): p50 {statistics.median(server_ms):.1f} ms, "
                f"p95 {percentile(server_ms, 95):.1f} ms ({len(server_ms)} requests)"
            )
        print(f"client-seen time: p50 {statistics.median(seen):.1f} ms, p95 {percentile(seen, 95):.1f} ms")
        return 0 if not errors else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
