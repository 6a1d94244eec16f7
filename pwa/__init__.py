"""The shell: base template, styles, manifest, service worker, offline page and outbox."""
from __future__ import annotations

from flask import Blueprint, Flask

from backend.db import utcnow
from backend.openapi import add_paths

bp = Blueprint("pwa", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/pwa")


def init_app(app: Flask) -> None:
    """Register the shell's blueprints and the template helpers it needs."""
    from pwa import views

    app.register_blueprint(bp)
    app.register_blueprint(views.bp)
    add_paths(app, views.OPENAPI_PATHS)
    app.jinja_env.globals["rendered_at"] = lambda: utcnow().isoformat(timespec="seconds")
