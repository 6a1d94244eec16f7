"""The shell: base template, styles, and (later) manifest, service worker and offline outbox."""
from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("pwa", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/pwa")


def init_app(app: Flask) -> None:
    """Register the shell's blueprint."""
    app.register_blueprint(bp)
