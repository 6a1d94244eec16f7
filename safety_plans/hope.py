"""My hope: four prompts of the plan written together (sections in `content.HOPE_SECTIONS`).

They are ordinary plan items, so co-editing, history, sync and offline need nothing of their own.
What is particular is said here: whose words the therapist's line is, and what the crisis
walk-through's last step shows of it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import User
from safety_plans.content import BY_KEY, HOPE_KEYS, THERAPIST_ONLY
from safety_plans.models import PlanItem

# What the walk-through's last step holds on to: hope, and the therapist's belief. What stands in
# the way of hope is for the sessions, not for the worst moment.
CRISIS_KEYS = ("hope_for", "hope_different", "hope_belief")


def text_author_id(item: PlanItem) -> int | None:
    """Who wrote the item's current text (not who last moved it)."""
    versions = item.field_versions or {}
    if "text" in versions:
        return versions["text"][1]
    return item.created_by_id


def authors(db: Session, items: dict[str, list[PlanItem]]) -> dict[str, str]:
    """Item uuid -> the name of whoever wrote the text, for the therapist-only sections."""
    wanted = {item.uuid: text_author_id(item) for key in THERAPIST_ONLY for item in items.get(key, [])}
    ids = {i for i in wanted.values() if i is not None}
    names = {u.id: u.name for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return {uuid: names.get(author, "") for uuid, author in wanted.items() if author is not None}


def has_hope(items: dict[str, list[PlanItem]]) -> bool:
    """Anything written in My hope yet."""
    return any(items.get(key) for key in HOPE_KEYS)


def crisis_parts(items: dict[str, list[PlanItem]]) -> list[tuple[object, list[PlanItem]]]:
    """(title, items) of My hope for the walk-through's last step, leaving out empty prompts."""
    return [(BY_KEY[key].title, items[key]) for key in CRISIS_KEYS if items.get(key)]


def restorable_by(user: User, items: list[PlanItem]) -> list[PlanItem]:
    """Removed items this person may bring back: the therapist's line only for a therapist."""
    return [i for i in items if i.section not in THERAPIST_ONLY or user.role == "therapist"]
