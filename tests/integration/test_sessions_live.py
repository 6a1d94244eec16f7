"""The session page's event stream: a save is a `change` with the new version, a change of the plan
(a commitment, the co-editor) is a `plan` event, and a therapist whose link ended is told `gone`."""
from __future__ import annotations

from backend.accounts.services import find_user
from backend.db import session_scope
from safety_plans import commitments, invites
from safety_plans.live import slots
from safety_plans.models import Plan
from sessions import live, services


def _save(app, world, session_id, email, fields):
    with app.test_request_context(), session_scope(app) as db:
        plan = db.get(Plan, world.plan_id)
        found = services.get_session(db, plan, session_id)
        services.save(db, plan, found, find_user(db, email), {"base_version": found.version, "fields": fields},
                      plan.created_at.date())


def test_the_stream_tells_saves_plan_changes_and_an_ended_link(app, world, session_id):
    app.config["LIVE_HEARTBEAT_SECONDS"] = 0.2
    with app.test_request_context(), session_scope(app) as db:
        plan, therapist = db.get(Plan, world.plan_id), find_user(db, world.linked_therapist)
        found = services.get_session(db, plan, session_id)
        assert slots(app).take(therapist.id)
        events, close = live.open_stream(app, plan, found, therapist)
    try:
        assert next(events).startswith("retry:")
        assert next(events).startswith("id: 1\nevent: hello")
        _save(app, world, session_id, world.owner, {"mood": 4})
        assert next(events).startswith('id: 2\nevent: change\ndata: {"session":')
        with app.test_request_context(), session_scope(app) as db:
            commitments.add_commitment(db, db.get(Plan, world.plan_id), find_user(db, world.owner), "Rest")
        assert "event: plan" in next(events)
        with app.test_request_context(), session_scope(app) as db:  # the client ends the link
            invites.end_access(db, find_user(db, world.owner), world.linked_therapist_id)
        assert "event: gone" in next(events)
    finally:
        close()
    assert slots(app).open == 0 and slots(app).by_person == {}  # given back, the person's count too
