"""Who may see and change a plan: the one place both the HTML views and the JSON API ask.

- a client sees and edits only their own plan;
- a therapist sees and edits the plans of clients linked to them now, and every such access is
  written to the audit log the client can read;
- an admin manages accounts and does not read plans.
Plans someone may not see answer 404, so ids cannot be probed.
"""
from __future__ import annotations

from typing import TypeVar

from flask import abort
from sqlalchemy.orm import Session

from backend import audit
from backend.accounts import care
from backend.accounts.models import User
from safety_plans.models import Plan
from safety_plans.plans import PlanHead, plan_head


def can_view(db: Session, user: User, plan: Plan | PlanHead) -> bool:
    """True for the plan's client and their linked therapists."""
    if not user.is_authenticated:
        return False
    if user.role == "client":
        return plan.owner_id == user.id
    if user.role == "therapist":
        return care.is_linked(db, user.id, plan.owner_id)
    return False


# A background read: the live editor's sync feed and event stream. Logged for a therapist like an
# open (they do read the whole plan), but they keep the half-hour window open rather than counting.
BACKGROUND = "background"


_P = TypeVar("_P", Plan, PlanHead)


def load_plan(db: Session, user: User, plan_id: int, action: str | None = "open",
              owner_only: bool = False) -> Plan:
    """The plan if `user` may reach it (else 404, or 403 for a therapist on an owner-only page).

    A therapist's access is logged as `action` (open, print, export or change; `BACKGROUND` for
    sync reads). The log groups repeats per half hour (backend.audit), so live co-editing is one
    calm line in the client's log. `None` logs nothing (the client's own pages).
    """
    return _admitted(db, user, db.get(Plan, plan_id), action, owner_only)


def load_plan_head(db: Session, user: User, plan_id: int, action: str | None = "open") -> PlanHead:
    """`load_plan` for a page that needs only the plan's head and version (`plans.plan_head`): the
    same rules and the same log, one statement and no ORM object."""
    return _admitted(db, user, plan_head(db, plan_id), action, owner_only=False)


def _admitted(db: Session, user: User, plan: _P | None, action: str | None, owner_only: bool) -> _P:
    if plan is None or not can_view(db, user, plan):
        abort(404)
    if owner_only and plan.owner_id != user.id:
        abort(403)
    if user.role == "therapist" and action is not None:
        background = action == BACKGROUND
        audit.record(db, user, plan.owner_id, "open" if background else action, "plan", plan.id,
                     counts=not background)
    return plan
