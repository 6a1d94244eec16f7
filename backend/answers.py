"""How a request ends: a JSON answer or a page, after committing what it did (a read of a client's
data is logged, so reads commit too), and how a JSON endpoint reads its body.

Errors take the other way: a service raises `backend.errors.ServiceError` and one handler answers it.
"""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _

from backend import db
from backend.errors import ServiceError


def json_object() -> dict:
    """The request's JSON object, or a clear 400."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ServiceError("bad_json", _("The request body must be a JSON object."), 400)
    return body


def reply(body: object = None, status: int = 200, /, **fields):
    """Commit what the request did (reads are logged too) and answer with JSON: `body` or `fields`."""
    db.session().commit()
    return jsonify(body if body is not None else fields), status


def render_page(template: str, status: int = 200, /, **context):
    """Commit what the request did and render `template`."""
    db.session().commit()
    return render_template(template, **context), status
