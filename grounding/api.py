"""JSON for the player and the offline outbox: sessions, idempotent by the client's uuid."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import get_locale
from flask_login import current_user

from backend import db
from backend.access import roles
from backend.answers import reply
from backend.openapi import add_paths
from grounding import services

bp = Blueprint("grounding_api", __name__, url_prefix="/api/v1/grounding")


@bp.route("/sessions", methods=["POST"])
@roles("client")
def create_session():
    """Record a finished or stopped session: 201 the first time, 200 with the same record after."""
    payload = request.get_json(silent=True)
    session = db.session()
    record, created = services.record_session(session, current_user.id, payload)  # ServiceError: backend/errors.py
    return reply(services.session_dict(session, record, str(get_locale())), 201 if created else 200)


@bp.route("/sessions", methods=["GET"])
@roles("client")
def list_sessions():
    """The client's own sessions, oldest first, with their ranking."""
    session = db.session()
    locale = str(get_locale())
    return jsonify(
        sessions=[services.session_dict(session, r, locale) for r in services.sessions_of(session, current_user.id)],
        ranking=services.ranking(session, current_user.id, locale))


_SESSION: dict = {"type": "object", "required": ["client_uuid", "exercise"], "properties": {
    "client_uuid": {"type": "string", "format": "uuid", "description": "Made by the client; a retry reuses it"},
    "exercise": {"type": "string", "minLength": 1,
                 "description": "A catalog slug, or custom-<id> for one of the client's own"},
    "started_at": {"type": "string", "format": "date-time", "description": "With a time zone; default now"},
    "duration_seconds": {"type": "integer", "minimum": 0, "maximum": 86400},
    "distress_before": {"type": "integer", "minimum": 0, "maximum": 10, "nullable": True},
    "distress_after": {"type": "integer", "minimum": 0, "maximum": 10, "nullable": True},
    "completed": {"type": "boolean", "description": "false when the client stopped early"}}}
_RECORD = {"type": "object", "properties": {**_SESSION["properties"], "id": {"type": "integer"},
                                           "title": {"type": "string"}}}
_ERROR = {"description": "Refused; nothing was recorded", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}, "field": {"type": "string", "nullable": True},
                                     "status": {"type": "integer"}}}}}}

# Merged into /api/v1/openapi.json by whoever serves it (the shared "trygg.openapi_paths" registry).
OPENAPI_PATHS = {
    "/api/v1/grounding/sessions": {
        "post": {
            "summary": "Record a finished or stopped grounding session (idempotent by client_uuid)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": _SESSION}}},
            "responses": {
                "201": {"description": "Recorded", "content": {"application/json": {"schema": _RECORD}}},
                "200": {"description": "Already recorded: the first record",
                        "content": {"application/json": {"schema": _RECORD}}},
                "400": _ERROR, "401": _ERROR, "403": _ERROR, "409": _ERROR}},
        "get": {
            "summary": "The client's own sessions, oldest first, and their exercises ranked by average drop",
            "responses": {"200": {"description": "Sessions and ranking"}, "401": _ERROR, "403": _ERROR}},
    },
}


def register_openapi(app) -> None:
    """Describe these endpoints in the shared OpenAPI document."""
    add_paths(app, OPENAPI_PATHS)
