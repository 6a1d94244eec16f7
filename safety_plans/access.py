"""Who may see and change a plan: the one place both the HTML views and the JSON API ask.

- a client sees and edits only their own plan;
- a therapist sees and edits the plans of clients linked to them now, and every such access is
  written to the audit log the client can read;
- an admin manages accounts and does not read plans.
Plans someone may not see answer 404, so ids cannot be probed.
"""
from __future__ import annotations

from datetime import timedelta

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import audit
from backend.audit import AccessEvent
from backend.db import utcnow
from backend.accounts import care
from backend.accounts.models import User
from safety_plans.models import Plan


def can_view(db: Session, user: User, plan: Plan) -> bool:
    """True for the plan's client and their linked therapists."""
    if not user.is_authenticated:
        return False
    if user.role == "client":
        return plan.owner_id == user.id
    if user.role == "therapist":
        return care.is_linked(db, user.id, plan.owner_id)
    return False


MERGE_CHANGES = timedelta(minutes=30)


def load_plan(db: Session, user: User, plan_id: int, action: str | None = "open",
              owner_only: bool = False) -> Plan:
    """The plan if `user` may reach it (else 404, or 403 for a therapist on an owner-only page).

    A therapist's access is logged as `action` (open, print, export or change). `None` logs
    nothing: the live editor's sync feed and event stream, whose page view was logged as "open"
    already (otherwise every keystroke-sized sync would flood the client's log).
    """
    plan = db.get(Plan, plan_id)
    if plan is None or not can_view(db, user, plan):
        abort(404)
    if owner_only and plan.owner_id != user.id:
        abort(403)
    if user.role == "therapist" and action is not None:
        if action != "change" or not _changed_lately(db, user, plan):
            audit.record(db, user, plan.owner_id, action, "plan", plan.id)
    return plan


def _changed_lately(db: Session, user: User, plan: Plan) -> bool:
    """A "change" by this therapist on this plan in the last 30 minutes: one session of live
    co-editing is one line in the client's log (every change itself is in the plan's history)."""
    since = utcnow() - MERGE_CHANGES
    return db.scalar(select(AccessEvent.id).where(
        AccessEvent.actor_id == user.id, AccessEvent.client_id == plan.owner_id,
        AccessEvent.action == "change", AccessEvent.object_id == plan.id, AccessEvent.at > since,
    ).limit(1)) is not None


def log_change(db: Session, user: User, plan: Plan) -> None:
    """Log a therapist's change to a plan (opening it to change it was logged as `open`)."""
    if user.role == "therapist":
        audit.record(db, user, plan.owner_id, "change", "plan", plan.id)
