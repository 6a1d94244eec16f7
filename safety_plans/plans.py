"""A client's plan as a whole: finding or starting it, its items by section, its country, and a
therapist's clients with their plans."""
from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Integer, String, bindparam, cast, select
from sqlalchemy.orm import Session

from backend.accounts import care
from backend.accounts.care import CareLink
from backend.accounts.models import User
from backend.db import joined_in_order
from backend.errors import ServiceError
from safety_plans.content import SECTION_KEYS
from safety_plans.models import Plan, PlanItem
from safety_plans.ops import OpResult, announce, lock_plan, new_uuid, record_change


def plan_of(db: Session, user: User) -> Plan | None:
    """The client's plan, if they have started one. A page that loaded it already (the crisis view,
    then its help strip's country) gets it from the session without asking the database again."""
    for state in db.identity_map.all_states():
        if state.class_ is Plan and not (state.deleted or state.was_deleted) and state.dict.get("owner_id") == user.id:
            return state.obj()
    return db.scalar(select(Plan).where(Plan.owner_id == user.id))


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


def version_parts(db: Session, plan: Plan) -> tuple:
    """What a page of the plan shows changes with: its revision, the client's chosen grounding
    exercises (they live in grounding and do not bump the revision), what other packages hang on
    its sections (`safety_plans.extras`) and the live care links (a recommendation from an ended
    link leaves the plan). A page's stated version. All asked in one statement: every open and
    every revalidation of a plan page asks, and on PostgreSQL each statement is a round trip."""
    from backend.i18n import viewer_zone
    from grounding.stamp import STAMP_WIDTH, stamp_text

    row = db.execute(_version_statement(), {"client_id": plan.owner_id, "plan_id": plan.id}).one()
    # Pages say "today" and "tomorrow" (small wins, commitments): a new day is a new version.
    today = datetime.now(UTC).astimezone(viewer_zone()).date().isoformat()
    return plan.id, plan.revision, stamp_text(row[:STAMP_WIDTH]), *row[STAMP_WIDTH:], today


def _version_statement():
    """Built once per app (the packages' stamps are registered with it), then only run."""
    app = current_app
    statement = app.extensions.get("trygg.plan_version")
    if statement is None:
        from grounding.stamp import stamp_columns
        from safety_plans.extras import stamp_columns as extra_columns

        client, plan_id = bindparam("client_id", type_=Integer), bindparam("plan_id", type_=Integer)
        links = (select(cast(CareLink.id, String).label("id"))
                 .where(CareLink.client_id == client, CareLink.ended_at.is_(None)).order_by(CareLink.id).subquery())
        statement = select(*stamp_columns(client), *extra_columns(plan_id),
                           joined_in_order(links.c.id))
        app.extensions["trygg.plan_version"] = statement
    return statement
