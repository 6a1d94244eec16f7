"""Reminder sources for Web Push: commitments and "your safety plan was updated".

The platform's worker (backend.push.reminders) asks these sources what is due at `now`; it
handles settings, quiet hours, dedupe and sending. Wire them with `register(app)`.

Commitments have no reminder time of their own, so the reminder comes the day before `due` at the
person's daily-reminder time (18:00 unless they chose another), and a gentle "how did it go?"
the morning after `due` (09:00 their time) while the commitment is still open.
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import User
from backend.push.kinds import Choice, Kind, register_choice, register_kind
from backend.push.reminders import DueReminder, local_moment, register_source, settings_for, user_zone
from safety_plans.models import Commitment, Plan, PlanChange

FOLLOW_UP_AT = time(9, 0)
BATCH = timedelta(minutes=10)
LOOKBACK = timedelta(days=2)


def commitment_reminders(db: Session, now: datetime) -> list[DueReminder]:
    """The day-before reminder and the morning-after follow-up of open commitments."""
    today = now.date()
    rows = db.execute(
        select(Commitment, Plan.owner_id, User)
        .join(Plan, Plan.id == Commitment.plan_id)
        .join(User, User.id == Plan.owner_id)
        .where(Commitment.status == "open", Commitment.due.is_not(None),
               Commitment.due.between(today - timedelta(days=3), today + timedelta(days=3)),
               User.active.is_(True))
    ).all()
    due = []
    for commitment, owner_id, owner in rows:
        if commitment.due is None:  # the query keeps only commitments with a date
            continue
        zone = user_zone(owner)
        url = f"/plans/{commitment.plan_id}/commitments"
        before = local_moment(commitment.due - timedelta(days=1), settings_for(db, owner_id).daily_time, zone)
        # A commitment made after its reminder time would otherwise be "reminded" at once.
        if before <= now and before >= commitment.created_at:
            due.append(DueReminder(owner_id, "commitment", f"commitment:{commitment.id}:before", url,
                                   before, private_text=commitment.text))
        follow_up = local_moment(commitment.due + timedelta(days=1), FOLLOW_UP_AT, zone)
        if follow_up <= now:
            due.append(DueReminder(owner_id, "commitment_followup", f"commitment:{commitment.id}:followup",
                                   url, follow_up, private_text=commitment.text))
    return due


def _bucket_end(at: datetime) -> tuple[int, datetime]:
    """The 10-minute window a change falls in, and when that window closes."""
    seconds = int(at.timestamp()) // int(BATCH.total_seconds())
    return seconds, datetime.fromtimestamp((seconds + 1) * BATCH.total_seconds(), tz=UTC)


def plan_updated_reminders(db: Session, now: datetime) -> list[DueReminder]:
    """"Your safety plan was updated" when someone else (the therapist) changed it.

    Changes are batched per plan in 10-minute windows: one notification when a window closes,
    so a therapist editing for a while sends at most one per plan per 10 minutes.
    """
    rows = db.execute(
        select(PlanChange.plan_id, PlanChange.at, Plan.owner_id)
        .join(Plan, Plan.id == PlanChange.plan_id)
        .where(PlanChange.at >= now - LOOKBACK, PlanChange.at <= now,
               PlanChange.author_id.is_not(None), PlanChange.author_id != Plan.owner_id)
    ).all()
    due: dict[str, DueReminder] = {}
    for plan_id, at, owner_id in rows:
        bucket, closes = _bucket_end(at)
        key = f"plan-updated:{plan_id}:{bucket}"
        if closes <= now and key not in due:
            due[key] = DueReminder(owner_id, "plan_updated", key, f"/plans/{plan_id}", closes)
    return list(due.values())


def register(app: Flask) -> None:
    """Give the push worker this package's reminders: the choices on the settings page, how each
    kind is worded, and the sources that say what is due."""
    register_choice(app, Choice("commitments", _l("Reminders about my commitments"), default=True, order=10))
    register_choice(app, Choice("plan_updated", _l("When my therapist has changed my safety plan"),
                                default=True, order=20))
    register_kind(app, Kind("commitment", "commitments", 12 * 3600, "normal", timedelta(hours=18),
                            words=lambda text: (_("Your commitment"), text)))
    register_kind(app, Kind("commitment_followup", "commitments", 24 * 3600, "low", timedelta(hours=30),
                            words=lambda text: (_("How did it go?"), text)))
    register_kind(app, Kind("plan_updated", "plan_updated", 24 * 3600, "low", timedelta(hours=36),
                            words=lambda text: ("Trygg", _("Your safety plan was updated."))))
    register_source(app, "commitments", commitment_reminders)
    register_source(app, "plan_updated", plan_updated_reminders)
