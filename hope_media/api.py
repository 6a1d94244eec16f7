"""JSON for the recorder: a recording (or a message) sent through the page's outbox, idempotent by
the client's uuid, so a retry after a lost answer never stores it twice."""
from __future__ import annotations

import base64
import binascii

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from backend import audit, db
from backend.access import roles
from backend.answers import json_object, reply
from backend.errors import ServiceError
from backend.openapi import add_paths
from hope_media import services
from hope_media.render import MEDIA_SECTIONS
from safety_plans.access import load_plan

bp = Blueprint("hope_media_api", __name__, url_prefix="/api/v1")


@bp.route("/plans/<int:plan_id>/media", methods=["POST"])
@roles("client", "therapist")
def add(plan_id: int):
    """`{"uuid", "kind": "audio"|"message", "data": base64, "caption", "transcript", "duration_ms",
    "section", "item", "shared"}` → 201 with the item (200 with the same item for a retry)."""
    session = db.session()
    plan = load_plan(session, current_user, plan_id, "change")
    body = json_object()
    try:
        data = base64.b64decode(body.get("data") or "", validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ServiceError("bad_data", _("That file is not a recording we can play. Please record again here, "
                                         "or choose a WebM, Ogg or M4A sound file."), 422, field="file") from exc
    asked = body.get("section")
    section: str = asked if isinstance(asked, str) and asked in MEDIA_SECTIONS else "reasons"
    known = services.exists(session, str(body.get("uuid") or ""))
    media = services.add_media(
        session, plan, current_user, uuid=str(body.get("uuid") or ""), kind=str(body.get("kind") or ""),
        caption=str(body.get("caption") or ""), transcript=str(body.get("transcript") or ""), data=data,
        duration_ms=int(body.get("duration_ms") or 0), section=section, shared=body.get("shared") is True,
        item_uuid=body["item"][:64] if isinstance(body.get("item"), str) and body["item"] else None)
    if current_user.id != plan.owner_id and not known:
        audit.record(session, current_user, plan.owner_id, "change", "media", media.id)
    return reply(services.media_dict(media), 200 if known else 201)


_ADD = {"type": "object", "required": ["uuid", "kind"], "properties": {
    "uuid": {"type": "string", "description": "Made by the browser; a retry reuses it"},
    "kind": {"type": "string", "enum": ["audio", "message"]},
    "data": {"type": "string", "description": "The recording, base64 (WebM/Opus, Ogg or MP4 audio; ≤ 3 MB)"},
    "caption": {"type": "string"}, "transcript": {"type": "string"},
    "duration_ms": {"type": "integer", "minimum": 0, "maximum": 125000},
    "section": {"type": "string"}, "shared": {"type": "boolean"},
    "item": {"type": "string", "description": "The plan item (uuid) this hangs on, if any"}}}
_ERROR = {"description": "Refused; nothing was stored", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                                     "field": {"type": "string", "nullable": True}, "status": {"type": "integer"}}}}}}
OPENAPI_PATHS = {"/api/v1/plans/{plan_id}/media": {"post": {
    "summary": "Add a recording or a message to a plan's section (idempotent by uuid)",
    "parameters": [{"name": "plan_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": _ADD}}},
    "responses": {"201": {"description": "Stored"}, "200": {"description": "Already stored: the same item"},
                  "400": _ERROR, "401": _ERROR, "403": _ERROR, "404": _ERROR, "409": _ERROR, "413": _ERROR,
                  "422": _ERROR}}}}


def register_openapi(app) -> None:
    """Describe the endpoint in the shared OpenAPI document."""
    add_paths(app, OPENAPI_PATHS)
