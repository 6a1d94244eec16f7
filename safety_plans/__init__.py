"""safety_plans: the client's safety plan, built with their therapist.

Models, the op service every change goes through, the crisis view, editor, commitments, invites,
print/export and the JSON API under /api/v1.
"""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from backend.nav import add_nav_item


def init_app(app: Flask) -> None:
    """Register this package's blueprints, commands and navigation."""
    from backend import audit  # noqa: F401 - declares AccessEvent
    from safety_plans import models  # noqa: F401 - declares the tables
    from safety_plans import crisis, links, live, offline, reminders, share
    from safety_plans.api import api
    from safety_plans.cli import crisis_lines_cli
    from safety_plans.views import bp

    app.register_blueprint(bp)
    crisis.init_app(app)
    links.init_app(app)
    share.init_app(app)
    app.cli.add_command(crisis_lines_cli)
    app.register_blueprint(api)
    offline.init_app(app)
    live.init_app(app)
    reminders.register(app)
    homes = app.config.setdefault("HOME_ENDPOINTS", {})
    homes.setdefault("client", "safety_plans.my_plan")
    homes.setdefault("therapist", "safety_plans.clients")
    add_nav_item(app, "safety_plans.my_plan", _l("My plan"), ("client",), order=10)
    add_nav_item(app, "safety_plans.my_plan_edit", _l("Edit plan"), ("client",), order=20)
    add_nav_item(app, "safety_plans.care_page", _l("My therapists"), ("client",), order=30)
    add_nav_item(app, "safety_plans.clients", _l("My clients"), ("therapist",), order=10)
