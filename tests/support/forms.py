"""Posting forms and JSON the way a browser does: with the CSRF token from a page."""
from __future__ import annotations

import re

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client, page: str = "/auth/login") -> str:
    """The CSRF token a page of the app gives this client."""
    html = client.get(page, follow_redirects=True).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no csrf token on {page}"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, token_page: str = "/auth/login", **kwargs):
    """POST a form with a valid CSRF token."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, token_page)}, **kwargs)


class AuthActions:
    """Sign in and out through the real forms (as flaskr's conftest does)."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str, remember: bool = False, two_step: bool = True, **kwargs):
        """Sign in; returns the response. Therapists and admins also pass the second step (set up
        at their first sign-in, a fresh code after that) unless `two_step` is False."""
        from support.two_step import complete

        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        response = post_form(self._client, "/auth/login", data, **kwargs)
        return complete(self._client, email, response, **kwargs) if two_step else response

    def register(self, email: str, password: str, name: str = "", **kwargs):
        """Create a client account through the form."""
        data = {"email": email, "password": password, "display_name": name}
        return post_form(self._client, "/auth/register", data, token_page="/auth/register", **kwargs)

    def logout(self, **kwargs):
        """Sign out."""
        token = csrf_token(self._client, "/")
        return self._client.post("/auth/logout", data={"csrf_token": token}, **kwargs)
