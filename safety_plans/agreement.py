"""Our agreement (issue 12): what client and therapist agree at the start of the work, and what
the client wants to focus on next time.

Never overwritten silently: every save is a new `AgreementVersion` with its author and time (and a
`PlanChange`, so the plan's history and export hold it). A save names the version it started from.
Fields nobody else changed since then merge; a field someone else changed meanwhile is refused
(409 `stale`) and the form keeps what was typed, with the newer text beside it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import User
from backend.errors import ServiceError
from safety_plans.models import AgreementVersion, Plan
from safety_plans.ops import OpResult, announce, lock_plan, new_uuid, record_change, too_long_message

FIELDS = ("towards", "how", "expect", "focus")
MAX_TEXT = 2000


@dataclass
class Saved:
    """What a save did: the version now current, and whether anything changed."""

    version: AgreementVersion | None
    changed: bool


def values_of(version: AgreementVersion | None) -> dict[str, str]:
    """A version's four texts (empty before the first save)."""
    return {name: getattr(version, name) if version else "" for name in FIELDS}


def current(db: Session, plan: Plan) -> AgreementVersion | None:
    """The agreement as it stands (its newest version)."""
    return db.scalar(select(AgreementVersion).where(AgreementVersion.plan_id == plan.id)
                     .order_by(AgreementVersion.version.desc()).limit(1))


def versions(db: Session, plan: Plan) -> list[AgreementVersion]:
    """Every saved version, newest first."""
    return list(db.scalars(select(AgreementVersion).where(AgreementVersion.plan_id == plan.id)
                           .order_by(AgreementVersion.version.desc())))


def _version(db: Session, plan: Plan, number: int) -> AgreementVersion | None:
    return db.scalar(select(AgreementVersion).where(AgreementVersion.plan_id == plan.id,
                                                    AgreementVersion.version == number))


def _clean(values: dict) -> dict[str, str]:
    clean = {}
    for name in FIELDS:
        value = values.get(name, "")
        if not isinstance(value, str):
            raise ServiceError("bad_type", _("“%(name)s” must be text.", name=name), 400, field=name)
        value = value.strip()
        if len(value) > MAX_TEXT:
            raise ServiceError("too_long", too_long_message(MAX_TEXT), 422,
                               field=name)
        clean[name] = value
    return clean


def save(db: Session, plan: Plan, author: User, values: dict, base_version: int) -> Saved:
    """Save the agreement as `author` saw it at `base_version` (0 before the first save)."""
    clean = _clean(values)
    if not isinstance(base_version, int) or base_version < 0:
        raise ServiceError("bad_version", _("The base version must be a whole number, 0 or more."), 400)
    lock_plan(db, plan)
    latest = current(db, plan)
    latest_number = latest.version if latest else 0
    if base_version > latest_number:
        raise ServiceError("version_ahead", _("This change is based on a version the server has not seen."), 409)
    now = values_of(latest)
    base = values_of(_version(db, plan, base_version)) if base_version else values_of(None)
    mine = {name for name in FIELDS if clean[name] != base[name]}
    theirs = {name for name in FIELDS if now[name] != base[name]}
    clashing = sorted(name for name in mine & theirs if clean[name] != now[name])
    if clashing:
        raise ServiceError("stale", _("Someone saved the agreement after you opened it. Your text is still here; "
                                      "the newer text is shown beside it. Save again to keep yours."),
                           409, field=clashing[0])
    merged = {**now, **{name: clean[name] for name in mine}}
    if merged == now:
        return Saved(latest, False)
    version = AgreementVersion(plan_id=plan.id, version=latest_number + 1, author_id=author.id, **merged)
    db.add(version)
    db.flush()
    op_uuid = new_uuid()
    record_change(db, plan, author, "agreement", "agreement", now if latest else None,
                  {**merged, "version": version.version}, op_uuid,
                  OpResult(op=op_uuid, status="applied", item="agreement"))
    announce(db, plan)
    return Saved(version, True)


def focus_for(db: Session, plan: Plan) -> tuple[str, datetime] | None:
    """What the client wants to focus on next time, and when that text was written (for the
    session's check-in). None when nothing has been written."""
    return focus_by_plan(db, [plan.id]).get(plan.id)


def focus_by_plan(db: Session, plan_ids: list[int]) -> dict[int, tuple[str, datetime]]:
    """`focus_for` for many plans in one query (the therapist's workspace)."""
    found: dict[int, tuple[str, datetime] | None] = {}
    if not plan_ids:
        return {}
    rows = db.execute(select(AgreementVersion.plan_id, AgreementVersion.focus, AgreementVersion.at)
                      .where(AgreementVersion.plan_id.in_(plan_ids))
                      .order_by(AgreementVersion.plan_id, AgreementVersion.version))
    for plan_id, focus, at in rows:  # oldest first: the time the text last changed
        current = found.get(plan_id)
        if not focus:
            found[plan_id] = None
        elif current is None or current[0] != focus:
            found[plan_id] = (focus, at)
    return {plan_id: value for plan_id, value in found.items() if value is not None}


def agreement_dict(version: AgreementVersion) -> dict:
    """A version as the export shows it."""
    return {"version": version.version, **values_of(version), "at": version.at.isoformat(),
            "author": version.author.name if version.author else None}
