"""The sessions JSON API under /api/v1 (described in /api/v1/openapi.json): list and start a plan's
sessions, read one, save to it with the version the save is based on, and its live event stream."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from backend import db
from backend.access import roles
from backend.answers import json_object, reply
from backend.db import utcnow
from backend.errors import ServiceError
from backend.extensions import current_flask_app
from backend.guard import LATEST_YEAR, MAX_ID
from backend.openapi import add_paths, date_pattern, date_schema, date_time_schema
from safety_plans import live as plan_live
from safety_plans.commitments import MAX_COMMITMENT_TEXT
from sessions import access, live, services

bp = Blueprint("sessions_api", __name__, url_prefix="/api/v1")
ROLES = ("client", "therapist")


def local_today(user):
    """Today in the person's time zone (Oslo when unknown)."""
    try:
        zone = ZoneInfo(getattr(user, "time_zone", None) or "Europe/Oslo")
    except (KeyError, ValueError):
        zone = ZoneInfo("Europe/Oslo")
    return utcnow().astimezone(zone).date()


@bp.route("/plans/<int:plan_id>/sessions")
@roles(*ROLES)
def list_sessions(plan_id: int):
    """A plan's sessions, newest first."""
    session = db.session()
    plan = access.plan_of(session, current_user, plan_id)
    body = [services.session_dict(session, plan, s) for s in services.sessions_of(session, plan)]
    return reply(sessions=body)


@bp.route("/plans/<int:plan_id>/sessions", methods=["POST"])
@roles(*ROLES)
def create_session(plan_id: int):
    """Start a session: `{"scheduled_at"?: ISO date-time with offset}`."""
    session = db.session()
    plan = access.plan_of(session, current_user, plan_id, "change")
    body = json_object()
    if set(body) - {"scheduled_at"}:
        raise ServiceError("unknown_field", _("Only “scheduled_at” can be given here."), 400)
    when = body.get("scheduled_at")
    scheduled = None
    if when is not None:
        try:
            scheduled = datetime.fromisoformat(when) if isinstance(when, str) else None
        except ValueError:
            scheduled = None
        if scheduled is None or scheduled.tzinfo is None or not 2000 <= scheduled.year <= 2100:
            raise ServiceError("bad_date", _("Please give a date and time with its offset."), 400,
                               field="scheduled_at")
    found = services.create_session(session, plan, current_user, scheduled)
    body = services.session_dict(session, plan, found)
    return reply(body, 201)


@bp.route("/plans/<int:plan_id>/sessions/<int:session_id>")
@roles(*ROLES)
def get_session(plan_id: int, session_id: int):
    """One session, with its open commitments and the ones it made."""
    session = db.session()
    plan, found = access.load(session, current_user, plan_id, session_id)
    body = services.session_dict(session, plan, found)
    return reply(body)


@bp.route("/plans/<int:plan_id>/sessions/<int:session_id>", methods=["PATCH"])
@roles(*ROLES)
def patch_session(plan_id: int, session_id: int):
    """Save: `{uuid, base_version, fields?, commitments?, new_commitments?, review?, state?}`;
    409 when a field was saved by someone since `base_version` (nothing is changed then)."""
    session = db.session()
    plan, found = access.load(session, current_user, plan_id, session_id, action="change")
    services.save(session, plan, found, current_user, json_object(), local_today(current_user))
    body = services.session_dict(session, plan, found)
    return reply(body)


@bp.route("/plans/<int:plan_id>/sessions/<int:session_id>/events")
@roles(*ROLES)
def events(plan_id: int, session_id: int):
    """Server-sent events for an open session page: `hello` and `change` ({session, version})."""
    session = db.session()
    plan, found = access.load(session, current_user, plan_id, session_id, counts=False)
    app = current_flask_app()
    return plan_live.answer_stream(app, session, lambda: live.open_stream(app, plan, found, current_user))


# -- the OpenAPI description ----------------------------------------------------------------------

_ID = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
_PLAN = {"name": "plan_id", "in": "path", "required": True, "schema": _ID}
_SESSION = {"name": "session_id", "in": "path", "required": True, "schema": _ID}
_ERR = {"$ref": "#/components/responses/Error"}
_SCALE = {"type": "integer", "minimum": 0, "maximum": 10, "nullable": True}
_TEXT = {"type": "string", "maxLength": services.MAX_TEXT}
_FIELDS = {"type": "object", "additionalProperties": False, "properties": {
    **{n: _SCALE for n in ("mood", "fb_heard", "fb_wanted", "fb_fit", "fb_overall", "hope")},
    **{n: _TEXT for n in ("coping", "unsafe_note", "takeaway", "not_right")},
    "unsafe": {"type": "boolean", "nullable": True}}}
_COMMITMENT = {"type": "object", "properties": {"id": {"type": "integer"}, "text": {"type": "string"},
                                                "status": {"type": "string"}, "note": {"type": "string"}}}
_SESSION_BODY = {"type": "object", "required": ["id", "plan", "state", "version"], "properties": {
    "id": {"type": "integer"}, "plan": {"type": "integer"}, "state": {"type": "string", "enum": list(services.STATES)},
    "version": {"type": "integer"}, "reviewed_plan": {"type": "boolean"},
    "commitments": {"type": "array", "items": _COMMITMENT},
    "new_commitments": {"type": "array", "items": _COMMITMENT}}}


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    return {str(c): _ERR for c in codes}


# A commitment reviewed in the check-in: with a status it goes through the commitments service (an
# unknown id: 404); with none (or "") the entry is skipped, whatever its note says.
_REVIEW = {"type": "object", "required": ["id"], "properties": {
    "id": _ID, "status": {"type": "string", "enum": ["", *services.REVIEWED],
                                          "description": "empty: not reviewed yet"},
    "note": {"type": "string"}},
    "anyOf": [{"properties": {"status": {"enum": [""]}}},
              {"required": ["status"], "properties": {"status": {"enum": list(services.REVIEWED)},
                                                      "note": {"maxLength": MAX_COMMITMENT_TEXT}}}]}


def _save_schema() -> dict:
    """A save, as `services.save` reads it. The arrays have no length limit of their own (the
    body's size bounds them)."""
    today = utcnow().date()
    return {"type": "object", "additionalProperties": False, "required": ["base_version"], "properties": {
        "uuid": {"type": "string", "pattern": "^[A-Za-z0-9_-]{0,48}$",
                 "description": "a retry with the same uuid gets the first answer (empty: a new save)"},
        "base_version": {"type": "integer", "minimum": 1, "description": "the version the save is based on"},
        "fields": _FIELDS,
        "commitments": {"type": "array", "items": _REVIEW},
        "new_commitments": {"type": "array", "items": {
            "type": "object", "required": ["text"], "properties": {
                "text": {"type": "string", "maxLength": MAX_COMMITMENT_TEXT, "description": "only spaces: skipped"},
                "due": date_schema(nullable=True)}}},
        # After the person's today: from this year on (earlier this year: 422 bad_date).
        "review": {"type": "object", "properties": {
            "next_review": {**date_schema(nullable=True, description="after today (422 bad_date otherwise)"),
                            "pattern": date_pattern(today.year, LATEST_YEAR)}}},
        "state": {"type": "string", "enum": list(services.STATES)}}}


def openapi_paths() -> dict:
    """These endpoints' part of /api/v1/openapi.json (built with it: a review date is after today)."""
    return {
        "/api/v1/plans/{plan_id}/sessions": {
            "get": {"summary": "A plan's sessions, newest first", "parameters": [_PLAN],
                    "responses": {"200": _ok("Sessions", {"type": "object", "properties": {
                        "sessions": {"type": "array", "items": _SESSION_BODY}}}), **_errors(400, 401, 403, 404)}},
            "post": {"summary": "Start (or plan) a session", "parameters": [_PLAN],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "additionalProperties": False,
                         "properties": {"scheduled_at": date_time_schema(description="when it is planned for")}}}}},
                     "responses": {"201": _ok("Started", _SESSION_BODY), **_errors(400, 401, 403, 404)}},
        },
        "/api/v1/plans/{plan_id}/sessions/{session_id}": {
            "get": {"summary": "One session (feedback included: only the client and linked therapists get here)",
                    "parameters": [_PLAN, _SESSION],
                    "responses": {"200": _ok("The session", _SESSION_BODY), **_errors(400, 401, 403, 404)}},
            "patch": {"summary": "Save check-in, review, check-out or feedback, based on a version "
                                 "(feedback: the client only)", "parameters": [_PLAN, _SESSION],
                      "requestBody": {"required": True, "content": {"application/json": {"schema": _save_schema()}}},
                      "responses": {"200": _ok("Saved", _SESSION_BODY), **_errors(400, 401, 403, 404, 409, 422)}},
        },
        "/api/v1/plans/{plan_id}/sessions/{session_id}/events": {
            "get": {"summary": "Server-sent events of an open session page (hello, change, gone)",
                    "parameters": [_PLAN, _SESSION],
                    "responses": {"200": {"description": "text/event-stream"}, **_errors(400, 401, 403, 404, 503)}},
        },
    }


def register_openapi(app) -> None:
    """Describe these endpoints in the shared OpenAPI document."""
    add_paths(app, openapi_paths)
