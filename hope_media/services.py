"""The rules for hope items with media: adding (idempotent by the client's uuid), sharing,
removing (the file goes once the removal is committed), what each person sees, counts for the
private zone, the offline list within its budget, and the person's data."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import ColumnElement, String, case, cast, event, func, literal, select
from sqlalchemy.orm import Session

from backend.db import joined_in_order
from backend.errors import ServiceError
from hope_media import files, storage
from hope_media.access import can_see
from hope_media.models import KINDS, PlanMedia
from safety_plans.ops import too_long_message

CAPTION_MAX = 300
MESSAGE_MAX = 1000
TRANSCRIPT_MAX = 2000
OFFLINE_BUDGET_BYTES = 50 * 1024 * 1024
_DELETE = "trygg.media.delete"


# -- files go only when the database says so (hope_media/storage.py keeps them) ----------------------

def delete_after_commit(db: Session, items: list[tuple[int, str]]) -> None:
    """Delete these files (plan id, name) once the transaction commits (not at all if it rolls back)."""
    db.info.setdefault(_DELETE, []).extend(items)


@event.listens_for(Session, "after_commit")
def _delete_committed(session: Session) -> None:
    items = session.info.pop(_DELETE, None)
    if items:
        storage.store().delete(items)


@event.listens_for(Session, "after_rollback")
def _keep_rolled_back(session: Session) -> None:
    session.info.pop(_DELETE, None)


# -- adding -----------------------------------------------------------------------------------------

def _text(value: str | None, limit: int, field: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ServiceError("too_long", too_long_message(limit), 422, field=field)
    return text


def add_media(db: Session, plan, author, *, uuid: str, kind: str, caption: str = "", transcript: str = "",
              data: bytes = b"", duration_ms: int = 0, section: str = "reasons", item_uuid: str | None = None,
              shared: bool = False) -> PlanMedia:
    """Check and store one item. A retry with the same uuid returns the first result; a uuid
    used for anything else answers 409 (without saying what it was)."""
    uuid = (uuid or "").strip()
    if not uuid or len(uuid) > 64:
        raise ServiceError("bad_uuid", _("Something went wrong on this page. Please reload it and try again."), 400)
    existing = db.scalar(select(PlanMedia).where(PlanMedia.uuid == uuid))
    if existing is not None:
        if existing.plan_id == plan.id and existing.author_id == author.id and existing.kind == kind:
            return existing
        raise ServiceError("uuid_conflict", _("Something went wrong on this page. Please reload it and try again."),
                           409)
    if kind not in KINDS:
        raise ServiceError("bad_kind", _("Choose a photo, a recording or a message."), 422, field="kind")
    is_owner = plan.owner_id == author.id
    if kind == "photo" and not is_owner:
        raise ServiceError("therapist_photo", _("A therapist can add a message or a recording."), 403, field="kind")
    media = PlanMedia(uuid=uuid, plan_id=plan.id, section=(section or "reasons")[:32], item_uuid=item_uuid or None,
                      kind=kind, author_id=author.id, shared_with_therapist=bool(shared) if is_owner else True)
    if kind == "message":
        media.caption = _text(caption, MESSAGE_MAX, "caption")
        if not media.caption:
            raise ServiceError("empty", _("Please write something first."), 422, field="caption")
    else:
        media.caption = _text(caption, CAPTION_MAX, "caption")
        media.transcript = _text(transcript, TRANSCRIPT_MAX, "transcript")
        checked = files.check_photo(data) if kind == "photo" else files.check_audio(data, duration_ms)
        media.file_name = storage.store().put(plan.id, checked)
        media.mime, media.bytes = checked.mime, len(checked.data)
        media.width, media.height = checked.width, checked.height
        media.duration_ms = max(0, min(int(duration_ms or 0), files.AUDIO_MAX_SECONDS * 1000)) if kind == "audio" else 0
    db.add(media)
    db.flush()
    return media


# -- sharing and removing ---------------------------------------------------------------------------

def set_shared(db: Session, plan, user, media: PlanMedia, shared: bool) -> None:
    """Only the client shares (or stops sharing) their own items."""
    if plan.owner_id != user.id or media.author_id != user.id:
        raise ServiceError("not_yours", _("Only the person who added this can share it."), 403)
    media.shared_with_therapist = bool(shared)


def remove(db: Session, media: PlanMedia) -> None:
    """Remove an item: its words now, its file once this is committed (unless another item on the
    plan holds the very same bytes)."""
    media.deleted = True
    media.caption = media.transcript = ""
    name, media.file_name = media.file_name, ""
    if name:
        still_used = db.scalar(select(func.count()).select_from(PlanMedia).where(
            PlanMedia.plan_id == media.plan_id, PlanMedia.file_name == name, PlanMedia.deleted.is_(False),
            PlanMedia.id != media.id))
        if not still_used:
            delete_after_commit(db, [(media.plan_id, name)])


def remove_all_files_of(db: Session, user) -> None:
    """Account deletion: every file of the client's plan goes when the deletion is committed."""
    from safety_plans.plans import plan_of

    plan = plan_of(db, user) if user.role == "client" else None
    if plan is None:
        return
    names = db.scalars(select(PlanMedia.file_name).where(PlanMedia.plan_id == plan.id, PlanMedia.file_name != ""))
    delete_after_commit(db, [(plan.id, name) for name in set(names)])


# -- reading ----------------------------------------------------------------------------------------

def live_media(db: Session, plan, section: str | None = None) -> list[PlanMedia]:
    """Every item not removed, oldest first (before anyone's access is applied)."""
    query = select(PlanMedia).where(PlanMedia.plan_id == plan.id, PlanMedia.deleted.is_(False))
    if section:
        query = query.where(PlanMedia.section == section)
    return list(db.scalars(query.order_by(PlanMedia.created_at, PlanMedia.id)))


def visible(db: Session, user, plan, section: str | None = None) -> list[PlanMedia]:
    """What this person may see, oldest first."""
    return [m for m in live_media(db, plan, section) if can_see(user, plan, m)]


def private_counts(db: Session, user, plan, section: str | None = None) -> dict[str, int]:
    """For a therapist: how many of the client's items they may not see, by kind."""
    counts = dict.fromkeys(KINDS, 0)
    for m in live_media(db, plan, section):
        if not can_see(user, plan, m):
            counts[m.kind] += 1
    return counts


def counts_sentence(counts: dict[str, int]) -> str:
    """"2 photos, 1 recording" in the reader's language; empty when there is nothing."""
    parts = []
    if counts.get("photo"):
        parts.append(ngettext("%(num)d photo", "%(num)d photos", counts["photo"]))
    if counts.get("audio"):
        parts.append(ngettext("%(num)d recording", "%(num)d recordings", counts["audio"]))
    if counts.get("message"):
        parts.append(ngettext("%(num)d message", "%(num)d messages", counts["message"]))
    return ", ".join(parts)


def sections_with_media(db: Session, user, plan) -> set[str]:
    """Sections holding something this person may see (the walk-through keeps their step)."""
    return {m.section for m in visible(db, user, plan)}


def stamp(plan_id) -> ColumnElement:
    """Changes whenever anything is added, shared or removed: part of a saved page's version. A SQL
    expression of the plan's id (a bound parameter), asked with the plan's other parts in one
    statement; it reads like "m3,5d,7s" (ids in order, d removed, s shared)."""
    parts = (select((cast(PlanMedia.id, String) + case((PlanMedia.deleted, "d"), else_="")
                     + case((PlanMedia.shared_with_therapist, "s"), else_="")).label("part"))
             .where(PlanMedia.plan_id == plan_id).order_by(PlanMedia.id).subquery())
    return literal("m", String) + joined_in_order(parts.c.part)


def file_bytes(media: PlanMedia) -> bytes | None:
    """A stored file's bytes, or None when it is gone (the caller has checked who may see it)."""
    return storage.store().read(media.plan_id, media.file_name) if media.file_name else None


def file_url(media: PlanMedia) -> str:
    """Where the file is served (access-checked)."""
    return url_for("hope_media.media_file", plan_id=media.plan_id, name=media.file_name)


def offline_urls(db: Session, user, plan, budget: int = OFFLINE_BUDGET_BYTES) -> list[str]:
    """The client's files to keep on their device, newest first, until the budget is spent."""
    urls, spent = [], 0
    for media in sorted(visible(db, user, plan), key=lambda m: m.id, reverse=True):
        if not media.file_name:
            continue
        if spent + media.bytes > budget:
            continue
        spent += media.bytes
        urls.append(file_url(media))
    return urls


def media_dict(media: PlanMedia) -> dict:
    """One item as the API and the data download show it."""
    return {
        "uuid": media.uuid, "kind": media.kind, "section": media.section, "item": media.item_uuid,
        "caption": media.caption, "transcript": media.transcript,
        "author": media.author_id and _author_name(media), "shared_with_therapist": media.shared_with_therapist,
        "url": file_url(media) if media.file_name else None, "mime": media.mime or None, "bytes": media.bytes,
        "sha256": media.file_name.split(".")[0] if media.file_name else None,
        "duration_seconds": round(media.duration_ms / 1000, 1) if media.kind == "audio" else None,
        "created_at": media.created_at.isoformat(),
    }


def _author_name(media: PlanMedia) -> str | None:
    from sqlalchemy.orm import object_session

    from backend.accounts.models import User

    session = object_session(media)
    author = session.get(User, media.author_id) if session else None
    return author.name if author else None


def personal_data(db: Session, user) -> list[dict] | None:
    """"Download my data": every photo, recording and message on the client's plan, with a link to
    each file (the links work while the account does)."""
    from safety_plans.plans import plan_of

    plan = plan_of(db, user) if user.role == "client" else None
    if plan is None:
        return None
    return [media_dict(m) for m in visible(db, user, plan)]


def exists(db: Session, uuid: str) -> bool:
    """Whether an item was already stored under this uuid (a retry)."""
    return bool(uuid) and db.scalar(select(PlanMedia.id).where(PlanMedia.uuid == uuid)) is not None
