"""Who may open a session: the plan's rule (`safety_plans.access`), and every therapist read or
write is written to the client's access log as a session (not as the plan).

A session belongs to the client; linked therapists read and write it while linked; everyone else
gets 404, as for plans. Feedback has no rule of its own because nobody else reaches a session."""
from __future__ import annotations

from flask import abort
from sqlalchemy.orm import Session

from backend import audit
from backend.accounts.models import User
from safety_plans.access import load_plan
from safety_plans.models import Plan
from sessions.models import TherapySession

OBJECT = "session"


def _log(db: Session, user: User, plan: Plan, action: str, found: TherapySession | None, counts: bool) -> None:
    if user.role == "therapist":
        audit.record(db, user, plan.owner_id, action, OBJECT, found.id if found else None, counts=counts)


def plan_of(db: Session, user: User, plan_id: int, action: str = "open") -> Plan:
    """The plan if `user` may reach its sessions; a therapist's access is logged."""
    plan = load_plan(db, user, plan_id, action=None)
    _log(db, user, plan, action, None, True)
    return plan


def load(db: Session, user: User, plan_id: int, session_id: int,
         action: str = "open", counts: bool = True) -> tuple[Plan, TherapySession]:
    """The plan and one of its sessions if `user` may reach them; a therapist's access is logged."""
    plan = load_plan(db, user, plan_id, action=None)
    found = db.get(TherapySession, session_id)
    if found is None or found.plan_id != plan.id:
        abort(404)
    _log(db, user, plan, action, found, counts)
    return plan, found
