"""The therapist's workspace (`GET /clients`) for a therapist with 60 linked clients, each with a
plan, commitments (one past its date) and three sessions with check-in and feedback. Run in
process with Flask's test client, so the times are the server's own (no network, no browser);
prints p50/p95 and the number of database queries per request (bounded: it must not grow with
the number of clients).

    .venv/bin/python bench/workspace.py [--clients 60] [--requests 60]
    DATABASE_URL=postgresql://trygg@127.0.0.1:55433/bench_ws .venv/bin/python bench/workspace.py
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, percentile  # noqa: E402

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
PASSWORD = "a calm walk by the river"


def seed(app, clients: int) -> str:
    """A therapist with `clients` linked clients, each with a plan, commitments and 3 sessions."""
    from backend.accounts import care
    from backend.accounts.services import create_user
    from backend.db import session_scope
    from safety_plans import commitments, ops, plans
    from sessions import services

    with app.test_request_context(), session_scope(app) as db:
        therapist = create_user(db, "berg@example.org", PASSWORD, role="therapist", display_name="Dr Berg")
        for n in range(clients):
            person = create_user(db, f"client{n}@example.org", PASSWORD, display_name=f"Client {n:02d}")
            care.link(db, therapist.id, person.id)
            plan = plans.get_or_create_plan(db, person)
            ops.apply_ops(db, plan, person, [
                {"uuid": ops.new_uuid(), "type": "add", "item": ops.new_uuid(), "section": section,
                 "fields": {"text": f"{section} {n}"}}
                for section in ("warning_signs", "inner_coping", "support", "reasons")])
            commitments.add_commitment(db, plan, therapist, "Walk after dinner", due="2099-01-01")
            commitments.add_commitment(db, plan, therapist, "Call my sister", due="2000-01-01")
            for k in range(3):
                found = services.create_session(db, plan, therapist)
                db.flush()
                score = 8 - (k == 2 and n % 5 == 0) * 3
                services.save(db, plan, found, person, {"base_version": 1, "fields": {
                    "mood": 5 + k, "coping": "Walks", "fb_heard": score, "fb_wanted": score, "fb_fit": 8,
                    "fb_overall": score, "hope": 6}}, plan.created_at.date())
        return therapist.email


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    from sqlalchemy import event

    from backend import create_app
    from backend.db import get_engine
    from backend.migrate import upgrade
    from support.forms import AuthActions

    tmp = Path(tempfile.mkdtemp(prefix="trygg-bench-ws-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp / "instance")})
    upgrade(app)
    started = time.perf_counter()
    email = seed(app, args.clients)
    print(f"seeded {args.clients} clients x (plan, 2 commitments, 3 sessions) in {time.perf_counter() - started:.1f} s"
          f" on {url.split(':', 1)[0]}")
    client = app.test_client()
    assert AuthActions(client).login(email, PASSWORD).status_code == 302
    queries = [0]

    def tick(*_args) -> None:
        queries[0] += 1

    event.listen(get_engine(app), "before_cursor_execute", tick)
    times, counts = [], []
    for n in range(args.requests + 3):
        queries[0] = 0
        start = time.perf_counter()
        response = client.get("/clients")
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.status_code
        if n >= 3:  # the first few warm caches (templates, catalogs)
            times.append(elapsed)
            counts.append(queries[0])
    html = response.get_data(as_text=True)
    charts, prompts = html.count('class="ss-trend"'), html.count('class="ss-prompt"')
    print(f"GET /clients with {args.clients} clients: p50 {percentile(times, 50):.1f} ms, "
          f"p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms over {len(times)} requests")
    print(f"queries per request: {min(counts)}–{max(counts)}; rows drawn: {html.count('<tr') - 1}, "
          f"trend charts: {charts}, prompts: {prompts}")
    get_engine(app).dispose()


if __name__ == "__main__":
    main()
