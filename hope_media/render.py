"""What hope items look like on the plan's pages: the editor's panel (add, share, remove), and the
items themselves on the crisis view and in the walk-through's hope step."""
from __future__ import annotations

from flask import g, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from backend import db
from hope_media import access, files, services
from hope_media.models import KINDS

# The sections where people add photos, recordings and messages: what matters to me, and what I
# hope for (My hope; shown in the walk-through's last step with the rest of My hope).
MEDIA_SECTIONS = {"reasons", "hope_for"}


def panel_context(plan, section: str, failed: dict | None = None) -> dict:
    """Everything the editor's panel (and the media page) draws."""
    session = db.session()
    is_owner = plan.owner_id == current_user.id
    from safety_plans.content import BY_KEY
    from safety_plans.ops import new_uuid

    return {
        "plan": plan, "section": section, "section_title": BY_KEY[section].title if section in BY_KEY else "",
        "is_owner": is_owner, "items": services.visible(session, current_user, plan, section),
        "private": "" if is_owner else services.counts_sentence(
            services.private_counts(session, current_user, plan, section)),
        "client_name": plan.owner.name, "failed": failed or {"values": {}}, "new_uuid": new_uuid,
        "api_url": url_for("hope_media_api.add", plan_id=plan.id),
        "next_url": url_for("safety_plans.edit", plan_id=plan.id) + "#" + section,
        "photo_mb": files.PHOTO_MAX_BYTES // (1024 * 1024), "audio_mb": files.AUDIO_MAX_BYTES // (1024 * 1024),
        "audio_seconds": files.AUDIO_MAX_SECONDS, "file_url": services.file_url,
        "offline_mb": services.OFFLINE_BUDGET_BYTES // (1024 * 1024),
        "can_change": lambda media: access.can_change(current_user, plan, media),
    }


def render_extra(plan, key: str, place: str) -> Markup:
    """The plan's pages ask this for every section (`safety_plans.extras`)."""
    if not getattr(current_user, "is_authenticated", False):
        return Markup("")
    if place == "edit":
        if key not in MEDIA_SECTIONS:
            return Markup("")
        return Markup(render_template("hope_media/_panel.html", **panel_context(plan, key)))
    # A page asks for every section: read the plan's items once per request.
    cache = g.setdefault("hope_media_items", {})
    if plan.id not in cache:
        cache[plan.id] = services.live_media(db.session(), plan)
    here = [m for m in cache[plan.id] if m.section == key]
    items = [m for m in here if access.can_see(current_user, plan, m)]
    private = "" if plan.owner_id == current_user.id else services.counts_sentence(
        {kind: sum(1 for m in here if m.kind == kind and m not in items) for kind in KINDS})
    if not items and not private:
        return Markup("")
    return Markup(render_template("hope_media/_show.html", plan=plan, items=items, place=place, private=private,
                                  client_name=plan.owner.name, file_url=services.file_url))


def sections(session, viewer, plan) -> set:
    """Sections with items this viewer may see."""
    return services.sections_with_media(session, viewer, plan)
