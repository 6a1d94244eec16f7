"""Only a page a person opens writes the session cookie.

The session lives in a signed cookie, so every response that saves it hands the browser the
session as *that request* saw it. Requests the service worker and scripts make in the background
(warming the offline copy, checking for an update, revalidating a saved page) are often sent
with one cookie and answered after a page has set a newer one: at sign-in, a late background
answer wrote the signed-out session back and the person landed on the sign-in page again (seen
in CI on PostgreSQL, where the answers come a little later). So background requests read the
session but never write it; pages and form posts, which a person makes one at a time, do.

Also here: a "keep me signed in" cookie whose session has ended (signed out on another device,
password changed) is dropped by the next page, instead of being tried on every request.
"""
from __future__ import annotations

from flask import Flask, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from backend.access import is_navigation


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, saved only by requests a person makes."""

    def save_session(self, app, session, response) -> None:
        if not is_navigation():
            return
        super().save_session(app, session, response)


def _drop_dead_remember_cookie(response):
    """A remember cookie that no longer signs anyone in: Flask-Login clears it (and the session
    keys its attempt left behind) in this page's answer."""
    name = current_app.config["REMEMBER_COOKIE_NAME"]
    if name in request.cookies and is_navigation() and not current_user.is_authenticated:
        session.pop("_user_id", None)
        session.pop("_fresh", None)
        session["_remember"] = "clear"
    return response


def init_app(app: Flask) -> None:
    """Install the session interface; call after Flask-Login (after_request runs newest first, so
    this hook runs before Flask-Login's, which then clears the cookie)."""
    app.session_interface = PageSessionInterface()
    app.after_request(_drop_dead_remember_cookie)
