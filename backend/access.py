"""Deny-by-default access rules for every route.

Each view declares who may reach it with one of the decorators below. A `before_request` hook
refuses any endpoint that declares nothing, so a route added without a rule is closed, not open,
and `undeclared_endpoints()` lets a test fail on it.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, current_app, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from backend.extensions import app_login_manager

ROLES = ("client", "therapist", "admin")
_ATTR = "_trygg_access"


def public(view: Callable) -> Callable:
    """Anyone may open this route, signed in or not."""
    setattr(view, _ATTR, ("public",))
    return view


def signed_in(view: Callable) -> Callable:
    """Any signed-in user may open this route (finer checks happen in the service)."""
    setattr(view, _ATTR, ROLES)
    return view


def roles(*allowed: str) -> Callable[[Callable], Callable]:
    """Only signed-in users with one of these roles may open this route."""
    unknown = set(allowed) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {unknown}")

    def decorate(view: Callable) -> Callable:
        setattr(view, _ATTR, tuple(allowed))
        return view

    return decorate


def rule_of(app: Flask, endpoint: str) -> tuple[str, ...] | None:
    """The access rule declared on an endpoint, or None when it declares none."""
    if endpoint == "static" or endpoint.endswith(".static"):
        return ("public",)
    view = app.view_functions.get(endpoint)
    return getattr(view, _ATTR, None) if view else None


def undeclared_endpoints(app: Flask) -> list[str]:
    """Endpoints that would be refused because they declare no rule."""
    return sorted(e for e in app.view_functions if rule_of(app, e) is None)


def _wants_json() -> bool:
    """JSON callers get JSON errors; browsers get pages."""
    return request.path.startswith("/api/")


def is_navigation() -> bool:
    """Is a person opening this page (not the service worker or a script fetching it)?

    Browsers say so in `Sec-Fetch-Mode`; a client that does not send it (an old browser, the test
    client, curl) counts as a person. Why it matters: the session lives in a cookie, and a
    background request still under way when the person signs in must not answer with the old
    session's cookie (a flash written or read is a session write) and sign them out again.
    """
    return request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"


def enforce() -> ResponseReturnValue | None:
    """The before_request hook: allow (None), send to sign-in, or refuse."""
    if request.endpoint is None:
        return None  # 404 / 405 are raised by routing itself
    rule = rule_of(current_app, request.endpoint)
    if rule is None:
        abort(403)
    if rule == ("public",):
        return None
    if not current_user.is_authenticated:
        if _wants_json():
            abort(401)
        return app_login_manager(current_app).unauthorized()
    if current_user.role not in rule:
        abort(403)
    return None


def init_app(app: Flask) -> None:
    """Install the access hook before any other request handler runs."""
    app.before_request_funcs.setdefault(None, []).insert(0, enforce)
    app.jinja_env.globals["is_navigation"] = is_navigation


def require(condition: bool, status: int = 404) -> None:
    """Refuse with `status` unless `condition` holds (404 hides what exists from strangers)."""
    if not condition:
        abort(status)
