"""Commitment reminders and "your plan was updated", from safety_plans' models to the phone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from backend.accounts.models import User
from backend.accounts.services import find_user
from backend.db import session_scope
from backend.push import services as push_services
from backend.push.reminders import run_pass, sources
from backend.push.sender import RetryPolicy
from safety_plans import commitments, plans
from safety_plans.models import Commitment, PlanChange

UTC = UTC
CREATED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def oslo(*args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Oslo")).astimezone(UTC)


def run(app, now):
    return run_pass(app, now, RetryPolicy(sleep=lambda s: None))


@pytest.fixture
def client_with_phone(push_app, push_service, make_user):
    """A client in Oslo with a plan and a phone subscribed (the app registers the plan's sources)."""
    assert {"commitments", "plan_updated"} <= set(sources(push_app))
    email = make_user("client", time_zone="Europe/Oslo", locale="en")
    phone = push_service.subscribe()
    with push_app.test_request_context(), session_scope(push_app) as db:
        user = find_user(db, email)
        plan = plans.get_or_create_plan(db, user)
        push_services.add_subscription(db, user, phone.info(), "", None, push_app.config)
        return user.id, plan.id, phone


def add_commitment(app, user_id, plan_id, text, due, author_id=None):
    with app.test_request_context(), session_scope(app) as db:
        author = db.get(User, author_id or user_id)
        commitment = commitments.add_commitment(db, plans.plan_of(db, db.get(User, user_id)), author, text, due=due)
        commitment.created_at = CREATED
        for change in db.scalars(select(PlanChange)):
            change.at = CREATED
        return commitment.id


def test_commitment_reminder_the_evening_before_and_a_follow_up_the_morning_after(
    push_app, push_service, client_with_phone
):
    user_id, plan_id, phone = client_with_phone
    add_commitment(push_app, user_id, plan_id, "Ring Mia på torsdag", "2026-03-12")

    run(push_app, oslo(2026, 3, 11, 17, 59))
    assert push_service.messages() == []
    run(push_app, oslo(2026, 3, 11, 18, 0))
    [reminder] = push_service.messages(phone)
    assert reminder.payload["body"] == "You have a reminder." and "Mia" not in reminder.raw.decode()
    assert reminder.payload["url"] == f"/plans/{plan_id}/commitments"

    run(push_app, oslo(2026, 3, 13, 8, 59))
    assert len(push_service.messages(phone)) == 1
    run(push_app, oslo(2026, 3, 13, 9, 0))
    assert len(push_service.messages(phone)) == 2
    run(push_app, oslo(2026, 3, 13, 9, 30))
    assert len(push_service.messages(phone)) == 2


def test_opted_in_text_and_the_daily_time_are_used(push_app, push_service, client_with_phone):
    user_id, plan_id, phone = client_with_phone
    with push_app.test_request_context(), session_scope(push_app) as db:
        push_services.save_settings(db, db.get(User, user_id), show_text=True, daily_time=time(20, 0))
    add_commitment(push_app, user_id, plan_id, "Ring Mia på torsdag", "2026-03-12")
    run(push_app, oslo(2026, 3, 11, 19, 0))
    assert push_service.messages() == []
    run(push_app, oslo(2026, 3, 11, 20, 1))
    [reminder] = push_service.messages(phone)
    assert reminder.payload["title"] == "Your commitment" and reminder.payload["body"] == "Ring Mia på torsdag"


def test_no_follow_up_once_the_commitment_is_reviewed(push_app, push_service, client_with_phone):
    user_id, plan_id, phone = client_with_phone
    commitment_id = add_commitment(push_app, user_id, plan_id, "Gå en tur", "2026-03-12")
    with session_scope(push_app) as db:
        db.get(Commitment, commitment_id).status = "kept"
    run(push_app, oslo(2026, 3, 11, 18, 5))
    run(push_app, oslo(2026, 3, 13, 9, 5))
    assert push_service.messages() == []


def test_therapist_changes_are_batched_into_one_notification_per_ten_minutes(
    push_app, push_service, client_with_phone, make_user
):
    user_id, plan_id, phone = client_with_phone
    with push_app.test_request_context(), session_scope(push_app) as db:
        therapist = find_user(db, make_user("therapist"))
        plan = plans.plan_of(db, db.get(User, user_id))
        for minute in (1, 4, 9, 12):
            commitments.add_commitment(db, plan, therapist, f"Steg {minute}", due="2026-09-01")
            change = db.scalars(select(PlanChange).order_by(PlanChange.id.desc())).first()
            change.at = datetime(2026, 3, 5, 10, minute, tzinfo=UTC)
        commitments.add_commitment(db, plan, db.get(User, user_id), "Mitt eget", due="2026-09-01")
        own = db.scalars(select(PlanChange).order_by(PlanChange.id.desc())).first()
        own.at = datetime(2026, 3, 5, 11, 0, tzinfo=UTC)

    run(push_app, datetime(2026, 3, 5, 10, 9, tzinfo=UTC))
    assert push_service.messages() == []  # the window is still open
    run(push_app, datetime(2026, 3, 5, 10, 10, tzinfo=UTC))
    [first] = push_service.messages(phone)
    assert first.payload["url"] == f"/plans/{plan_id}" and first.payload["body"] == "You have a reminder."
    run(push_app, datetime(2026, 3, 5, 10, 15, tzinfo=UTC))
    assert len(push_service.messages(phone)) == 1
    run(push_app, datetime(2026, 3, 5, 11, 30, tzinfo=UTC))
    assert len(push_service.messages(phone)) == 2  # 10:12's window; the client's own change sends nothing
