"""JSON for the player and the offline outbox: sessions, idempotent by the client's uuid."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import get_locale
from flask_login import current_user

from backend import db
from backend.access import roles
from grounding import services

bp = Blueprint("grounding_api", __name__, url_prefix="/api/v1/grounding")


@bp.route("/sessions", methods=["POST"])
@roles("client")
def create_session():
    """Record a finished or stopped session: 201 the first time, 200 with the same record after."""
    payload = request.get_json(silent=True)
    session = db.session()
    try:
        record, created = services.record_session(session, current_user.id, payload)
    except services.GroundingError as exc:
        session.rollback()
        return jsonify(error=str(exc), field=exc.field, status=exc.status), exc.status
    session.commit()
    return jsonify(services.session_dict(session, record, str(get_locale()))), 201 if created else 200


@bp.route("/sessions", methods=["GET"])
@roles("client")
def list_sessions():
    """The client's own sessions, oldest first, with their ranking."""
    session = db.session()
    locale = str(get_locale())
    return jsonify(
        sessions=[services.session_dict(session, r, locale) for r in services.sessions_of(session, current_user.id)],
        ranking=services.ranking(session, current_user.id, locale))
