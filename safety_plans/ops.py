"""Ops: the one way a plan's items change, from the HTML forms, the JSON API and the tests alike.

An op is a dict: {uuid, type: add|edit|move|delete|restore, item, section, fields, position,
base_version}. `apply_ops` checks a whole batch before touching anything, then applies it op by op;
each accepted op bumps `Plan.revision` and writes one `PlanChange`. Every outcome is kept (a
change, or a receipt when nothing changed), so a retry of a uuid always gets its first answer.
Conflict rules: an edit that replaces another person's text in a field reports it (the edit wins,
and both are told: see `_replaced_words`); a delete of an item edited since its base keeps the item.
"""
from __future__ import annotations

import re
import uuid as uuid_module
from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, literal, select, union_all, update
from sqlalchemy.orm import Session

from backend.accounts.models import User
from backend.broker import get_broker
from backend.db import utcnow
from backend.errors import ServiceError
from safety_plans.content import SECTION_KEYS, THERAPIST_ONLY
from safety_plans.models import OpReceipt, Plan, PlanChange, PlanItem

OP_TYPES = ("add", "edit", "move", "delete", "restore")
TEXT_LIMITS = {"text": 500, "phone": 40, "sms_message": 300}
FIELDS = ("text", "phone", "agreed", "sms_message")
# How long after someone saves a field's text another person's change to it still reports whose
# words it replaced (see `_replaced_words`).
REPLACED_WITHIN_SECONDS = 120
MAX_BATCH = 200
MAX_ITEMS_PER_SECTION = 50
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PHONE = re.compile(r"^[0-9+()\- ]*$")


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
    """What became of one op: applied, applied over words of someone else's it reports in
    `conflicts` (conflict: see `_replaced_words`), or kept (a delete refused because the item was
    edited since)."""

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


def too_long_message(limit: int) -> str:
    """ "Please keep this to 500 characters." in the reader's language, with its plural form."""
    return ngettext("Please keep this to %(num)s character.", "Please keep this to %(num)s characters.", limit)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_fields(fields, require_text: bool) -> dict:
    """Validate and normalise the editable fields of an item."""
    if not isinstance(fields, dict):
        raise ServiceError("bad_fields", _("Fields must be an object."), 400)
    clean: dict[str, bool | str] = {}
    for name, value in fields.items():
        if name not in FIELDS:
            raise ServiceError("unknown_field", _("Unknown field: %(name)s.", name=name), 400)
        if name == "agreed":
            if not isinstance(value, bool):
                raise ServiceError("bad_type", _("“%(name)s” must be true or false.", name=name), 400)
            clean[name] = value
            continue
        if not isinstance(value, str):
            raise ServiceError("bad_type", _("“%(name)s” must be text.", name=name), 400)
        value = value.strip()
        if len(value) > TEXT_LIMITS[name]:
            raise ServiceError("too_long", too_long_message(TEXT_LIMITS[name]), 422)
        if name == "phone" and (not _PHONE.match(value) or (value and sum(c.isdigit() for c in value) < 2)):
            raise ServiceError("bad_phone", _("A phone number may only have digits, spaces, + - and brackets."), 422)
        clean[name] = value
    if "text" in clean and not clean["text"]:
        raise ServiceError("empty_text", _("Please write something first."), 422)
    if require_text and not clean.get("text"):
        raise ServiceError("empty_text", _("Please write something first."), 422)
    return clean


def check_op(raw, index: int | None = None) -> Op:
    """Turn one incoming op into an `Op`, or raise ServiceError saying what is wrong with it."""
    try:
        if not isinstance(raw, dict):
            raise ServiceError("bad_op", _("Each change must be an object."), 400)
        op_uuid, op_type, item = raw.get("uuid"), raw.get("type"), raw.get("item")
        if not isinstance(op_uuid, str) or not ID_PATTERN.match(op_uuid):
            raise ServiceError("bad_uuid", _("Each change needs a uuid (letters, digits and dashes)."), 400)
        if op_type not in OP_TYPES:
            raise ServiceError("bad_type", _("Unknown kind of change."), 400)
        if not isinstance(item, str) or not ID_PATTERN.match(item):
            raise ServiceError("bad_item", _("Each change needs the item's uuid."), 400)
        section = raw.get("section")
        if section is not None and section not in SECTION_KEYS:
            raise ServiceError("unknown_section", _("There is no such section in the plan."), 422)
        if op_type == "add" and section is None:
            raise ServiceError("unknown_section", _("There is no such section in the plan."), 422)
        position, base = raw.get("position"), raw.get("base_version")
        if position is not None and (not _is_int(position) or position < 0):
            raise ServiceError("bad_position", _("The position must be a whole number, 0 or more."), 400)
        if op_type == "move" and position is None:
            raise ServiceError("bad_position", _("The position must be a whole number, 0 or more."), 400)
        if base is not None and (not _is_int(base) or base < 0):
            raise ServiceError("bad_version", _("The base version must be a whole number, 0 or more."), 400)
        if op_type in ("edit", "delete") and base is None:
            raise ServiceError("bad_version", _("The base version must be a whole number, 0 or more."), 400)
        fields = raw.get("fields") or {}
        if op_type in ("add", "edit"):
            fields = check_fields(fields, require_text=op_type == "add")
            if op_type == "edit" and not fields:
                raise ServiceError("bad_fields", _("Nothing to change."), 400)
        elif fields:
            raise ServiceError("bad_fields", _("Only add and edit carry fields."), 400)
        return Op(op_uuid, op_type, item, section, fields, position, base)
    except ServiceError as exc:
        exc.index = index
        raise


def snapshot(item: PlanItem) -> dict:
    """An item as the history and the API show it."""
    return {
        "uuid": item.uuid, "section": item.section, "text": item.text, "phone": item.phone,
        "agreed": item.agreed, "sms_message": item.sms_message, "position": item.position,
        "version": item.version, "deleted": item.deleted,
    }


_LOCK = (update(Plan).where(Plan.id == bindparam("plan_id")).values(revision=Plan.revision).returning(Plan)
         .execution_options(synchronize_session=False))


def lock_plan(db: Session, plan: Plan) -> None:
    """Serialise writers on one plan: a row lock on PostgreSQL, the write lock on SQLite.

    The first statement is a write, so SQLite takes its lock before we read anything and never
    has to upgrade a stale read snapshot.
    """
    # One statement: the write takes the lock and RETURNING brings the row back fresh (what a
    # refresh after it would read, a second round trip on every write).
    db.execute(_LOCK, {"plan_id": plan.id}, execution_options={"populate_existing": True}).scalar_one()


def record_change(db: Session, plan: Plan, author: User | None, op: str, item_uuid: str,
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
    db.flush()  # one flush per op: the item, the plan's revision and this change together
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


# Built once: every op on an item starts by finding it.
_ITEM = (select(PlanItem).where(PlanItem.plan_id == bindparam("plan_id"), PlanItem.uuid == bindparam("item_uuid"))
         .execution_options(populate_existing=True))


def _find_item(db: Session, plan: Plan, item_uuid: str) -> PlanItem:
    item = db.scalar(_ITEM, {"plan_id": plan.id, "item_uuid": item_uuid})
    if item is None:
        raise ServiceError("unknown_item", _("That item is not in this plan."), 404)
    return item


def _edited_by_others_since(item: PlanItem, base: int | None, author: User) -> list[tuple[str, list]]:
    if base is None:
        return []
    return [(f, v) for f, v in (item.field_versions or {}).items() if v[0] > base and v[1] != author.id]


def _set_by(author: User, version: int, now: float) -> list:
    """A field's entry in `field_versions`: [item version, author id, when saved (Unix seconds)]."""
    return [version, author.id, round(now, 3)]


def _replaced_words(db: Session, item: PlanItem, op: Op, author: User, now: float) -> list[dict]:
    """Whose words this edit replaces, for the results (`conflicts`) and so for the feed.

    The rule: an edit that changes a field's value replaces the words of the field's last writer
    when that is someone else and either
      (a) they set it after the edit's base version (both changed it at the same time), or
      (b) it is text (not the "agreed" tick), not empty, and they saved it at most
          REPLACED_WITHIN_SECONDS before: on purpose or by the editor's autosave, the person
          changing it may not have read it, and it was just said.
    The edit still wins (the later one always does); both people are told, each with the words:
    the replaced person gets "Get my text back", the other "Bring …'s text back". A change to text
    its writer saved longer ago is an ordinary edit (the history keeps the old words).
    """
    replaced = []
    for name, value in op.fields.items():
        current = getattr(item, name)
        entry = (item.field_versions or {}).get(name)
        if current == value or not entry or entry[1] == author.id:
            continue
        same_time = op.base_version is not None and entry[0] > op.base_version
        just_saved = (name in TEXT_LIMITS and current != "" and len(entry) > 2
                      and now - entry[2] <= REPLACED_WITHIN_SECONDS)
        if same_time or just_saved:
            who = db.get(User, entry[1])
            replaced.append({"field": name, "overwritten": current, "author_id": entry[1],
                             "author_name": who.name if who else ""})
    return replaced


def _check_writer(author: User, section: str) -> None:
    """The therapist's line in "My hope" is theirs: the client reads it, and only a therapist writes it."""
    if section in THERAPIST_ONLY and author.role != "therapist":
        raise ServiceError("therapist_only", _("Only your therapist writes here. You can read their words."), 422)


def _apply_one(db: Session, plan: Plan, author: User, op: Op) -> OpResult:
    result = OpResult(op=op.uuid, status="applied", item=op.item)
    _check_writer(author, op.section or "")
    if op.type == "add":
        if op.section is None:  # check_op refuses an add without one
            raise ServiceError("unknown_section", _("There is no such section in the plan."), 422)
        if db.scalar(select(PlanItem.id).where(PlanItem.uuid == op.item)) is not None:
            raise ServiceError("item_exists", _("An item with this uuid already exists."), 409)
        items = _live_items(db, plan, op.section)
        if len(items) >= MAX_ITEMS_PER_SECTION:
            raise ServiceError("section_full", _("This section is full. Please remove something first."), 422)
        item = PlanItem(uuid=op.item, plan_id=plan.id, section=op.section, version=1,
                        created_by_id=author.id, updated_by_id=author.id, **op.fields)
        now = utcnow().timestamp()
        item.field_versions = {name: _set_by(author, 1, now) for name in op.fields}
        db.add(item)
        _place(items, item, op.position)
        result.version = item.version
        record_change(db, plan, author, "add", item.uuid, None, snapshot(item), op.uuid, result)
        return result

    item = _find_item(db, plan, op.item)
    _check_writer(author, item.section)
    if op.base_version is not None and op.base_version > item.version:
        raise ServiceError("version_ahead", _("This change is based on a version the server has not seen."), 409)
    before = snapshot(item)
    versions = dict(item.field_versions or {})
    if op.type == "edit":
        if item.deleted:  # an edit brings a removed item back: the words are never dropped
            item.deleted = False
            result.restored = True
            _place(_live_items(db, plan, item.section), item, item.position)
        now = utcnow().timestamp()
        result.conflicts = _replaced_words(db, item, op, author, now)
        item.version += 1
        for name, value in op.fields.items():
            setattr(item, name, value)
            versions[name] = _set_by(author, item.version, now)
        item.field_versions = versions
        result.status = "conflict" if result.conflicts else "applied"
    elif op.type == "delete":
        if _edited_by_others_since(item, op.base_version, author):
            result.status, result.version, result.revision = "kept", item.version, plan.revision
            keep_receipt(db, plan, op, result)  # nothing changed, but a retry must get this answer again
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
    result.version = item.version
    record_change(db, plan, author, op.type, item.uuid, before, snapshot(item), op.uuid, result)
    return result


def first_outcome(db: Session, op_uuid: str) -> PlanChange | OpReceipt | None:
    """What an op uuid did the first time: a recorded change, or a receipt of one that changed
    nothing. Every outcome is kept, so a retry never does more than the first attempt."""
    kinds = set(db.scalars(_SEEN, {"op_uuid": op_uuid}))  # almost always none: a new op
    if PlanChange.__tablename__ in kinds:
        return db.scalar(select(PlanChange).where(PlanChange.op_uuid == op_uuid))
    if OpReceipt.__tablename__ in kinds:
        return db.scalar(select(OpReceipt).where(OpReceipt.op_uuid == op_uuid))
    return None


# Whether an op uuid was seen before, in one statement built once: every op of every write asks.
_SEEN = union_all(
    select(literal(PlanChange.__tablename__)).where(PlanChange.op_uuid == bindparam("op_uuid")),
    select(literal(OpReceipt.__tablename__)).where(OpReceipt.op_uuid == bindparam("op_uuid")),
)


def keep_receipt(db: Session, plan: Plan, op: Op, result: OpResult) -> None:
    db.add(OpReceipt(plan_id=plan.id, op_uuid=op.uuid, op=op.type, item_uuid=op.item,
                     result=result.to_dict(), at=utcnow()))
    db.flush()


def apply_ops(db: Session, plan: Plan, author: User, ops) -> list[OpResult]:
    """Apply a batch of ops to a plan; the caller commits (or rolls back on ServiceError).

    A retried op (same uuid) returns its first result and changes nothing. The batch is checked
    as a whole first, so a malformed op leaves the plan untouched.
    """
    if not isinstance(ops, list):
        raise ServiceError("bad_ops", _("“ops” must be a list of changes."), 400)
    if len(ops) > MAX_BATCH:
        raise ServiceError("too_many", ngettext("Please send at most %(num)d change at once.",
                                                "Please send at most %(num)d changes at once.", MAX_BATCH), 413)
    checked = [check_op(raw, i) for i, raw in enumerate(ops)]
    lock_plan(db, plan)
    results = []
    for index, op in enumerate(checked):
        first = first_outcome(db, op.uuid)
        if first is not None:
            if (first.plan_id, first.op, first.item_uuid) != (plan.id, op.type, op.item):
                raise ServiceError("uuid_taken", _("This change uuid is already used elsewhere."), 409, index=index)
            results.append(OpResult(**{**first.result, "replayed": True}))
            continue
        try:
            results.append(_apply_one(db, plan, author, op))
        except ServiceError as exc:
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
