"""Session reminders: "check in before your session?" (a client's choice, off by default) and the
plan's review date for the therapist; each offered only to the role it is for."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from backend.accounts.services import find_user
from backend.db import session_scope
from backend.push.reminders import chosen, sources
from safety_plans import plans
from safety_plans.models import Plan
from sessions import reminders, services

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_a_planned_session_without_check_in_reminds_the_client_three_hours_before(app, world):
    assert {"session_checkin", "plan_review"} <= set(sources(app))
    with app.test_request_context(), session_scope(app) as db:
        plan, owner = db.get(Plan, world.plan_id), find_user(db, world.owner)
        soon = services.create_session(db, plan, owner, NOW + timedelta(hours=2))
        services.create_session(db, plan, owner, NOW + timedelta(days=2))  # too early to remind
        db.flush()
        due = reminders.check_in_reminders(db, NOW)
        assert [(r.user_id, r.dedupe_key, r.url) for r in due] == [
            (owner.id, f"session:{soon.id}:checkin", f"/plans/{plan.id}/sessions/{soon.id}#checkin")]
        assert chosen(db, owner.id)["session_checkin"] is False  # off unless the client turns it on
        services.save(db, plan, soon, owner, {"base_version": 1, "fields": {"mood": 5}}, NOW.date())
        assert reminders.check_in_reminders(db, NOW) == []


def test_the_review_date_reminds_each_linked_therapist_at_nine(app, world):
    with app.test_request_context(), session_scope(app) as db:
        plan, therapist = db.get(Plan, world.plan_id), find_user(db, world.linked_therapist)
        plans.mark_reviewed(db, plan, therapist, date(2026, 1, 1), date(2026, 3, 2))
        db.flush()
        due = reminders.review_reminders(db, NOW)
        assert [(r.user_id, r.url) for r in due] == [(therapist.id, "/clients")]
        assert due[0].due_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Oslo
        assert reminders.review_reminders(db, NOW.replace(hour=7)) == []


def test_each_choice_is_offered_only_to_its_role(app, world, sign_in, client):
    sign_in(world.owner)
    html = client.get("/settings/notifications").get_data(as_text=True)
    assert "Check in before my session?" in html and "due for review" not in html
    sign_in(world.linked_therapist)
    html = client.get("/settings/notifications").get_data(as_text=True)
    assert "due for review" in html and "Check in before my session?" not in html
