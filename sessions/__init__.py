"""sessions: the Seeking Safety session on a client's plan, and the therapist's workspace.

Where each rule lives: `services` (starting a session, saving its steps, history, stale saves),
`workspace` (the therapist's overview of every client, the feedback trend and its gentle prompt),
`access` (the plan's rule, logged as a session), `live` (the event stream of an open session page).
`views` (HTML) and `api` (JSON) only parse, call these and render.

Depends on `safety_plans` (plans, commitments, invites, access), never the other way round: the
plan package only offers hooks (`trygg.workspace`) that this package fills in.
"""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from backend.nav import add_nav_item
from backend.personal_data import add_source


def init_app(app: Flask) -> None:
    """Register the pages, the API, its OpenAPI paths and the workspace."""
    from backend import audit

    audit.describe_with(app, "sessions")  # its access-log lines: sessions/words/access.json
    from safety_plans.demo import register_demo_extra
    from sessions import api, demo, models, reminders, services, views, workspace  # noqa: F401 - models declares the tables

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    api.register_openapi(app)
    app.extensions["trygg.workspace"] = workspace.workspace_page
    reminders.register(app)
    add_source(app, "sessions", services.personal_data, _l("Your sessions"))
    add_nav_item(app, "sessions.mine", _l("Sessions"), ("client",), order=25)
    register_demo_extra(app, demo.add_demo_sessions)
