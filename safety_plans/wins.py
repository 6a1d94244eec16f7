"""Small wins (issue 12): reminders that hard days have been got through before.

Three sources: commitments kept (or partly kept), grounding sessions where distress fell, and
"something I managed" notes the client or their therapist adds. The notes are recorded in the
plan's history like any change (op `win_add`), idempotent by op uuid.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import User
from backend.db import utcnow
from backend.errors import ServiceError
from safety_plans.commitments import EARLIEST, _replayed
from safety_plans.models import Commitment, Plan, Win
from safety_plans.ops import OpResult, announce, lock_plan, new_uuid, record_change, too_long_message

MAX_WIN_TEXT = 300


@dataclass(frozen=True)
class SmallWin:
    """One win to show: what kind, the words, when, and (for notes) who noted it."""

    kind: str  # "commitment" | "grounding" | "note"
    text: str
    at: datetime
    by: str = ""
    status: str = ""  # a commitment's: kept | partly
    before: int | None = None  # a grounding session's distress before and after
    after: int | None = None


def win_dict(win: Win) -> dict:
    """A note as the history and the export keep it."""
    return {"uuid": win.uuid, "text": win.text, "happened_on": win.happened_on.isoformat(),
            "created_by": win.created_by.name if win.created_by else None}


def add_win(db: Session, plan: Plan, author: User, text, happened_on: date | None = None,
            op_uuid: str | None = None) -> Win:
    """Note something the client managed (idempotent when given an op uuid)."""
    if not isinstance(text, str) or not text.strip():
        raise ServiceError("empty_text", _("Please write something first."), 422, field="text")
    if len(text.strip()) > MAX_WIN_TEXT:
        raise ServiceError("too_long", too_long_message(MAX_WIN_TEXT), 422,
                           field="text")
    today = utcnow().date()
    when = happened_on or today
    if not EARLIEST <= when <= today:
        raise ServiceError("bad_date", _("Please choose a day that has already come."), 422, field="happened_on")
    lock_plan(db, plan)
    first = _replayed(db, op_uuid, plan, "win_add")
    if first is not None:
        found = db.scalar(select(Win).where(Win.uuid == first.item_uuid))
        if found is not None:
            return found
    win = Win(uuid=new_uuid(), plan_id=plan.id, text=text.strip(), happened_on=when, created_by_id=author.id)
    db.add(win)
    db.flush()
    op_uuid = op_uuid or new_uuid()
    record_change(db, plan, author, "win_add", win.uuid, None, win_dict(win), op_uuid,
                  OpResult(op=op_uuid, status="applied", item=win.uuid))
    announce(db, plan)
    return win


def notes_of(db: Session, plan: Plan) -> list[Win]:
    """Every note, newest first."""
    return list(db.scalars(select(Win).where(Win.plan_id == plan.id)
                           .order_by(Win.happened_on.desc(), Win.id.desc())))


def _grounding_wins(db: Session, client_id: int, locale: str, limit: int) -> list[SmallWin]:
    from grounding.models import GroundingSession
    from grounding.services import exercise_title

    rows = db.scalars(select(GroundingSession).where(
        GroundingSession.user_id == client_id, GroundingSession.distress_before.is_not(None),
        GroundingSession.distress_after.is_not(None),
        GroundingSession.distress_after < GroundingSession.distress_before,
    ).order_by(GroundingSession.started_at.desc()).limit(limit))
    return [SmallWin("grounding", exercise_title(db, r.exercise_slug, locale), r.started_at,
                     before=r.distress_before, after=r.distress_after) for r in rows]


def may_see_grounding(db: Session, viewer: User | None, client_id: int) -> bool:
    """Grounding wins follow the grounding log's sharing rule: the client, or a therapist allowed."""
    from grounding.access import may_view_log

    return viewer is not None and may_view_log(db, viewer, client_id)


def small_wins(db: Session, plan: Plan, limit: int = 5, viewer: User | None = None,
               locale: str = "en") -> list[SmallWin]:
    """The newest small wins of a plan, newest first. Grounding sessions are included only for a
    viewer who may see the client's grounding log (`viewer=None` leaves them out)."""
    found: list[SmallWin] = []
    kept = db.scalars(select(Commitment).where(Commitment.plan_id == plan.id,
                                               Commitment.status.in_(("kept", "partly")))
                      .order_by(Commitment.reviewed_at.desc(), Commitment.id.desc()).limit(limit))
    for c in kept:
        moment = c.reviewed_at or datetime.combine(c.made_on, time(12), tzinfo=UTC)
        found.append(SmallWin("commitment", c.text, moment, status=c.status))
    for note in db.scalars(select(Win).where(Win.plan_id == plan.id)
                           .order_by(Win.happened_on.desc(), Win.id.desc()).limit(limit)):
        moment = datetime.combine(note.happened_on, time(12), tzinfo=UTC)
        found.append(SmallWin("note", note.text, moment, by=note.created_by.name if note.created_by else ""))
    if may_see_grounding(db, viewer, plan.owner_id):
        found.extend(_grounding_wins(db, plan.owner_id, locale, limit))
    found.sort(key=lambda w: w.at, reverse=True)
    return found[:limit]
