"""The plan as one JSON document, with its whole change history (format: EXPORT.md)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import utcnow
from safety_plans import agreement, commitments, feed, ops, plans, wins
from safety_plans.content import SECTION_KEYS
from safety_plans.models import Plan, PlanChange

EXPORT_FORMAT = "trygg.safety-plan"
EXPORT_VERSION = 1


def plan_dict(db: Session, plan: Plan, include_deleted: bool = False) -> dict:
    """The plan as the API and the export show it: sections in plan order, items in order."""
    grouped = plans.items_by_section(db, plan, include_deleted=include_deleted)
    return {
        "id": plan.id,
        "country": plan.country,
        "revision": plan.revision,
        "owner": {"id": plan.owner.id, "name": plan.owner.name},
        "updated_at": plan.updated_at.isoformat(),
        "sections": [
            {"key": key, "items": [ops.snapshot(i) for i in grouped.get(key, [])]}
            for key in SECTION_KEYS
        ],
        "commitments": [commitments.commitment_dict(c) for c in commitments.commitments_of(db, plan)],
    }


def export_plan(db: Session, plan: Plan) -> dict:
    """Everything: the plan (removed items included, flagged) and every change, oldest first."""
    changes = db.scalars(select(PlanChange).where(PlanChange.plan_id == plan.id).order_by(PlanChange.revision))
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": utcnow().isoformat(),
        "plan": plan_dict(db, plan, include_deleted=True),
        "history": [feed.change_dict(c) for c in changes],
        "small_wins": [wins.win_dict(w) for w in wins.notes_of(db, plan)],
        "agreement": [agreement.agreement_dict(v) for v in agreement.versions(db, plan)],
    }


def personal_data(db: Session, user) -> dict | None:
    """A client's plan with its whole history for "download my data" (the export's format)."""
    plan = plans.plan_of(db, user) if user.role == "client" else None
    return export_plan(db, plan) if plan else None
