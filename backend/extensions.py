"""Extension objects, created once and bound to the app in create_app()."""
from typing import Protocol, cast

from flask import Flask, current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.local import LocalProxy

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()


class _HasLoginManager(Protocol):
    login_manager: LoginManager


def app_login_manager(app: Flask) -> LoginManager:
    """`app.login_manager`, which Flask-Login's init_app sets and Flask's types don't declare."""
    return cast(_HasLoginManager, app).login_manager


def current_flask_app() -> Flask:
    """The app behind the `current_app` proxy, for what outlives the request (a thread, a cache key)."""
    return cast("LocalProxy[Flask]", current_app)._get_current_object()
