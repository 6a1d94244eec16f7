"""safety_plans: the client's safety plan, built with their therapist.

Where each rule lives: `ops` (every change to items, replay, conflicts), `feed` (changes since a
revision, history, restore), `plans` (a plan as a whole, its country), `commitments`, `invites`
(and ending access), `live` (the event stream and presence), `access` (who may see a plan).
`views` (HTML) and `api` (JSON) only parse, call these and render.
"""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from backend.nav import add_nav_item
from backend.personal_data import add_source


def init_app(app: Flask) -> None:
    """Register this package's blueprints, commands and navigation."""
    from backend import audit

    audit.describe_with(app, "safety_plans")  # its access-log lines: safety_plans/words/access.json
    from safety_plans import (  # noqa: F401 - routes
        crisis,
        demo,
        extras,
        link_views,
        links,
        live,
        models,  # noqa: F401 - declares the tables
        offline,
        reminders,
        share,
    )
    from safety_plans.api import api
    from safety_plans.cli import crisis_lines_cli
    from safety_plans.export import personal_data
    from safety_plans.hope_views import bp as hope_bp
    from safety_plans.openapi import openapi_document
    from safety_plans.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(hope_bp)
    crisis.init_app(app)
    extras.init_app(app)
    links.init_app(app)
    share.init_app(app)
    app.cli.add_command(crisis_lines_cli)
    app.register_blueprint(api)
    # The request guard checks JSON bodies against the types this document gives them.
    app.extensions["trygg.openapi_document"] = openapi_document
    offline.init_app(app)
    live.init_app(app)
    reminders.register(app)
    demo.init_app(app)
    add_source(app, "safety_plan", personal_data, _l("Your safety plan"))
    add_nav_item(app, "safety_plans.my_plan", _l("My plan"), ("client",), order=10)
    add_nav_item(app, "safety_plans.my_plan_edit", _l("Edit plan"), ("client",), order=20)
    add_nav_item(app, "safety_plans.care_page", _l("My therapists"), ("client",), order=30)
    add_nav_item(app, "safety_plans.clients", _l("My clients"), ("therapist",), order=10)
