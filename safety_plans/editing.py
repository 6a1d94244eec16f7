"""The co-editor's page parts shared by every page that shows it (the editor page, a session's plan
review): what `_editor.html` needs, and where a plain editor form goes back to."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from backend import db
from backend.redirects import safe_path
from safety_plans import feed, hope, ops
from safety_plans.models import PlanChange

# What the editor's <template> for a new item is drawn from; the live editor fills in the rest.
BLANK_ITEM = {"uuid": "__ITEM__", "text": "", "phone": "", "sms_message": "", "agreed": False, "version": 0}


def editor_context(plan, failed: dict | None = None) -> dict:
    """What `_editor.html` (the co-editor) needs besides the plan, its sections, items and their
    authors (`hope_authors`): the
    removed items, the undo after a removal (`?deleted=`), the person's own overwriting change
    (`?conflict=`) and a failed form's values. The session page embeds the editor with this."""
    session = db.session()
    deleted = hope.restorable_by(current_user, feed.removed_items(session, plan))
    just_deleted = request.args.get("deleted")
    return dict(
        deleted=deleted, failed={"values": {}, **(failed or {})}, new_uuid=ops.new_uuid,
        conflict=my_conflict(session, plan, request.args.get("conflict")), blank_item=BLANK_ITEM,
        just_deleted=next((i for i in deleted if i.uuid == just_deleted), None),
    )


def my_conflict(session, plan, op_uuid: str | None) -> dict | None:
    """The current user's own change that overwrote someone's text (shown after a stale save)."""
    if not op_uuid:
        return None
    change = session.scalar(select(PlanChange).where(PlanChange.op_uuid == op_uuid, PlanChange.plan_id == plan.id,
                                                     PlanChange.author_id == current_user.id))
    if change is None or not (change.result or {}).get("conflicts"):
        return None
    return {"item": change.item_uuid, "mine": (change.after or {}), "conflicts": change.result["conflicts"]}


def back_to_editor(plan, item, section=None):
    """After a saved change: back to the item's section."""
    return back(plan, section or (item.section if item else ""))


def embedding_page(plan) -> str | None:
    """The page of this plan that embeds the editor and posted this form (a session's plan review
    names itself in `back`); never anywhere else."""
    posted = safe_path(request.form.get("back"), "")
    if posted.startswith(f"/plans/{plan.id}/") and not any(c in posted for c in "?#") and "//" not in posted:
        return posted
    return None


def back(plan, anchor: str = "", **query):
    """Back to the page the plain form was on: the editor, or the page that embeds it."""
    page = embedding_page(plan)
    url = (page + (f"?{urlencode(query)}" if query else "")) if page else url_for(
        "safety_plans.edit", plan_id=plan.id, **query)
    return redirect(url + (f"#{anchor}" if anchor else ""))
