"""The plain HTML forms: read what was posted and turn it into ops for the one op service.

Each form carries a fresh op uuid (and, for new items, an item uuid) made when the page was
rendered, so sending the same form twice changes the plan once. Edit forms also carry the values
the person started from, so only the fields they really changed are sent: two people changing
different fields of one item never overwrite each other.
"""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from safety_plans.ops import FIELDS, new_uuid

TEXT_FIELDS = ("text", "phone", "sms_message")


def _fields_from(form: MultiDict, prefix: str = "") -> dict:
    """The item fields of a posted form (checkbox absent means false)."""
    fields = {name: form.get(prefix + name, "") for name in TEXT_FIELDS if prefix + name in form}
    if prefix + "has_agreed" in form:  # the form shows the checkbox
        fields["agreed"] = form.get(prefix + "agreed") == "y"
    return fields


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def op_from_form(form: MultiDict, current_index: int | None = None) -> dict:
    """Build the op a posted editor form asks for (checked later by the service)."""
    action = form.get("action", "")
    op = {"uuid": form.get("op") or new_uuid(), "item": form.get("item", "")}
    base = _int(form.get("base_version"))
    if action == "add":
        op.update(type="add", item=form.get("item") or new_uuid(), section=form.get("section"),
                  fields={k: v for k, v in _fields_from(form).items() if v not in ("", False)})
        if "text" not in op["fields"]:
            op["fields"]["text"] = ""
    elif action == "save":
        new, was = _fields_from(form), _fields_from(form, "was_")
        op.update(type="edit", base_version=base,
                  fields={k: v for k, v in new.items() if k in FIELDS and was.get(k) != v})
    elif action in ("up", "down"):
        step = -1 if action == "up" else 1
        op.update(type="move", position=max(0, (current_index or 0) + step))
    elif action in ("delete", "restore"):
        op.update(type=action, base_version=base)
    else:
        op.update(type=action)
    return op


def default_due(made_on):
    """Commitments are usually due by the next session, a week on."""
    from datetime import timedelta

    return made_on + timedelta(days=7)
