"""The plan's history as a feed: changes since a revision (the live editor's catch-up), the
history page, each section's order and the removed items, and bringing an earlier text back."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import User
from backend.errors import ServiceError
from safety_plans.models import Plan, PlanChange, PlanItem
from safety_plans.ops import OpResult, apply_ops, check_op, first_outcome, keep_receipt, new_uuid
from safety_plans.plans import items_by_section


def changes_since(db: Session, plan: Plan, since: int, limit: int = 500) -> list[PlanChange]:
    """The plan's changes after a revision, oldest first (the catch-up feed)."""
    return list(db.scalars(
        select(PlanChange).where(PlanChange.plan_id == plan.id, PlanChange.revision > since)
        .order_by(PlanChange.revision).limit(limit)
    ))


def history(db: Session, plan: Plan, limit: int = 300) -> list[PlanChange]:
    """The newest changes first."""
    return list(db.scalars(
        select(PlanChange).where(PlanChange.plan_id == plan.id)
        .order_by(PlanChange.revision.desc()).limit(limit)
    ))


def change_dict(change: PlanChange) -> dict:
    """A PlanChange as the feed and the export show it."""
    return {
        "revision": change.revision, "op": change.op, "op_uuid": change.op_uuid,
        "item": change.item_uuid, "author_id": change.author_id,
        "author": change.author.name if change.author else None,
        "at": change.at.isoformat(), "before": change.before, "after": change.after,
        "conflicts": (change.result or {}).get("conflicts", []),
    }


def removed_items(db: Session, plan: Plan) -> list[PlanItem]:
    """Items taken off the plan that can be brought back, in plan order (the editor's list)."""
    return [item for group in items_by_section(db, plan, include_deleted=True).values()
            for item in group if item.deleted]


def section_order(db: Session, plan: Plan) -> dict[str, list[str]]:
    """Each section's live item uuids in order: lets an editor place moved and added items."""
    return {key: [i.uuid for i in items] for key, items in items_by_section(db, plan).items()}


def section_of(change: PlanChange) -> str | None:
    """The plan section a change touched (None for commitments and the country)."""
    return (change.after or {}).get("section") or (change.before or {}).get("section")


def restore_text(db: Session, plan: Plan, author: User, item_uuid: str, text: str,
                 op_uuid: str | None = None) -> OpResult:
    """Bring an earlier text of an item back; a restore is itself an edit (and in the history)."""
    item = db.scalar(select(PlanItem).where(PlanItem.plan_id == plan.id, PlanItem.uuid == item_uuid))
    if item is None:
        raise ServiceError("unknown_item", _("That item is not in this plan."), 404)
    op: dict = {"uuid": op_uuid or new_uuid(), "type": "edit", "item": item_uuid,
                "base_version": item.version, "fields": {"text": text}}
    if item.text == (text or "").strip() and not item.deleted and first_outcome(db, op["uuid"]) is None:
        # Already there: nothing to record in the history, but the answer is kept for a retry.
        result = OpResult(op=op["uuid"], status="applied", item=item_uuid, revision=plan.revision,
                          version=item.version)
        keep_receipt(db, plan, check_op(op), result)
        return result
    [result] = apply_ops(db, plan, author, [op])
    return result
