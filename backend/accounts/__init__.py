"""Accounts and sign-in: Flask-Login wiring around server-side sessions."""
from __future__ import annotations

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from backend import db
from backend.extensions import login_manager


@login_manager.user_loader
def _load_user(token: str):
    """Resolve the session token Flask-Login stored; None signs the browser out."""
    from backend.accounts.services import load_session_user

    return load_session_user(db.session(), token, current_app.config)


def init_app(app: Flask) -> None:
    """Bind Flask-Login and register the sign-in and admin blueprints."""
    from backend import security_log  # declares SecurityEvent
    from backend.accounts import (  # noqa: F401 - models, routes
        account,
        admin,
        care,
        data_rights,  # noqa: F401 - declares the closed-account tables
        recovery,
        two_step_manage,
        two_step_views,
        views,
    )
    from backend.nav import add_nav_item

    security_log.init_app(app)  # the prune-security-log command
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(account.bp)
    from backend.accounts.data_rights import account_data
    from backend.personal_data import add_source

    add_source(app, "account", account_data, _l("Your account"))
    add_nav_item(app, "account.index", account.NAV_LABEL, ("client", "therapist", "admin"), order=90)
    add_nav_item(app, "admin.security", _l("Security log"), ("admin",), order=80)
    app.cli.add_command(admin.create_user_command)
