"""How soon after sign-in the home-screen icon works offline (issue 27, point 1).

Starts a live Trygg on a temporary SQLite database and a persistent Chromium profile at 390x844.
Each run signs a new client in (the service worker already controls the sign-in page, as after a
person has typed for a few seconds) and polls the worker's page cache every 10 ms from the moment
"Log inn" is pressed, printing when each of these was first kept:

- the crisis view (`/plans/<id>`), and `/` leading to it: what the icon opens;
- `/now` ("I need help now", the shortcut);
- `/offline`, the last page the warming keeps.

Also the time until the crisis view was shown. Prints every run and the medians; it never passes or
fails. Runs: RUNS (default 7). The load: this script, the server thread and Chromium share the
machine's cores with whatever else runs; it prints the 1-minute load average before and after.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from playwright.sync_api import sync_playwright  # noqa: E402

from backend.accounts.services import create_user  # noqa: E402
from backend.db import session_scope  # noqa: E402
from backend.i18n_tools import compile_all  # noqa: E402
from safety_plans import ops, plans  # noqa: E402
from support.live import CHROMIUM_ARGS, chromium_path, start_live_server  # noqa: E402
from support.plans import add_op  # noqa: E402

PASSWORD = "a calm walk by the river"
RUNS = int(os.environ.get("RUNS", "7"))
SAVED = "caches.open('trygg-pages').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"
CONTROLLED = "navigator.serviceWorker.controller !== null"


def seed(app, n: int) -> tuple[str, int]:
    with app.test_request_context(), session_scope(app) as db:
        user = create_user(db, f"icon{n}@example.org", PASSWORD, role="client", locale="nb", country="NO")
        plan = plans.get_or_create_plan(db, user)
        ops.apply_ops(db, plan, user, [add_op("support", "Mamma", phone="+47 912 34 567", agreed=True),
                                       add_op("inner_coping", "Holde noe kaldt")])
        return user.email, plan.id


def one_run(playwright, base: str, profile: Path, email: str, plan_id: int) -> dict:
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
        locale="nb-NO", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{base}/auth/login?lang=nb")
        deadline = time.monotonic() + 20
        while not page.evaluate(CONTROLLED) and time.monotonic() < deadline:
            page.reload()  # a page loaded before the worker activated stays uncontrolled
            time.sleep(0.2)
        page.locator("#email").fill(email)
        page.locator("#password").fill(PASSWORD)
        wanted = {"crisis view": f"/plans/{plan_id}", "/": "/", "/now": "/now", "/offline": "/offline"}
        first: dict[str, float] = {}
        started = time.monotonic()
        page.get_by_role("button", name="Logg inn").click()
        shown = None
        deadline = started + 30
        while len(first) < len(wanted) and time.monotonic() < deadline:
            try:
                if shown is None and page.url.endswith(f"/plans/{plan_id}"):
                    shown = (time.monotonic() - started) * 1000
                saved = set(page.evaluate(SAVED))
            except Exception:  # noqa: BLE001 - the page is navigating
                saved = set()
            now = (time.monotonic() - started) * 1000
            for name, path in wanted.items():
                if path in saved and name not in first:
                    first[name] = now
            time.sleep(0.01)
        return {"shown": shown, **{name: first.get(name) for name in wanted}}
    finally:
        context.close()


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    compile_all()
    load_before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        server, thread, live, _ = start_live_server(Path(tmp))
        try:
            with sync_playwright() as playwright:
                for n in range(RUNS):
                    email, plan_id = seed(live.app, n)
                    rows.append(one_run(playwright, live.url, Path(tmp) / f"profile{n}", email, plan_id))
        finally:
            server.shutdown()
            thread.join(timeout=5)
    columns = ["shown", "crisis view", "/", "/now", "/offline"]
    print("ms after pressing 'Logg inn' (server: threaded werkzeug, SQLite; Chromium at 390x844)")
    print("run  " + "  ".join(f"{c:>12}" for c in columns))
    for n, row in enumerate(rows):
        print(f"{n:>3}  " + "  ".join(f"{row[c]:>12.0f}" if row[c] is not None else f"{'never':>12}"
                                      for c in columns))
    print("med  " + "  ".join(
        f"{statistics.median(v):>12.0f}" if (v := [r[c] for r in rows if r[c] is not None]) else f"{'never':>12}"
        for c in columns))
    missing = sum(row[c] is None for row in rows for c in columns)
    print(f"not kept within 30 s: {missing} of {len(rows) * len(columns)}; "
          f"load average (1 min) before {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
