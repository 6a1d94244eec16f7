"""Reminders for Web Push (the platform's worker sends them; see safety_plans/reminders.py):

- a client's "check in before your session?" (off unless they turn it on): three hours before a
  planned session they have not checked in to yet;
- a therapist's "a client's plan is due for review" (on by default): at 09:00 their time on the
  plan's next review date, for each therapist linked then. No names in the push: a tap opens the
  workspace.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.care import CareLink
from backend.accounts.models import User
from backend.push.kinds import Choice, Kind, register_choice, register_kind
from backend.push.reminders import DueReminder, local_moment, register_source, user_zone
from safety_plans.models import Plan
from sessions.models import TherapySession

CHECK_IN_BEFORE = timedelta(hours=3)
REVIEW_AT = time(9, 0)


def check_in_reminders(db: Session, now: datetime) -> list[DueReminder]:
    """Planned sessions coming up without a check-in: remind the client a few hours before."""
    rows = db.execute(
        select(TherapySession.id, TherapySession.plan_id, TherapySession.scheduled_at, Plan.owner_id)
        .join(Plan, Plan.id == TherapySession.plan_id)
        .join(User, User.id == Plan.owner_id)
        .where(TherapySession.state == "open", TherapySession.checked_in_at.is_(None),
               TherapySession.scheduled_at > now, TherapySession.scheduled_at <= now + CHECK_IN_BEFORE,
               User.active.is_(True))
    ).all()
    return [DueReminder(owner_id, "session_checkin", f"session:{sid}:checkin",
                        f"/plans/{plan_id}/sessions/{sid}#checkin", at - CHECK_IN_BEFORE)
            for sid, plan_id, at, owner_id in rows if at is not None]


def review_reminders(db: Session, now: datetime) -> list[DueReminder]:
    """Plans whose next review is today or was in the last two days, for their linked therapists."""
    rows = db.execute(
        select(Plan.id, Plan.next_review_on, User)
        .join(CareLink, (CareLink.client_id == Plan.owner_id) & CareLink.ended_at.is_(None))
        .join(User, User.id == CareLink.therapist_id)
        .where(Plan.next_review_on.is_not(None),
               Plan.next_review_on.between(now.date() - timedelta(days=2), now.date() + timedelta(days=1)),
               User.active.is_(True))
    ).all()
    due = []
    for plan_id, day, therapist in rows:
        if day is None:
            continue
        at = local_moment(day, REVIEW_AT, user_zone(therapist))
        if at <= now:
            key = f"plan-review:{plan_id}:{day.isoformat()}:{therapist.id}"
            due.append(DueReminder(therapist.id, "plan_review", key, "/clients", at))
    return due


def register(app: Flask) -> None:
    """The choices on the settings page, how each kind is worded, and the sources."""
    register_choice(app, Choice("session_checkin", _l("Check in before my session?"), default=False, order=15,
                                roles=("client",)))
    register_choice(app, Choice("plan_review", _l("When a client's plan is due for review"), default=True,
                                order=60, roles=("therapist",)))
    register_kind(app, Kind("session_checkin", "session_checkin", 3 * 3600, "normal", timedelta(hours=3),
                            words=lambda text: (_("Your session"), _("Would you like to check in before we meet?"))))
    register_kind(app, Kind("plan_review", "plan_review", 24 * 3600, "low", timedelta(hours=36),
                            words=lambda text: ("Trygg", _("A client's safety plan is due for review."))))
    register_source(app, "session_checkin", check_in_reminders)
    register_source(app, "plan_review", review_reminders)
