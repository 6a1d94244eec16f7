"""Seeking Safety commitments: made in session, carried to the next, reviewed as kept, partly
kept or not kept. Each is recorded in the plan's history like an op, and idempotent by op uuid."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import User
from backend.db import utcnow
from backend.errors import ServiceError
from safety_plans.content import COMMITMENT_STATUSES
from safety_plans.models import Commitment, OpReceipt, Plan, PlanChange
from safety_plans.ops import (
    ID_PATTERN,
    OpResult,
    announce,
    first_outcome,
    lock_plan,
    new_uuid,
    record_change,
    too_long_message,
)

MAX_COMMITMENT_TEXT = 500
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def commitment_dict(c: Commitment) -> dict:
    """A commitment as JSON."""
    return {
        "id": c.id, "uuid": c.uuid, "text": c.text, "made_on": c.made_on.isoformat(),
        "due": c.due.isoformat() if c.due else None, "status": c.status, "note": c.note,
        "created_by": c.created_by.name if c.created_by else None,
        "reviewed_at": c.reviewed_at.isoformat() if c.reviewed_at else None,
    }


def _parse_date(value) -> date | None:
    """A YYYY-MM-DD date, or None when left out."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            pass
    # Plain forms reach this too, past the API's date check: the same years as there.
    if isinstance(value, date) and EARLIEST <= value <= LATEST:
        return value
    raise ServiceError("bad_date", _("Please give the date as YYYY-MM-DD."), 400, field="due")


def _replayed(db: Session, op_uuid: str | None, plan: Plan, kind: str,
              item_uuid: str | None = None) -> PlanChange | OpReceipt | None:
    """The first outcome of a retried commitment change; 409 when the uuid did something else."""
    if op_uuid is None:
        return None
    if not isinstance(op_uuid, str) or not ID_PATTERN.match(op_uuid):
        raise ServiceError("bad_uuid", _("Each change needs a uuid (letters, digits and dashes)."), 400)
    first = first_outcome(db, op_uuid)
    if first is not None and (first.plan_id != plan.id or first.op != kind
                              or (item_uuid is not None and first.item_uuid != item_uuid)):
        raise ServiceError("uuid_taken", _("This change uuid is already used elsewhere."), 409)
    return first


def add_commitment(db: Session, plan: Plan, author: User, text, due=None, made_on=None,
                   op_uuid: str | None = None) -> Commitment:
    """Record a commitment made in session (idempotent when given an op uuid)."""
    if not isinstance(text, str) or not text.strip():
        raise ServiceError("empty_text", _("Please write something first."), 422 if isinstance(text, str) else 400)
    if len(text.strip()) > MAX_COMMITMENT_TEXT:
        raise ServiceError("too_long", too_long_message(MAX_COMMITMENT_TEXT), 422)
    due_date = _parse_date(due)
    made = _parse_date(made_on) or utcnow().date()
    lock_plan(db, plan)
    first = _replayed(db, op_uuid, plan, "commitment_add")
    if first is not None:
        made_before = db.scalar(select(Commitment).where(Commitment.uuid == first.item_uuid))
        if made_before is None:
            raise ServiceError("unknown_commitment", _("That commitment is not in this plan."), 404)
        return made_before
    commitment = Commitment(uuid=new_uuid(), plan_id=plan.id, text=text.strip(), made_on=made,
                            due=due_date, status="open", note="", created_by_id=author.id)
    db.add(commitment)
    db.flush()
    return _recorded(db, plan, author, "commitment_add", commitment, None, op_uuid)


def _recorded(db: Session, plan: Plan, author: User, kind: str, commitment: Commitment, before: dict | None,
              op_uuid: str | None) -> Commitment:
    """Put a commitment's change in the plan's history (with its op's receipt) and tell open pages."""
    op_uuid = op_uuid or new_uuid()
    record_change(db, plan, author, kind, commitment.uuid, before, commitment_dict(commitment),
                  op_uuid, OpResult(op=op_uuid, status="applied", item=commitment.uuid))
    announce(db, plan)
    return commitment


def review_commitment(db: Session, plan: Plan, author: User, commitment_id: int, status,
                      note="", op_uuid: str | None = None) -> Commitment:
    """Say how a commitment went: kept, partly or not kept, with an optional note."""
    if status not in COMMITMENT_STATUSES:
        raise ServiceError("bad_status", _("Choose kept, partly kept or not kept."), 422)
    if not isinstance(note, str):
        raise ServiceError("bad_type", _("“%(name)s” must be text.", name="note"), 400)
    if len(note.strip()) > MAX_COMMITMENT_TEXT:
        raise ServiceError("too_long", too_long_message(MAX_COMMITMENT_TEXT), 422)
    commitment = db.scalar(select(Commitment).where(Commitment.id == commitment_id,
                                                    Commitment.plan_id == plan.id))
    if commitment is None:
        raise ServiceError("unknown_commitment", _("That commitment is not in this plan."), 404)
    lock_plan(db, plan)
    if _replayed(db, op_uuid, plan, "commitment_review", commitment.uuid) is not None:
        return commitment
    before = commitment_dict(commitment)
    commitment.status, commitment.note = status, note.strip()
    commitment.reviewed_at = utcnow()
    db.flush()
    return _recorded(db, plan, author, "commitment_review", commitment, before, op_uuid)


def commitments_of(db: Session, plan: Plan) -> list[Commitment]:
    """Every commitment, newest first: open and past ones stay visible."""
    return list(db.scalars(select(Commitment).where(Commitment.plan_id == plan.id)
                           .order_by(Commitment.made_on.desc(), Commitment.id.desc())))
