"""What hope items look like on the plan's pages: the editor's panel (add, share, remove), the
items themselves on the crisis view and in the walk-through's hope step, and on paper (the print
view and the PDF: photos as pictures, recordings as their words, messages with who wrote them)."""
from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from backend import audit, db
from backend.accounts.models import User
from hope_media import access, files, services
from hope_media.models import KINDS, PlanMedia

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
        "photo_mb": files.PHOTO_MAX_BYTES // files.MB, "audio_mb": files.AUDIO_MAX_MB,
        "audio_max_bytes": files.AUDIO_MAX_BYTES, "audio_too_big": files.recording_too_big().message,
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
    if place == "print":
        return _print(plan, key)
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


# -- on paper -----------------------------------------------------------------------------------------

def _on_paper(session, viewer, plan, key: str) -> tuple[list[PlanMedia], str]:
    """What this viewer may print of a section, and the sentence for what only the client sees."""
    items = services.visible(session, viewer, plan, key)
    private = "" if plan.owner_id == viewer.id else services.counts_sentence(
        services.private_counts(session, viewer, plan, key))
    return items, private


def _authors(session, items: list[PlanMedia]) -> dict[int, str]:
    ids = {m.author_id for m in items if m.kind == "message" and m.author_id is not None}
    return {user.id: user.name for user in (session.get(User, i) for i in ids) if user is not None}


def recording_line(media: PlanMedia) -> str:
    """A recording on paper: its name and what is said."""
    line = _("Recording: %(caption)s", caption=media.caption or _("A recording"))
    return f"{line} — {media.transcript}" if media.transcript else line


def message_line(media: PlanMedia, authors: dict[int, str]) -> str:
    """A message on paper, with who wrote it."""
    name = authors.get(media.author_id or 0, "")
    return f"“{media.caption}” — {name}" if name else f"“{media.caption}”"


def private_line(plan, private: str) -> str:
    """What only the client sees, said as on the pages."""
    return _("Only %(name)s sees these: %(counts)s.", name=plan.owner.name, counts=private)


def _print(plan, key: str) -> Markup:
    if key not in MEDIA_SECTIONS:
        return Markup("")
    session = db.session()
    items, private = _on_paper(session, current_user, plan, key)
    if not items and not private:
        return Markup("")
    return Markup(render_template("hope_media/_print.html", items=items, authors=_authors(session, items),
                                  private=private_line(plan, private) if private else "",
                                  file_url=services.file_url, recording_line=recording_line,
                                  message_line=message_line))


def pdf_lines(session, viewer, plan, key: str) -> list:
    """This section's items in the PDF (`safety_plans.extras.pdf_entries`). A photo's bytes are
    read here, so a therapist's copy of a shared photo is logged like opening it."""
    if key not in MEDIA_SECTIONS:
        return []
    items, private = _on_paper(session, viewer, plan, key)
    authors = _authors(session, items)
    entries: list = []
    for media in items:
        if media.kind == "photo":
            data = services.file_bytes(media)
            if data:
                entries.append(("image", data, media.caption))
                if viewer.id != plan.owner_id:
                    audit.record(session, viewer, plan.owner_id, "open", "media", media.id)
            elif media.caption:
                entries.append(("text", media.caption))
        elif media.kind == "audio":
            entries.append(("text", recording_line(media)))
        else:
            entries.append(("text", message_line(media, authors)))
    if private:
        entries.append(("text", private_line(plan, private)))
    return entries
