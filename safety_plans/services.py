"""Plan rules: the one op service every change goes through, commitments, invites, export.

Plain functions over a SQLAlchemy session (no Flask request or session globals), so the HTML
forms, the JSON API and the tests all reach the same rules.

An op is a dict: {uuid, type: add|edit|move|delete|restore, item, section, fields, position,
base_version}. `apply_ops` checks a whole batch before touching anything, then applies it op by op;
each accepted op bumps `Plan.revision` and writes one `PlanChange`.
"""
from __future__ import annotations

import re
import secrets
import uuid as uuid_module
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from backend.accounts import care
from backend.accounts.models import User
from backend.db import utcnow
from safety_plans.content import COMMITMENT_STATUSES, SECTION_KEYS
from backend.broker import get_broker
from safety_plans.models import Commitment, Invite, OpReceipt, Plan, PlanChange, PlanItem, PlanPresence

OP_TYPES = ("add", "edit", "move", "delete", "restore")
TEXT_LIMITS = {"text": 500, "phone": 40, "sms_message": 300}
FIELDS = ("text", "phone", "agreed", "sms_message")
MAX_BATCH = 200
MAX_ITEMS_PER_SECTION = 50
MAX_COMMITMENT_TEXT = 500
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PHONE = re.compile(r"^[0-9+()\- ]*$")
INVITE_LIFETIME = timedelta(days=7)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


class OpError(ValueError):
    """An op (or other change) that cannot be applied; nothing of its batch is kept.

    `code` is stable for programs, `message` is for people, `status` is the HTTP status to answer.
    """

    def __init__(self, code: str, message: str, status: int = 422, index: int | None = None):
        super().__init__(message)
        self.code, self.message, self.status, self.index = code, message, status, index

    def to_dict(self) -> dict:
        """The JSON error body."""
        body = {"error": self.code, "message": self.message, "status": self.status}
        if self.index is not None:
            body["op_index"] = self.index
        return body


@dataclass
class Op:
    """A checked op."""

    uuid: str
    type: str
    item: str
    section: str | None = None
    fields: dict = field(default_factory=dict)
    position: int | None = None
    base_version: int | None = None


@dataclass
class OpResult:
    """What became of one op: applied, applied over someone's edit (conflict), or kept (a delete
    refused because the item was edited since)."""

    op: str
    status: str
    item: str
    revision: int | None = None
    version: int | None = None
    conflicts: list = field(default_factory=list)
    replayed: bool = False
    restored: bool = False

    def to_dict(self) -> dict:
        """JSON shape of a result."""
        return asdict(self)


# -- checking ops ---------------------------------------------------------------------------------

def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_fields(fields, require_text: bool) -> dict:
    """Validate and normalise the editable fields of an item."""
    if not isinstance(fields, dict):
        raise OpError("bad_fields", _("Fields must be an object."), 400)
    clean = {}
    for name, value in fields.items():
        if name not in FIELDS:
            raise OpError("unknown_field", _("Unknown field: %(name)s.", name=name), 400)
        if name == "agreed":
            if not isinstance(value, bool):
                raise OpError("bad_type", _("“%(name)s” must be true or false.", name=name), 400)
            clean[name] = value
            continue
        if not isinstance(value, str):
            raise OpError("bad_type", _("“%(name)s” must be text.", name=name), 400)
        value = value.strip()
        if len(value) > TEXT_LIMITS[name]:
            raise OpError("too_long", _("Please keep this to %(limit)d characters.",
                                         limit=TEXT_LIMITS[name]), 422)
        if name == "phone" and (not _PHONE.match(value) or (value and sum(c.isdigit() for c in value) < 2)):
            raise OpError("bad_phone", _("A phone number may only have digits, spaces, + - and brackets."), 422)
        clean[name] = value
    if "text" in clean and not clean["text"]:
        raise OpError("empty_text", _("Please write something first."), 422)
    if require_text and not clean.get("text"):
        raise OpError("empty_text", _("Please write something first."), 422)
    return clean


def check_op(raw, index: int | None = None) -> Op:
    """Turn one incoming op into an `Op`, or raise OpError saying what is wrong with it."""
    try:
        if not isinstance(raw, dict):
            raise OpError("bad_op", _("Each change must be an object."), 400)
        op_uuid, op_type, item = raw.get("uuid"), raw.get("type"), raw.get("item")
        if not isinstance(op_uuid, str) or not _ID.match(op_uuid):
            raise OpError("bad_uuid", _("Each change needs a uuid (letters, digits and dashes)."), 400)
        if op_type not in OP_TYPES:
            raise OpError("bad_type", _("Unknown kind of change."), 400)
        if not isinstance(item, str) or not _ID.match(item):
            raise OpError("bad_item", _("Each change needs the item's uuid."), 400)
        section = raw.get("section")
        if section is not None and section not in SECTION_KEYS:
            raise OpError("unknown_section", _("There is no such section in the plan."), 422)
        if op_type == "add" and section is None:
            raise OpError("unknown_section", _("There is no such section in the plan."), 422)
        position, base = raw.get("position"), raw.get("base_version")
        if position is not None and (not _is_int(position) or position < 0):
            raise OpError("bad_position", _("The position must be a whole number, 0 or more."), 400)
        if op_type == "move" and position is None:
            raise OpError("bad_position", _("The position must be a whole number, 0 or more."), 400)
        if base is not None and (not _is_int(base) or base < 0):
            raise OpError("bad_version", _("The base version must be a whole number, 0 or more."), 400)
        if op_type in ("edit", "delete") and base is None:
            raise OpError("bad_version", _("The base version must be a whole number, 0 or more."), 400)
        fields = raw.get("fields") or {}
        if op_type in ("add", "edit"):
            fields = check_fields(fields, require_text=op_type == "add")
            if op_type == "edit" and not fields:
                raise OpError("bad_fields", _("Nothing to change."), 400)
        elif fields:
            raise OpError("bad_fields", _("Only add and edit carry fields."), 400)
        return Op(op_uuid, op_type, item, section, fields, position, base)
    except OpError as exc:
        exc.index = index
        raise


# -- applying ops ---------------------------------------------------------------------------------

def snapshot(item: PlanItem) -> dict:
    """An item as the history and the API show it."""
    return {
        "uuid": item.uuid, "section": item.section, "text": item.text, "phone": item.phone,
        "agreed": item.agreed, "sms_message": item.sms_message, "position": item.position,
        "version": item.version, "deleted": item.deleted,
    }


def lock_plan(db: Session, plan: Plan) -> None:
    """Serialise writers on one plan: a row lock on PostgreSQL, the write lock on SQLite.

    The first statement is a write, so SQLite takes its lock before we read anything and never
    has to upgrade a stale read snapshot.
    """
    db.execute(update(Plan).where(Plan.id == plan.id).values(revision=Plan.revision)
               .execution_options(synchronize_session=False))
    db.refresh(plan)


def _record(db: Session, plan: Plan, author: User | None, op: str, item_uuid: str,
            before: dict | None, after: dict | None, op_uuid: str, result: OpResult) -> PlanChange:
    """Accept a change: bump the plan's revision and write its PlanChange."""
    plan.revision += 1
    plan.updated_at = utcnow()
    result.revision = plan.revision
    change = PlanChange(
        plan_id=plan.id, revision=plan.revision, author_id=author.id if author else None,
        at=utcnow(), op=op, item_uuid=item_uuid, before=before, after=after, op_uuid=op_uuid,
        result=result.to_dict(),
    )
    db.add(change)
    db.flush()
    return change


def _live_items(db: Session, plan: Plan, section: str) -> list[PlanItem]:
    return list(db.scalars(
        select(PlanItem).where(PlanItem.plan_id == plan.id, PlanItem.section == section,
                               PlanItem.deleted.is_(False))
        .order_by(PlanItem.position, PlanItem.id).execution_options(populate_existing=True)
    ))


def _place(items: list[PlanItem], item: PlanItem, position: int | None) -> None:
    """Put `item` at `position` (end if None) among `items` and number them 0..n-1."""
    rest = [i for i in items if i.id != item.id]
    index = len(rest) if position is None else min(position, len(rest))
    rest.insert(index, item)
    for n, each in enumerate(rest):
        each.position = n


def _find_item(db: Session, plan: Plan, item_uuid: str) -> PlanItem:
    item = db.scalar(select(PlanItem).where(PlanItem.plan_id == plan.id, PlanItem.uuid == item_uuid)
                     .execution_options(populate_existing=True))
    if item is None:
        raise OpError("unknown_item", _("That item is not in this plan."), 404)
    return item


def _edited_by_others_since(item: PlanItem, base: int | None, author: User) -> list[tuple[str, list]]:
    if base is None:
        return []
    return [(f, v) for f, v in (item.field_versions or {}).items() if v[0] > base and v[1] != author.id]


def _apply_one(db: Session, plan: Plan, author: User, op: Op) -> OpResult:
    result = OpResult(op=op.uuid, status="applied", item=op.item)
    if op.type == "add":
        if db.scalar(select(PlanItem.id).where(PlanItem.uuid == op.item)) is not None:
            raise OpError("item_exists", _("An item with this uuid already exists."), 409)
        items = _live_items(db, plan, op.section)
        if len(items) >= MAX_ITEMS_PER_SECTION:
            raise OpError("section_full", _("This section is full. Please remove something first."), 422)
        item = PlanItem(uuid=op.item, plan_id=plan.id, section=op.section, version=1,
                        created_by_id=author.id, updated_by_id=author.id, **op.fields)
        item.field_versions = {name: [1, author.id] for name in op.fields}
        db.add(item)
        _place(items, item, op.position)
        db.flush()
        result.version = item.version
        _record(db, plan, author, "add", item.uuid, None, snapshot(item), op.uuid, result)
        return result

    item = _find_item(db, plan, op.item)
    if op.base_version is not None and op.base_version > item.version:
        raise OpError("version_ahead", _("This change is based on a version the server has not seen."), 409)
    before = snapshot(item)
    versions = dict(item.field_versions or {})
    if op.type == "edit":
        if item.deleted:  # an edit brings a removed item back: the words are never dropped
            item.deleted = False
            result.restored = True
            _place(_live_items(db, plan, item.section), item, item.position)
        newer = dict(_edited_by_others_since(item, op.base_version, author))
        for name, value in op.fields.items():
            if name in newer and getattr(item, name) != value:
                who = db.get(User, newer[name][1])
                result.conflicts.append({
                    "field": name, "overwritten": getattr(item, name),
                    "author_id": newer[name][1], "author_name": who.name if who else "",
                })
        item.version += 1
        for name, value in op.fields.items():
            setattr(item, name, value)
            versions[name] = [item.version, author.id]
        item.field_versions = versions
        result.status = "conflict" if result.conflicts else "applied"
    elif op.type == "delete":
        if _edited_by_others_since(item, op.base_version, author):
            result.status, result.version, result.revision = "kept", item.version, plan.revision
            _receipt(db, plan, op, result)  # nothing changed, but a retry must get this answer again
            return result
        item.deleted = True
        item.version += 1
    elif op.type == "restore":
        item.deleted = False
        item.version += 1
        _place(_live_items(db, plan, item.section), item, item.position)
    elif op.type == "move":
        item.version += 1
        _place(_live_items(db, plan, item.section), item, op.position)
    item.updated_by_id = author.id
    item.updated_at = utcnow()
    db.flush()
    result.version = item.version
    _record(db, plan, author, op.type, item.uuid, before, snapshot(item), op.uuid, result)
    return result


def first_outcome(db: Session, op_uuid: str) -> PlanChange | OpReceipt | None:
    """What an op uuid did the first time: a recorded change, or a receipt of one that changed
    nothing. Every outcome is kept, so a retry never does more than the first attempt."""
    return (db.scalar(select(PlanChange).where(PlanChange.op_uuid == op_uuid))
            or db.scalar(select(OpReceipt).where(OpReceipt.op_uuid == op_uuid)))


def _receipt(db: Session, plan: Plan, op: Op, result: OpResult) -> None:
    db.add(OpReceipt(plan_id=plan.id, op_uuid=op.uuid, op=op.type, item_uuid=op.item,
                     result=result.to_dict(), at=utcnow()))
    db.flush()


def apply_ops(db: Session, plan: Plan, author: User, ops) -> list[OpResult]:
    """Apply a batch of ops to a plan; the caller commits (or rolls back on OpError).

    A retried op (same uuid) returns its first result and changes nothing. The batch is checked
    as a whole first, so a malformed op leaves the plan untouched.
    """
    if not isinstance(ops, list):
        raise OpError("bad_ops", _("“ops” must be a list of changes."), 400)
    if len(ops) > MAX_BATCH:
        raise OpError("too_many", _("Please send at most %(n)d changes at once.", n=MAX_BATCH), 413)
    checked = [check_op(raw, i) for i, raw in enumerate(ops)]
    lock_plan(db, plan)
    results = []
    for index, op in enumerate(checked):
        first = first_outcome(db, op.uuid)
        if first is not None:
            if (first.plan_id, first.op, first.item_uuid) != (plan.id, op.type, op.item):
                raise OpError("uuid_taken", _("This change uuid is already used elsewhere."), 409, index)
            results.append(OpResult(**{**first.result, "replayed": True}))
            continue
        try:
            results.append(_apply_one(db, plan, author, op))
        except OpError as exc:
            exc.index = index
            raise
    announce(db, plan)
    return results


def announce(db: Session, plan: Plan) -> None:
    """Tell open editors the plan's new revision once this transaction commits (ids only)."""
    get_broker().publish(db, f"plan:{plan.id}", {"plan": plan.id, "revision": plan.revision})


def new_uuid() -> str:
    """A fresh op or item id (what browser code makes with crypto.randomUUID())."""
    return str(uuid_module.uuid4())


# -- reading plans --------------------------------------------------------------------------------

def plan_of(db: Session, user: User) -> Plan | None:
    """The client's plan, if they have started one."""
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
        raise OpError("unknown_item", _("That item is not in this plan."), 404)
    op = {"uuid": op_uuid or new_uuid(), "type": "edit", "item": item_uuid,
          "base_version": item.version, "fields": {"text": text}}
    if item.text == (text or "").strip() and not item.deleted and first_outcome(db, op["uuid"]) is None:
        # Already there: nothing to record in the history, but the answer is kept for a retry.
        result = OpResult(op=op["uuid"], status="applied", item=item_uuid, revision=plan.revision,
                          version=item.version)
        _receipt(db, plan, check_op(op), result)
        return result
    [result] = apply_ops(db, plan, author, [op])
    return result


# -- presence: who else has the plan open ---------------------------------------------------------

PRESENCE_TTL = timedelta(seconds=45)


def touch_presence(db: Session, plan: Plan, user: User, stream: str) -> bool:
    """Mark one open editor as here now; True when it is new (worth announcing)."""
    row = db.scalar(select(PlanPresence).where(PlanPresence.stream == stream))
    if row is None:
        db.add(PlanPresence(stream=stream, plan_id=plan.id, user_id=user.id, last_seen=utcnow()))
        db.execute(delete(PlanPresence).where(PlanPresence.last_seen < utcnow() - PRESENCE_TTL * 4))
        return True
    row.last_seen = utcnow()
    return False


def leave_presence(db: Session, stream: str) -> None:
    """An editor closed the plan."""
    db.execute(delete(PlanPresence).where(PlanPresence.stream == stream))


def announce_presence(db: Session, plan_id: int) -> None:
    """Tell open editors that who is here changed (they ask for the names themselves)."""
    get_broker().publish(db, f"plan:{plan_id}", {"plan": plan_id, "presence": True})


def present(db: Session, plan: Plan, now: datetime | None = None) -> list[User]:
    """The people with the plan open now, each once."""
    since = (now or utcnow()) - PRESENCE_TTL
    return list(db.scalars(select(User).where(User.id.in_(
        select(PlanPresence.user_id).where(PlanPresence.plan_id == plan.id, PlanPresence.last_seen > since)
    )).order_by(User.id)))


def set_country(db: Session, plan: Plan, author: User, country: str, known: set[str]) -> None:
    """Choose the country whose crisis lines the plan shows (recorded in the history)."""
    if country not in known:
        raise OpError("unknown_country", _("We have no crisis lines for that country yet."), 422)
    lock_plan(db, plan)
    if plan.country == country:
        return
    before = {"country": plan.country}
    plan.country = country
    op_uuid = new_uuid()
    _record(db, plan, author, "country", "plan", before, {"country": country}, op_uuid,
            OpResult(op=op_uuid, status="applied", item="plan"))
    announce(db, plan)


# -- commitments ----------------------------------------------------------------------------------

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
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise OpError("bad_date", _("Please give the date as YYYY-MM-DD."), 400)


def _replayed(db: Session, op_uuid: str | None, plan: Plan, kind: str,
              item_uuid: str | None = None) -> PlanChange | OpReceipt | None:
    """The first outcome of a retried commitment change; 409 when the uuid did something else."""
    if op_uuid is None:
        return None
    if not isinstance(op_uuid, str) or not _ID.match(op_uuid):
        raise OpError("bad_uuid", _("Each change needs a uuid (letters, digits and dashes)."), 400)
    first = first_outcome(db, op_uuid)
    if first is not None and (first.plan_id != plan.id or first.op != kind
                              or (item_uuid is not None and first.item_uuid != item_uuid)):
        raise OpError("uuid_taken", _("This change uuid is already used elsewhere."), 409)
    return first


def add_commitment(db: Session, plan: Plan, author: User, text, due=None, made_on=None,
                   op_uuid: str | None = None) -> Commitment:
    """Record a commitment made in session (idempotent when given an op uuid)."""
    if not isinstance(text, str) or not text.strip():
        raise OpError("empty_text", _("Please write something first."), 422 if isinstance(text, str) else 400)
    if len(text.strip()) > MAX_COMMITMENT_TEXT:
        raise OpError("too_long", _("Please keep this to %(limit)d characters.", limit=MAX_COMMITMENT_TEXT), 422)
    due_date = _parse_date(due)
    made = _parse_date(made_on) or utcnow().date()
    lock_plan(db, plan)
    first = _replayed(db, op_uuid, plan, "commitment_add")
    if first is not None:
        return db.scalar(select(Commitment).where(Commitment.uuid == first.item_uuid))
    commitment = Commitment(uuid=new_uuid(), plan_id=plan.id, text=text.strip(), made_on=made,
                            due=due_date, status="open", note="", created_by_id=author.id)
    db.add(commitment)
    db.flush()
    op_uuid = op_uuid or new_uuid()
    _record(db, plan, author, "commitment_add", commitment.uuid, None, commitment_dict(commitment),
            op_uuid, OpResult(op=op_uuid, status="applied", item=commitment.uuid))
    announce(db, plan)
    return commitment


def review_commitment(db: Session, plan: Plan, author: User, commitment_id: int, status,
                      note="", op_uuid: str | None = None) -> Commitment:
    """Say how a commitment went: kept, partly or not kept, with an optional note."""
    if status not in COMMITMENT_STATUSES:
        raise OpError("bad_status", _("Choose kept, partly kept or not kept."), 422)
    if not isinstance(note, str):
        raise OpError("bad_type", _("“%(name)s” must be text.", name="note"), 400)
    if len(note.strip()) > MAX_COMMITMENT_TEXT:
        raise OpError("too_long", _("Please keep this to %(limit)d characters.", limit=MAX_COMMITMENT_TEXT), 422)
    commitment = db.scalar(select(Commitment).where(Commitment.id == commitment_id,
                                                    Commitment.plan_id == plan.id))
    if commitment is None:
        raise OpError("unknown_commitment", _("That commitment is not in this plan."), 404)
    lock_plan(db, plan)
    if _replayed(db, op_uuid, plan, "commitment_review", commitment.uuid) is not None:
        return commitment
    before = commitment_dict(commitment)
    commitment.status, commitment.note = status, note.strip()
    commitment.reviewed_at = utcnow()
    db.flush()
    op_uuid = op_uuid or new_uuid()
    _record(db, plan, author, "commitment_review", commitment.uuid, before, commitment_dict(commitment),
            op_uuid, OpResult(op=op_uuid, status="applied", item=commitment.uuid))
    announce(db, plan)
    return commitment


def commitments(db: Session, plan: Plan) -> list[Commitment]:
    """Every commitment, newest first: open and past ones stay visible."""
    return list(db.scalars(select(Commitment).where(Commitment.plan_id == plan.id)
                           .order_by(Commitment.made_on.desc(), Commitment.id.desc())))


# -- invites and links ----------------------------------------------------------------------------

class InviteError(ValueError):
    """An invite that cannot be used; the message is for the person holding it."""


def normalise_code(code: str) -> str:
    """Codes are read aloud and typed: ignore case, spaces and dashes."""
    return re.sub(r"[\s-]", "", (code or "")).upper()[:16]


def format_code(code: str) -> str:
    """ABCD-EFGH, easier to read out."""
    return f"{code[:4]}-{code[4:]}"


def create_invite(db: Session, therapist: User, now: datetime | None = None) -> Invite:
    """A new one-time invite valid for seven days."""
    now = now or utcnow()
    while True:
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        if db.scalar(select(Invite.id).where(Invite.code == code)) is None:
            break
    invite = Invite(code=code, therapist_id=therapist.id, created_at=now, expires_at=now + INVITE_LIFETIME)
    db.add(invite)
    db.flush()
    return invite


def find_invite(db: Session, code: str) -> Invite | None:
    """The invite with this code, if any."""
    return db.scalar(select(Invite).where(Invite.code == normalise_code(code)))


def invite_problem(invite: Invite | None, now: datetime | None = None) -> str | None:
    """Why an invite cannot be used, or None when it can."""
    now = now or utcnow()
    if invite is None:
        return _("We could not find that invitation. Check the code and try again.")
    if invite.used_at is not None:
        return _("This invitation has already been used. Ask your therapist for a new one.")
    if invite.expires_at <= now:
        return _("This invitation has expired. Ask your therapist for a new one.")
    return None


def accept_invite(db: Session, code: str, client: User, now: datetime | None = None) -> Invite:
    """Link the client with the inviting therapist; the invite then stops working."""
    now = now or utcnow()
    invite = find_invite(db, code)
    problem = invite_problem(invite, now)
    if problem:
        raise InviteError(problem)
    if client.role != "client":
        raise InviteError(_("Only a client account can accept an invitation."))
    # Mark it used with a guarded update, so two people racing for one code cannot both win.
    taken = db.execute(update(Invite).where(Invite.id == invite.id, Invite.used_at.is_(None))
                       .values(used_at=now, used_by_id=client.id)
                       .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise InviteError(_("This invitation has already been used. Ask your therapist for a new one."))
    db.refresh(invite)
    care.link(db, invite.therapist_id, client.id)
    get_or_create_plan(db, client)
    return invite


def open_invites(db: Session, therapist: User, now: datetime | None = None) -> list[Invite]:
    """A therapist's invites that can still be used."""
    now = now or utcnow()
    return list(db.scalars(select(Invite).where(
        Invite.therapist_id == therapist.id, Invite.used_at.is_(None), Invite.expires_at > now
    ).order_by(Invite.created_at.desc())))


def end_access(db: Session, client: User, therapist_id: int) -> bool:
    """The client ends a therapist's access to their plan at once: the therapist's open editors
    are told (once this commits) and let go of the plan."""
    ended = care.end_link(db, therapist_id, client.id)
    plan = plan_of(db, client)
    if ended and plan is not None:
        get_broker().publish(db, f"plan:{plan.id}", {"plan": plan.id, "access_ended": therapist_id})
    return ended


def plans_of_clients(db: Session, therapist: User) -> list[tuple[User, Plan | None]]:
    """The therapist's linked clients with their plans."""
    clients = care.clients_of(db, therapist.id)
    plans = {p.owner_id: p for p in db.scalars(select(Plan).where(Plan.owner_id.in_([c.id for c in clients])))}
    return [(c, plans.get(c.id)) for c in clients]


def count_items(db: Session, plan: Plan) -> int:
    """How many live items a plan has."""
    return db.scalar(select(func.count(PlanItem.id)).where(PlanItem.plan_id == plan.id,
                                                           PlanItem.deleted.is_(False))) or 0
