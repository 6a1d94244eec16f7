"""Who may see a plan's photos, recordings and messages: the one place views and the API ask.

The plan itself is checked by `safety_plans.access.load_plan` (the client, or a linked therapist;
everyone else 404). Inside a plan there is a private zone: what the client adds is theirs alone
until they share it; a linked therapist sees that it exists (counts), not what it shows. What a
therapist adds is seen by the client and by that therapist.
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import audit
from hope_media.models import PlanMedia

FILE_NAME_CHARS = set("0123456789abcdefghijklmnopqrstuvwxyz.")


def can_see(user, plan, media: PlanMedia) -> bool:
    """The plan's client sees everything on it; a therapist what was shared or what they wrote."""
    if media.deleted or media.plan_id != plan.id:
        return False
    if plan.owner_id == user.id:
        return True
    return user.role == "therapist" and (media.shared_with_therapist or media.author_id == user.id)


def can_change(user, plan, media: PlanMedia) -> bool:
    """The client may remove anything on their plan; a therapist only what they added."""
    return can_see(user, plan, media) and (plan.owner_id == user.id or media.author_id == user.id)


def load_media(db: Session, user, plan, media_id: int, change: bool = False) -> PlanMedia:
    """One item the user may see (or change), else 404 — never a hint that it exists."""
    media = db.get(PlanMedia, media_id)
    allowed = can_change if change else can_see
    if media is None or not allowed(user, plan, media):
        abort(404)
    return media


def load_file(db: Session, user, plan, name: str) -> PlanMedia:
    """The item behind a file name, if the user may see it; a therapist's look is logged."""
    if not name or set(name) - FILE_NAME_CHARS or len(name) > 80:
        abort(404)
    candidates = db.scalars(select(PlanMedia).where(
        PlanMedia.plan_id == plan.id, PlanMedia.file_name == name, PlanMedia.deleted.is_(False)))
    media = next((m for m in candidates if can_see(user, plan, m)), None)
    if media is None:
        abort(404)
    if user.id != plan.owner_id:
        audit.record(db, user, plan.owner_id, "open", "media", media.id)
    return media
