"""Routes every page relies on: home, language choice, health check, error pages."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from backend import db
from backend.access import public
from backend.offline import home_url
from backend.redirects import safe_path

bp = Blueprint("core", __name__)


@bp.route("/")
@public
def home():
    """Signed in: the home of the user's role (a feature package may claim it); else sign-in."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    target = home_url(db.session(), current_user)
    db.session().commit()  # a home may be made on first visit (a client's plan)
    if target:
        return redirect(target)
    return render_template("home.html")


@bp.route("/language", methods=["POST"])
@public
def choose_language():
    """The language switcher: remember the choice (and keep it on the account), then go back."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale, current_user.locale_chosen = lang, True
            db.session().merge(current_user)
            db.session().commit()
    return redirect(safe_path(request.form.get("next"), url_for("core.home")))


@bp.route("/healthz")
@public
def healthz():
    """Healthy only if the database answers."""
    try:
        db.session().execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means unhealthy, and we say no more
        return jsonify(status="error"), 503
    return jsonify(status="ok")


def handle_http_error(exc: HTTPException):
    """Plain pages (or JSON for the API) that say what happened and nothing more.

    Headers the exception carries (`Allow` on 405, `Retry-After`, …) are kept."""
    if exc.response is not None:  # a view or the request guard made the whole answer
        return exc.response
    if request.path.startswith("/api/"):
        response = jsonify(error=exc.name, status=exc.code)
    else:
        response = current_app.make_response(render_template("error.html", code=exc.code, name=exc.name))
    response.status_code = exc.code or 500
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_unexpected(exc: Exception):
    """Log the details for us, show nothing of them to the user."""
    current_app.logger.exception("Unhandled error")
    if request.path.startswith("/api/"):
        return jsonify(error="Internal Server Error", status=500), 500
    return render_template("error.html", code=500, name="Internal Server Error"), 500


def init_app(app: Flask) -> None:
    """Register the core routes and the error handlers."""
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
