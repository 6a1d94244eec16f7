"""The therapist's workspace (`/clients`): every linked client on one wide page, in a bounded
number of queries whatever the number of clients (one query per kind of fact, never per client).

The feedback prompt: alliance feedback tends to sit high on a 0-10 scale, so a client's own earlier
answers are the yardstick, not a fixed bar. The latest session's mean of the four items is compared
with the mean of that client's up to five earlier sessions; a drop of `DROP` (1.5) points or more is
more than one item moving by a point or two, yet less than a single item falling from 9 to 3. Any
item at 4 or below, or words under "something that did not feel right", prompt as well.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import audit, db
from backend.accounts import care
from backend.accounts.care import CareLink
from backend.accounts.data_rights import notices_for
from backend.accounts.models import User
from backend.answers import render_page
from backend.db import utcnow
from backend.i18n import format_day
from grounding.models import ChosenExercise, GroundingSharing
from safety_plans import agreement, invites
from safety_plans.content import CORE_SECTIONS
from safety_plans.models import Commitment, Plan, PlanItem
from sessions.api import local_today
from sessions.models import TherapySession
from sessions.services import FEEDBACK_ITEMS

DROP = 1.5
LOW = 4
EARLIER = 5
TREND = 8  # sessions drawn in the small chart
# A client who ended the access stays in the list, with who ended it and when, for this long: past
# the next few sessions the therapist would have planned, so nobody just vanishes from the list.
ENDED_SHOWN = timedelta(days=90)


@dataclass
class Row:
    """What the workspace shows about one client."""

    client: User
    plan: Plan | None
    sections_filled: int = 0
    open_commitments: int = 0
    overdue_commitments: int = 0
    next_session: datetime | None = None
    last_mood: int | None = None
    last_check_in: datetime | None = None
    feedback: list[tuple[float, int | None]] = field(default_factory=list)  # (mean, hope) per session
    prompt: str | None = None
    grounding_shared: bool = False
    sessions: int = 0
    focus: str | None = None            # "what I want to focus on next time" (our agreement)
    focus_at: datetime | None = None


def _mean(values: list) -> float | None:
    given = [v for v in values if v is not None]
    return sum(given) / len(given) if given else None


def feedback_prompt(name: str, means: list[float], latest_items: list, not_right: str) -> str | None:
    """A gentle prompt for the therapist, or None: the rule in this module's docstring."""
    if not means:
        return None
    earlier = means[:-1][-EARLIER:]
    if earlier and means[-1] <= sum(earlier) / len(earlier) - DROP:
        return _("%(name)s's feedback dropped — worth asking about next time.", name=name)
    if any(v is not None and v <= LOW for v in latest_items):
        return _("%(name)s gave a low answer last session — worth asking about next time.", name=name)
    if not_right.strip():
        return _("%(name)s wrote that something did not feel right — worth asking about next time.", name=name)
    return None


def rows_for(session: Session, therapist: User, now: datetime, today: date) -> list[Row]:
    """Every linked client's row, in a fixed number of queries."""
    clients = care.clients_of(session, therapist.id)
    ids = [c.id for c in clients]
    plans = {p.owner_id: p for p in session.scalars(select(Plan).where(Plan.owner_id.in_(ids)))} if ids else {}
    rows = {c.id: Row(client=c, plan=plans.get(c.id)) for c in clients}
    by_plan = {p.id: rows[p.owner_id] for p in plans.values()}
    if not ids:
        return []
    filled: dict[int, set] = {}
    for plan_id, section in session.execute(select(PlanItem.plan_id, PlanItem.section).where(
            PlanItem.plan_id.in_(by_plan), PlanItem.deleted.is_(False)).distinct()):
        filled.setdefault(plan_id, set()).add(section)
    chosen = set(session.scalars(select(ChosenExercise.client_id).where(ChosenExercise.client_id.in_(ids)).distinct()))
    for plan_id, row in by_plan.items():
        sections = filled.get(plan_id, set()) | ({"grounding"} if row.client.id in chosen else set())
        row.sections_filled = len(sections & {s.key for s in CORE_SECTIONS})
    for plan_id, due, n in session.execute(
            select(Commitment.plan_id, Commitment.due, func.count()).where(
                Commitment.plan_id.in_(by_plan), Commitment.status == "open")
            .group_by(Commitment.plan_id, Commitment.due)):
        by_plan[plan_id].open_commitments += n
        if due is not None and due < today:
            by_plan[plan_id].overdue_commitments += n
    for client_id in session.scalars(select(GroundingSharing.client_id).where(
            GroundingSharing.client_id.in_(ids), GroundingSharing.share_log.is_(True))):
        rows[client_id].grounding_shared = True
    _add_sessions(session, by_plan, now)
    for plan_id, (text, at) in agreement.focus_by_plan(session, list(by_plan)).items():
        by_plan[plan_id].focus, by_plan[plan_id].focus_at = text, at
    return list(rows.values())


def ended_access(session: Session, therapist: User, now: datetime) -> list[tuple[User, datetime]]:
    """Clients who ended this therapist's access in the last `ENDED_SHOWN` and are not linked again,
    with when they ended it (the latest time), newest first. Nothing of their plan is read."""
    linked_now = select(CareLink.client_id).where(CareLink.therapist_id == therapist.id, CareLink.ended_at.is_(None))
    ended: dict[int, tuple[User, datetime]] = {}
    for client, at in session.execute(
            select(User, CareLink.ended_at).join(CareLink, CareLink.client_id == User.id)
            .where(CareLink.therapist_id == therapist.id, CareLink.ended_at > now - ENDED_SHOWN,
                   CareLink.client_id.not_in(linked_now))
            .order_by(CareLink.ended_at.desc())):
        if at is not None:
            ended.setdefault(client.id, (client, at))  # newest first: a client's latest ending
    return list(ended.values())


def ended_sentence(client: User, ended_at: datetime) -> str:
    """The row's words ("Ingrid ended your access on Dec 14."), the day in the reader's language and zone."""
    return _("%(name)s ended your access on %(date)s.", name=client.name, date=format_day(ended_at, relative=False))


def _add_sessions(session: Session, by_plan: dict[int, Row], now: datetime) -> None:
    """Next session, last check-in, the feedback trend and its prompt, from one query."""
    columns = (TherapySession.plan_id, TherapySession.state, TherapySession.scheduled_at, TherapySession.mood,
               TherapySession.checked_in_at, TherapySession.feedback_at, TherapySession.hope,
               TherapySession.not_right, *(getattr(TherapySession, n) for n in FEEDBACK_ITEMS))
    latest: dict[int, tuple] = {}
    for entry in session.execute(select(*columns).where(TherapySession.plan_id.in_(by_plan))
                                 .order_by(TherapySession.plan_id, TherapySession.id)):
        plan_id, state, scheduled, mood, checked_in, feedback_at, hope, not_right, *items = entry
        row = by_plan[plan_id]
        row.sessions += 1
        if state == "open" and scheduled is not None and scheduled >= now \
                and (row.next_session is None or scheduled < row.next_session):
            row.next_session = scheduled
        if mood is not None and checked_in is not None:
            row.last_mood, row.last_check_in = mood, checked_in
        mean = _mean(items)
        if feedback_at is not None and mean is not None:
            row.feedback.append((mean, hope))
            latest[plan_id] = (items, not_right or "")
    for plan_id, (items, not_right) in latest.items():
        row = by_plan[plan_id]
        row.prompt = feedback_prompt(row.client.name, [m for m, _h in row.feedback], items, not_right)
        row.feedback = row.feedback[-TREND:]


def _decimal(value: float) -> str:
    """One decimal at most, with the reader's decimal sign (Babel's pattern parsing per number was
    a third of the page's time with 60 clients)."""
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", get_decimal_symbol(str(get_locale())))


def trend_svg(feedback: list[tuple[float, int | None]], width: int = 132, height: int = 40) -> dict | None:
    """Points for the small inline chart (feedback mean and hope, 0-10) and its text alternative."""
    if not feedback:
        return None
    step = (width - 8) / max(1, len(feedback) - 1)

    def point(n: int, value: float) -> str:
        return f"{4 + n * step:.1f},{height - 4 - value * (height - 8) / 10:.1f}"

    means = [m for m, _h in feedback]
    hopes = [(n, h) for n, (_m, h) in enumerate(feedback) if h is not None]
    number = ", ".join(_decimal(m) for m in means)
    text = _("Feedback over the last sessions, out of 10: %(values)s.", values=number)
    if hopes:
        text += " " + _("Hope: %(values)s.", values=", ".join(str(h) for _n, h in hopes))
    return {"width": width, "height": height, "text": text,
            "feedback": " ".join(point(n, m) for n, m in enumerate(means)),
            "dots": [point(n, m).split(",") for n, m in enumerate(means)],
            "hope": " ".join(point(n, h) for n, h in hopes)}


def workspace_page():
    """`/clients` for a therapist: drawn instead of the plan package's plain list (its hook)."""
    session = db.session()
    now = utcnow()
    today = local_today(current_user)
    rows = rows_for(session, current_user, now, today)
    # The rows show each client's check-in, feedback and focus: a read of their data, in their log.
    audit.record_each(session, current_user, [r.client.id for r in rows if r.plan is not None], "open", "overview")
    from sessions.views import day, when

    context = dict(rows=rows, when=when, day=day, sections_total=len(CORE_SECTIONS), today=today, trend_svg=trend_svg,
                   invites=invites.open_invites(session, current_user), format_code=invites.format_code,
                   closed=notices_for(session, current_user.id), prompts=[r for r in rows if r.prompt],
                   ended=[ended_sentence(*pair) for pair in ended_access(session, current_user, now)])
    return render_page("sessions/workspace.html", **context)
