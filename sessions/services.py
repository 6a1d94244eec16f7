"""The rules of a session: starting one, saving check-in, plan review, check-out and feedback, the
history of saves and refusing stale ones. Plain functions over a database session.

Commitments are changed through `safety_plans.commitments` and the review date through
`safety_plans.plans`, so the plan's own pages and history agree with what happened in session.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import User
from backend.broker import get_broker
from backend.db import utcnow
from backend.errors import ServiceError
from backend.guard import MAX_ID
from safety_plans import commitments as commitment_rules
from safety_plans import plans as plan_rules
from safety_plans.models import Commitment, Plan
from safety_plans.ops import ID_PATTERN, lock_plan, new_uuid, too_long_message
from sessions.models import SCALES, SessionChange, TherapySession

CHECK_IN = ("mood", "coping", "unsafe", "unsafe_note")
CHECK_OUT = ("takeaway",)
FEEDBACK = ("fb_heard", "fb_wanted", "fb_fit", "fb_overall", "hope", "not_right")
FEEDBACK_ITEMS = ("fb_heard", "fb_wanted", "fb_fit", "fb_overall")  # the alliance items (not hope)
FIELDS = CHECK_IN + CHECK_OUT + FEEDBACK
MAX_TEXT = 2000
STATES = ("open", "done")
REVIEWED = ("kept", "partly", "not_kept")  # done / partly / not done, in the commitment's words


def topic(plan_id: int) -> str:
    """The broker topic open session pages listen on: the plan's own, so a session page also hears
    of plan changes (commitments, the review) and of a therapist's access ending. Plan editors
    ignore the session messages (no revision in them)."""
    return f"plan:{plan_id}"


def sessions_of(db: Session, plan: Plan) -> list[TherapySession]:
    """A plan's sessions, newest first."""
    return list(db.scalars(select(TherapySession).where(TherapySession.plan_id == plan.id)
                           .order_by(TherapySession.id.desc())))


def get_session(db: Session, plan: Plan, session_id: int) -> TherapySession:
    """One session of this plan (404 when it belongs to another plan or does not exist)."""
    found = db.get(TherapySession, session_id)
    if found is None or found.plan_id != plan.id:
        raise ServiceError("unknown_session", _("That session is not in this plan."), 404)
    return found


def create_session(db: Session, plan: Plan, author: User, scheduled_at: datetime | None = None) -> TherapySession:
    """Start a session (or plan one for a later time); the first row of its history too."""
    now = utcnow()
    found = TherapySession(plan_id=plan.id, scheduled_at=scheduled_at, state="open", version=1,
                           commitment_ids={"reviewed": [], "made": []}, created_by_id=author.id,
                           updated_by_id=author.id, created_at=now, updated_at=now)
    db.add(found)
    db.flush()
    db.add(SessionChange(session_id=found.id, version=1, author_id=author.id, at=now, op_uuid=new_uuid(),
                         before={}, after={"state": "open",
                                           "scheduled_at": scheduled_at.isoformat() if scheduled_at else None}))
    return found


def open_commitments(db: Session, plan: Plan, found: TherapySession) -> list[Commitment]:
    """What the check-in asks about: commitments still open, and those this session reviewed."""
    reviewed = set((found.commitment_ids or {}).get("reviewed", []))
    made = set((found.commitment_ids or {}).get("made", []))
    return [c for c in reversed(commitment_rules.commitments_of(db, plan))
            if c.id not in made and (c.status == "open" or c.id in reviewed)]


def made_in(db: Session, plan: Plan, found: TherapySession, kind: str = "made") -> list[Commitment]:
    """The commitments this session made (or reviewed)."""
    ids = (found.commitment_ids or {}).get(kind, [])
    if not ids:
        return []
    return list(db.scalars(select(Commitment).where(Commitment.plan_id == plan.id, Commitment.id.in_(ids))
                           .order_by(Commitment.id)))


def _check_value(name: str, value):
    """One field's value, checked and normalised."""
    if name in SCALES:
        if value in (None, ""):
            return None
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise ServiceError("bad_scale", _("Choose a number from 0 to 10."), 422, field=name)
        return value
    if name == "unsafe":
        if value in (None, ""):
            return None
        if value in (True, "yes"):
            return True
        if value in (False, "no"):
            return False
        raise ServiceError("bad_choice", _("Choose yes or no."), 422, field=name)
    if not isinstance(value, str):
        raise ServiceError("bad_type", _("“%(name)s” must be text.", name=name), 400, field=name)
    if len(value.strip()) > MAX_TEXT:
        raise ServiceError("too_long", too_long_message(MAX_TEXT), 422, field=name)
    return value.strip()


def check_fields(fields, author: User, plan: Plan) -> dict:
    """The fields of a save, checked; feedback only from the client whose plan it is."""
    if not isinstance(fields, dict):
        raise ServiceError("bad_fields", _("Fields must be an object."), 400)
    clean = {}
    for name, value in fields.items():
        if name not in FIELDS:
            raise ServiceError("unknown_field", _("Unknown field: %(name)s.", name=name), 400)
        if name in FEEDBACK and author.id != plan.owner_id:
            raise ServiceError("client_only", _("Only the client gives feedback on the session."), 403, field=name)
        clean[name] = _check_value(name, value)
    return clean


def _stale_fields(db: Session, found: TherapySession, base_version: int, names) -> tuple[list[str], list[str]]:
    """Fields among `names` someone saved after `base_version`, and who saved them."""
    later = db.scalars(select(SessionChange).where(SessionChange.session_id == found.id,
                                                   SessionChange.version > base_version)
                       .order_by(SessionChange.version))
    fields, people = [], []
    for change in later:
        touched = [n for n in names if n in (change.after or {})]
        fields += [n for n in touched if n not in fields]
        if touched and change.author is not None and change.author.name not in people:
            people.append(change.author.name)
    return fields, people


def _replayed(db: Session, found: TherapySession, op_uuid: str | None) -> bool:
    """True when this save was accepted before (a retry); 409 when its uuid did something else."""
    if op_uuid is None:
        return False
    if not isinstance(op_uuid, str) or not ID_PATTERN.match(op_uuid) or len(op_uuid) > 48:
        raise ServiceError("bad_uuid", _("Each change needs a uuid (letters, digits and dashes)."), 400)
    first = db.scalar(select(SessionChange).where(SessionChange.op_uuid == op_uuid))
    if first is not None and first.session_id != found.id:
        raise ServiceError("uuid_taken", _("This change uuid is already used elsewhere."), 409)
    return first is not None


def _review_commitments(db: Session, plan: Plan, found: TherapySession, author: User, reviews,
                        op_uuid: str) -> list[int]:
    """Check-in: how each open commitment went, saved through the commitments service."""
    if not isinstance(reviews, list):
        raise ServiceError("bad_commitments", _("“commitments” must be a list."), 400)
    done = []
    for review in reviews:
        # An id no column holds names nothing, and PostgreSQL would refuse to even look it up.
        if not isinstance(review, dict) or not isinstance(review.get("id"), int) or isinstance(review.get("id"), bool) \
                or not 0 <= review["id"] <= MAX_ID:
            raise ServiceError("bad_commitments", _("Each commitment needs its id."), 400)
        status, note = review.get("status"), review.get("note", "") or ""
        if status in (None, ""):
            continue
        if status not in REVIEWED:
            raise ServiceError("bad_status", _("Choose done, partly or not done."), 422,
                               field=f"commitment-{review['id']}")
        current = db.get(Commitment, review["id"])
        if current is not None and current.plan_id == plan.id and current.status == status \
                and current.note == (note.strip() if isinstance(note, str) else note):
            continue  # nothing new: no second line in the plan's history
        commitment_rules.review_commitment(db, plan, author, review["id"], status, note,
                                           op_uuid=f"{op_uuid}-r{review['id']}")
        done.append(review["id"])
    return done


def _new_commitments(db: Session, plan: Plan, author: User, made, today: date, op_uuid: str) -> list[int]:
    """Check-out: the new commitments, made through the commitments service (empty ones skipped)."""
    if not isinstance(made, list):
        raise ServiceError("bad_commitments", _("“new_commitments” must be a list."), 400)
    ids = []
    for n, entry in enumerate(made):
        if not isinstance(entry, dict):
            raise ServiceError("bad_commitments", _("Each new commitment needs a text."), 400)
        text = entry.get("text")
        if isinstance(text, str) and not text.strip():
            continue
        ids.append(commitment_rules.add_commitment(db, plan, author, text, due=entry.get("due"), made_on=today,
                                                   op_uuid=f"{op_uuid}-n{n}").id)
    return ids


def save(db: Session, plan: Plan, found: TherapySession, author: User, body: dict, today: date) -> TherapySession:
    """Apply one save: `{uuid, base_version, fields?, commitments?, new_commitments?, review?, state?}`.

    A save based on an older version is refused (409, nothing changed) when a field it carries was
    saved by someone since with a different value; fields nobody touched since go through. A retry
    of an accepted uuid changes nothing."""
    if not isinstance(body, dict):
        raise ServiceError("bad_json", _("The request body must be a JSON object."), 400)
    unknown = set(body) - {"uuid", "base_version", "fields", "commitments", "new_commitments", "review", "state"}
    if unknown:
        raise ServiceError("unknown_field", _("Unknown field: %(name)s.", name=sorted(unknown)[0]), 400)
    base = body.get("base_version")
    if not isinstance(base, int) or isinstance(base, bool) or base < 1:
        raise ServiceError("bad_version", _("“base_version” must be the version you started from."), 400)
    fields = check_fields(body.get("fields") or {}, author, plan)
    state = body.get("state")
    if state is not None and state not in STATES:
        raise ServiceError("bad_state", _("A session is open or done."), 400)
    op_uuid = body.get("uuid") or new_uuid()
    lock_plan(db, plan)
    db.refresh(found)
    if _replayed(db, found, op_uuid):
        return found
    changed = {n: v for n, v in fields.items() if getattr(found, n) != v}
    if base < found.version and changed:
        stale, people = _stale_fields(db, found, base, changed)
        if stale:
            raise ServiceError("stale", _("%(names)s saved this part of the session after you opened it. Your words "
                                          "are still here: look at theirs, then save again.",
                                          names=", ".join(people) or _("Someone")), 409, field=stale[0])
    before = {n: getattr(found, n) for n in changed}
    after = dict(changed)
    reviewed = _review_commitments(db, plan, found, author, body.get("commitments") or [], op_uuid)
    made = _new_commitments(db, plan, author, body.get("new_commitments") or [], today, op_uuid)
    review = body.get("review")
    if review is not None:
        if not isinstance(review, dict):
            raise ServiceError("bad_review", _("“review” must be an object."), 400)
        next_on = commitment_rules._parse_date(review.get("next_review"))
        plan_rules.mark_reviewed(db, plan, author, today, next_on)
        before["reviewed_plan"], after["reviewed_plan"] = found.reviewed_plan, True
        after["next_review"] = next_on.isoformat() if next_on else None
        found.reviewed_plan = True
    if state is not None and state != found.state:
        before["state"], after["state"] = found.state, state
        found.state = state
    if reviewed or made:
        ids = dict(found.commitment_ids or {})
        ids["reviewed"] = sorted(set(ids.get("reviewed", [])) | set(reviewed))
        ids["made"] = sorted(set(ids.get("made", [])) | set(made))
        found.commitment_ids = ids
        after.update({k: v for k, v in (("commitments_reviewed", reviewed), ("commitments_made", made)) if v})
    if not after:
        return found
    now = utcnow()
    for name, value in changed.items():
        setattr(found, name, value)
    if any(n in CHECK_IN for n in changed) and found.checked_in_at is None:
        found.checked_in_at = now
    if any(n in FEEDBACK for n in changed):
        found.feedback_at = now
    found.version += 1
    found.updated_by_id, found.updated_at = author.id, now
    db.add(SessionChange(session_id=found.id, version=found.version, author_id=author.id, at=now,
                         op_uuid=op_uuid, before=before, after=after))
    db.flush()
    get_broker().publish(db, topic(plan.id), {"plan": plan.id, "session": found.id, "version": found.version})
    return found


def history_of(db: Session, found: TherapySession) -> list[SessionChange]:
    """Every save of a session, newest first."""
    return list(db.scalars(select(SessionChange).where(SessionChange.session_id == found.id)
                           .order_by(SessionChange.version.desc())))


def feedback_mean(found: TherapySession) -> float | None:
    """The mean of the four feedback items given (None when none are)."""
    values = [getattr(found, n) for n in FEEDBACK_ITEMS if getattr(found, n) is not None]
    return sum(values) / len(values) if values else None


def session_dict(db: Session, plan: Plan, found: TherapySession) -> dict:
    """A session as JSON (feedback included: only the client and linked therapists get here)."""
    def iso(moment):
        return moment.isoformat() if moment else None

    body = {"id": found.id, "plan": plan.id, "state": found.state, "version": found.version,
            "scheduled_at": iso(found.scheduled_at), "checked_in_at": iso(found.checked_in_at),
            "feedback_at": iso(found.feedback_at), "reviewed_plan": found.reviewed_plan,
            "reviewed_on": iso(plan.reviewed_on), "next_review_on": iso(plan.next_review_on),
            "created_at": iso(found.created_at), "updated_at": iso(found.updated_at),
            "updated_by": found.updated_by.name if found.updated_by else None,
            "commitments": [commitment_rules.commitment_dict(c) for c in open_commitments(db, plan, found)],
            "new_commitments": [commitment_rules.commitment_dict(c) for c in made_in(db, plan, found)]}
    body.update({name: getattr(found, name) for name in FIELDS})
    return body


def personal_data(db: Session, user: User) -> list[dict] | None:
    """A client's sessions with every save, for "download my data" (oldest first)."""
    plan = plan_rules.plan_of(db, user) if user.role == "client" else None
    if plan is None:
        return None
    body = []
    for found in reversed(sessions_of(db, plan)):
        entry = session_dict(db, plan, found)
        entry["history"] = [{"version": c.version, "author": c.author.name if c.author else None,
                             "at": c.at.isoformat(), "before": c.before, "after": c.after}
                            for c in reversed(history_of(db, found))]
        body.append(entry)
    return body
