"""A client's plan as a whole: finding or starting it, its items by section, its country, and a
therapist's clients with their plans."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import NamedTuple

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import Integer, String, bindparam, cast, select
from sqlalchemy.orm import Session, aliased

from backend.accounts import care
from backend.accounts.care import CareLink
from backend.accounts.models import User
from backend.db import joined_in_order
from backend.errors import ServiceError
from backend.prepared import Prepared
from safety_plans.content import SECTION_KEYS
from safety_plans.models import Plan, PlanItem
from safety_plans.ops import OpResult, announce, lock_plan, new_uuid, record_change


def plan_of(db: Session, user: User) -> Plan | None:
    """The client's plan, if they have started one. A page that loaded it already (then its help
    strip's country) gets it from the session without asking the database again."""
    return _plan_in_session(db, user) or db.scalar(select(Plan).where(Plan.owner_id == user.id))


def _plan_in_session(db: Session, user: User) -> Plan | None:
    for state in db.identity_map.all_states():
        if state.class_ is Plan and not (state.deleted or state.was_deleted) and state.dict.get("owner_id") == user.id:
            return state.obj()
    return None


def get_or_create_plan(db: Session, user: User) -> Plan:
    """A client's plan, started on first use with the country of their account."""
    plan = plan_of(db, user)
    if plan is None:
        plan = Plan(owner_id=user.id, country=user.country or "NO", revision=0)
        db.add(plan)
        db.flush()
    return plan


def items_by_section(db: Session, plan: Plan, include_deleted: bool = False) -> dict[str, list[PlanItem]]:
    """Every section (in plan order) with its items in their order."""
    query = select(PlanItem).where(PlanItem.plan_id == plan.id)
    if not include_deleted:
        query = query.where(PlanItem.deleted.is_(False))
    grouped: dict[str, list[PlanItem]] = {key: [] for key in SECTION_KEYS}
    for item in db.scalars(query.order_by(PlanItem.position, PlanItem.id)):
        grouped.setdefault(item.section, []).append(item)
    return grouped


def set_country(db: Session, plan: Plan, author: User, country: str, known: set[str]) -> None:
    """Choose the country whose crisis lines the plan shows (recorded in the history)."""
    if country not in known:
        raise ServiceError("unknown_country", _("We have no crisis lines for that country yet."), 422)
    lock_plan(db, plan)
    if plan.country == country:
        return
    before = {"country": plan.country}
    plan.country = country
    op_uuid = new_uuid()
    record_change(db, plan, author, "country", "plan", before, {"country": country}, op_uuid,
            OpResult(op=op_uuid, status="applied", item="plan"))
    announce(db, plan)


def mark_reviewed(db: Session, plan: Plan, author: User, today: date, next_on: date | None) -> None:
    """Client and therapist went through the plan together today; the next review is due `next_on`
    (recorded in the history, shown on the print and in the therapist's workspace)."""
    if next_on is not None and next_on <= today:
        raise ServiceError("bad_date", _("The next review needs to be a date after today."), 422, field="next_review")
    lock_plan(db, plan)
    before = {"reviewed_on": plan.reviewed_on.isoformat() if plan.reviewed_on else None,
              "next_review_on": plan.next_review_on.isoformat() if plan.next_review_on else None}
    plan.reviewed_on, plan.next_review_on = today, next_on
    after = {"reviewed_on": today.isoformat(), "next_review_on": next_on.isoformat() if next_on else None}
    op_uuid = new_uuid()
    record_change(db, plan, author, "review", "plan", before, after, op_uuid,
                  OpResult(op=op_uuid, status="applied", item="plan"))
    announce(db, plan)


def plans_of_clients(db: Session, therapist: User) -> list[tuple[User, Plan | None]]:
    """The therapist's linked clients with their plans."""
    clients = care.clients_of(db, therapist.id)
    plans = {p.owner_id: p for p in db.scalars(select(Plan).where(Plan.owner_id.in_([c.id for c in clients])))}
    return [(c, plans.get(c.id)) for c in clients]


class PlanHead(NamedTuple):
    """What a page needs to know of a plan before it draws anything: who owns it, its country, and
    its version. Read in one statement on the driver (`backend.prepared`), no ORM object: the crisis
    view is opened more than any other page and answers from its cache with only this."""

    id: int
    owner_id: int
    country: str
    revision: int
    stamps: tuple  # what else a page of the plan changes with (see `plan_head`)

    def version_parts(self) -> tuple:
        """A page's stated version. Pages say "today" and "tomorrow" (small wins, commitments): a
        new day is a new version."""
        from backend.i18n import viewer_zone

        today = datetime.now(UTC).astimezone(viewer_zone()).date().isoformat()
        return self.id, self.revision, *self.stamps, today


def plan_head(db: Session, plan_id: int) -> PlanHead | None:
    """The plan's head and what its pages change with besides its revision: the client's chosen
    grounding exercises (they live in grounding and do not bump the revision), what other packages
    hang on its sections (`safety_plans.extras`) and the live care links (a recommendation from an
    ended link leaves the plan). Every open and every revalidation of a plan page asks, and on
    PostgreSQL each statement is a round trip, so this is one. Kept for the request (`g`), where the
    help strip's country finds it."""
    from grounding.stamp import STAMP_WIDTH, stamp_text

    row = _head_statement().first(db, plan_id=plan_id)
    if row is None:
        return None
    head = PlanHead(row[0], row[1], row[2], row[3], (stamp_text(row[4:4 + STAMP_WIDTH]), *row[4 + STAMP_WIDTH:]))
    g.setdefault("trygg_plan_heads", {})[head.owner_id] = head
    return head


def version_parts(db: Session, plan: Plan) -> tuple:
    """A page's stated version (see `plan_head`)."""
    head = plan_head(db, plan.id)
    if head is None:
        raise LookupError(f"plan {plan.id} is gone")  # it was loaded in this same request
    return head.version_parts()


def country_of(db: Session, user: User) -> str | None:
    """The country of a client's plan, without a statement when this request has the plan already
    (the session's copy first: it holds a change not yet written)."""
    plan = _plan_in_session(db, user) or g.get("trygg_plan_heads", {}).get(user.id)
    if plan is None:
        return db.scalar(select(Plan.country).where(Plan.owner_id == user.id))
    return plan.country


def _head_statement() -> Prepared:
    """Built once per app (the packages' stamps are registered with it), then only run."""
    app = current_app
    statement = app.extensions.get("trygg.plan_head")
    if statement is None:
        from grounding.stamp import stamp_columns
        from safety_plans.extras import stamp_columns as extra_columns

        plan_id = bindparam("plan_id", type_=Integer)
        # The client is asked of a second name for the plans table: the stamps' subqueries would
        # otherwise be tied to the outer row, and a link list read from a subquery cannot be.
        named = aliased(Plan)
        client = select(named.owner_id).where(named.id == plan_id).scalar_subquery()
        links = (select(cast(CareLink.id, String).label("id"))
                 .where(CareLink.client_id == client, CareLink.ended_at.is_(None)).order_by(CareLink.id).subquery())
        statement = Prepared(select(Plan.id, Plan.owner_id, Plan.country, Plan.revision, *stamp_columns(client),
                                    *extra_columns(plan_id), joined_in_order(links.c.id)).where(Plan.id == plan_id))
        app.extensions["trygg.plan_head"] = statement
    return statement
