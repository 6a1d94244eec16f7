"""JSON for the player and the offline outbox: sessions, idempotent by the client's uuid."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import get_locale
from flask_login import current_user

from backend import db
from backend.access import roles
from backend.answers import reply
from backend.db import utcnow
from backend.openapi import add_paths, date_time_schema, one_of_words
from grounding import services
from grounding.catalog import catalog

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


_ERROR = {"description": "Refused; nothing was recorded", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}, "field": {"type": "string", "nullable": True},
                                     "status": {"type": "integer"}}}}}}


def _session_schema() -> dict:
    """A session as the player sends it: what `services.parse_session` accepts."""
    # A custom-<id> must be one of the client's own (400 unknown_exercise otherwise): stored
    # data the document cannot list.
    exercise = one_of_words((e.slug for e in catalog().exercises), or_patterns=("custom-[0-9]{1,10}",))
    return {"type": "object", "required": ["client_uuid", "exercise"], "properties": {
        "client_uuid": {"type": "string", "format": "uuid", "description": "Made by the client; a retry reuses it"},
        "exercise": {"type": "string", "pattern": exercise,
                     "description": "A catalog slug, or custom-<id> for one of the client's own (400 "
                                    "unknown_exercise otherwise)"},
        # Years from services.EARLIEST_SESSION to this one; later in this year is also refused (the future).
        "started_at": date_time_schema(services.EARLIEST_SESSION.year, utcnow().year,
                                       description="With a time zone; not in the future (10 minutes' grace) "
                                                   "and not before 2020; default now"),
        "duration_seconds": {"type": "integer", "minimum": 0, "maximum": services.MAX_DURATION},
        "distress_before": {"type": "integer", "minimum": 0, "maximum": 10, "nullable": True},
        "distress_after": {"type": "integer", "minimum": 0, "maximum": 10, "nullable": True},
        "completed": {"type": "boolean", "description": "false when the client stopped early"}}}


def openapi_paths() -> dict:
    """These endpoints' part of /api/v1/openapi.json (built with it: it lists the catalog's exercises)."""
    body = _session_schema()
    # What the server answers: the rules above are for what it takes (an exercise since removed
    # from the catalog still names old sessions).
    record = {"type": "object", "properties": {
        **{name: {key: value for key, value in rule.items() if key != "pattern"}
           for name, rule in body["properties"].items()},
        "id": {"type": "integer"}, "title": {"type": "string"}}}
    return {
        "/api/v1/grounding/sessions": {
            "post": {
                "summary": "Record a finished or stopped grounding session (idempotent by client_uuid)",
                "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                "responses": {
                    "201": {"description": "Recorded", "content": {"application/json": {"schema": record}}},
                    "200": {"description": "Already recorded: the first record",
                            "content": {"application/json": {"schema": record}}},
                    "400": _ERROR, "401": _ERROR, "403": _ERROR, "409": _ERROR}},
            "get": {
                "summary": "The client's own sessions, oldest first, and their exercises ranked by average drop",
                "responses": {"200": {"description": "Sessions and ranking"}, "401": _ERROR, "403": _ERROR}},
        },
    }


def register_openapi(app) -> None:
    """Describe these endpoints in the shared OpenAPI document."""
    add_paths(app, openapi_paths)
