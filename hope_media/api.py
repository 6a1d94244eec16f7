"""JSON for the recorder: a recording (or a message) sent through the page's outbox, idempotent by
the client's uuid, so a retry after a lost answer never stores it twice."""
from __future__ import annotations

import base64
import binascii

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from backend import audit, db
from backend.access import roles
from backend.answers import json_object, reply
from backend.errors import ServiceError
from backend.guard import MAX_ID
from backend.openapi import NOT_BLANK, add_paths
from hope_media import files, services
from hope_media.render import MEDIA_SECTIONS
from safety_plans.access import load_plan

bp = Blueprint("hope_media_api", __name__, url_prefix="/api/v1")


@bp.url_value_preprocessor
def _room_for_a_recording(endpoint, _values) -> None:
    """A whole recording in base64 (1 MB elsewhere). Here, on this blueprint, because a
    blueprint's hook runs only for its own endpoints (the form's hook never reached this one);
    before anything reads the body (the request guard and CSRF run after URL preprocessors)."""
    if endpoint == "hope_media_api.add":
        request.max_content_length = files.API_BODY_MAX_BYTES


@bp.errorhandler(RequestEntityTooLarge)
def _too_big(_exc):
    """A body over the limit is a recording over the limit: said as the recording check says it,
    in the person's language, for the recorder to show beside the field."""
    error = files.recording_too_big()
    return jsonify(error.to_dict()), error.status


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


# Standard base64 with its padding, as base64.b64decode(validate=True) reads it.
_BASE64 = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
# Each kind's own rules are in the oneOf: the server reads a message's words only, so a message
# may carry anything else (as it may carry properties not listed here).
_ADD = {"type": "object", "required": ["uuid", "kind"], "properties": {
    "uuid": {"type": "string", "maxLength": 64, "pattern": NOT_BLANK,
             "description": "Made by the browser; a retry reuses it and gets the first answer (trimmed)"},
    "kind": {"type": "string", "enum": ["audio", "message"]},
    "data": {"type": "string", "format": "byte", "pattern": _BASE64,
             "description": "The recording, base64 (read whatever the kind): WebM/Opus, Ogg or MP4 audio, recognised "
                            f"by its first bytes (422 not_a_recording otherwise); at most {files.AUDIO_MAX_MB} MB"},
    "caption": {"type": "string", "description": "a message's words, or a recording's caption (trimmed)"},
    "transcript": {"type": "string"},
    "duration_ms": {"type": "integer", "description": "a recording's length (below 0 counts as 0)"},
    "section": {"type": "string", "description": "one of " + ", ".join(MEDIA_SECTIONS) + "; anything else: reasons"},
    "shared": {"type": "boolean"},
    "item": {"type": "string", "description": "The plan item (uuid) this hangs on, if any"}},
    "oneOf": [
        {"required": ["data"], "properties": {
            "kind": {"enum": ["audio"]},
            "data": {"minLength": 4, "maxLength": files.base64_size(files.AUDIO_MAX_BYTES)},
            "caption": {"maxLength": services.CAPTION_MAX}, "transcript": {"maxLength": services.TRANSCRIPT_MAX},
            "duration_ms": {"maximum": (files.AUDIO_MAX_SECONDS + 5) * 1000}}},
        {"required": ["caption"], "properties": {
            "kind": {"enum": ["message"]}, "caption": {"pattern": NOT_BLANK, "maxLength": services.MESSAGE_MAX}}}]}
_ERROR = {"description": "Refused; nothing was stored", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                                     "field": {"type": "string", "nullable": True}, "status": {"type": "integer"}}}}}}
OPENAPI_PATHS = {"/api/v1/plans/{plan_id}/media": {"post": {
    "summary": "Add a recording or a message to a plan's section (idempotent by uuid)",
    "parameters": [{"name": "plan_id", "in": "path", "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": _ADD}}},
    "responses": {"201": {"description": "Stored"}, "200": {"description": "Already stored: the same item"},
                  "400": _ERROR, "401": _ERROR, "403": _ERROR, "404": _ERROR, "409": _ERROR, "413": _ERROR,
                  "422": _ERROR}}}}


def register_openapi(app) -> None:
    """Describe the endpoint in the shared OpenAPI document."""
    add_paths(app, OPENAPI_PATHS)
