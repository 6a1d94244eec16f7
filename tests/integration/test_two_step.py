"""Two-step sign-in (TOTP): required for therapists and admins at their first sign-in, optional
for clients; a code is never accepted twice; recovery codes work once."""

from __future__ import annotations

import html
import re

import pyotp
import pytest
from conftest import PASSWORD
from sqlalchemy import select

from backend.accounts.models import User
from backend.db import session_scope
from support.forms import AuthActions, csrf_token
from support.two_step import fresh_code, remember_key, secret_from_page

_CODES = re.compile(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>")


def _password_step(client, email):
    return AuthActions(client).login(email, PASSWORD, two_step=False)


def _enrol(client, email):
    """Through the set-up page: key as text, first code; returns (secret, recovery codes)."""
    page = client.get("/auth/two-step/setup").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code, made on the server
    secret = secret_from_page(html.unescape(page))
    remember_key(email, secret)
    response = client.post(
        "/auth/two-step/setup",
        data={"code": fresh_code(email), "csrf_token": csrf_token(client, "/auth/two-step/setup")},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/two-step/recovery-codes")
    codes = _CODES.findall(client.get("/auth/two-step/recovery-codes").get_data(as_text=True))
    return secret, codes


def _code(client, code):
    return client.post("/auth/two-step", data={"code": code, "csrf_token": csrf_token(client, "/auth/two-step")})


@pytest.mark.parametrize("role", ["therapist", "admin"])
def test_staff_must_set_up_the_app_at_first_sign_in(app, make_user, role):
    email = make_user(role)
    client = app.test_client()
    response = _password_step(client, email)
    assert response.headers["Location"].endswith("/auth/two-step/setup")
    assert client.get("/").headers["Location"].startswith("/auth/login")  # not signed in yet
    wrong = client.post(
        "/auth/two-step/setup", data={"code": "000000", "csrf_token": csrf_token(client, "/auth/two-step/setup")}
    )
    assert wrong.status_code == 400 and "did not work" in wrong.get_data(as_text=True)
    secret, codes = _enrol(client, email)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/account/").status_code == 200
    with session_scope(app) as db:
        assert db.scalar(select(User.totp_secret).where(User.email == email)) == secret
    assert client.get("/auth/two-step/recovery-codes").headers["Location"]  # shown once only


def test_after_set_up_the_password_alone_is_not_enough_and_a_code_works_once(app, make_user):
    email = make_user("therapist")
    first = app.test_client()
    _password_step(first, email)
    secret, _ = _enrol(first, email)

    second = app.test_client()
    assert _password_step(second, email).headers["Location"].endswith("/auth/two-step")
    assert second.get("/clients").headers["Location"].startswith("/auth/login")
    code = fresh_code(email)
    assert _code(second, code).status_code == 302
    assert second.get("/clients").status_code == 200

    third = app.test_client()
    _password_step(third, email)
    replay = _code(third, code)
    assert replay.status_code == 400 and "did not work" in replay.get_data(as_text=True)
    assert third.get("/clients").headers["Location"].startswith("/auth/login")
    older = pyotp.TOTP(secret).at(0)  # a code from long ago
    assert _code(third, older).status_code == 400


def test_a_recovery_code_works_once(app, make_user):
    email = make_user("therapist")
    client = app.test_client()
    _password_step(client, email)
    _, codes = _enrol(client, email)
    for attempt, expected in ((codes[3], 302), (codes[3], 400)):
        browser = app.test_client()
        _password_step(browser, email)
        assert _code(browser, attempt.upper()).status_code == expected


def test_wrong_codes_are_limited(app, make_user):
    email = make_user("therapist")
    client = app.test_client()
    _password_step(client, email)
    _enrol(client, email)
    guesser = app.test_client()
    _password_step(guesser, email)
    for _ in range(app.config["CODE_LIMIT"]):
        assert _code(guesser, "123456").status_code == 400
    limited = _code(guesser, fresh_code(email))
    assert limited.status_code == 429 and "Too many wrong codes" in limited.get_data(as_text=True)
    assert guesser.get("/clients").headers["Location"].startswith("/auth/login")


def test_the_half_way_state_expires(app, make_user, monkeypatch):
    email = make_user("therapist")
    client = app.test_client()
    _password_step(client, email)
    _enrol(client, email)
    later = app.test_client()
    _password_step(later, email)
    import backend.accounts.two_step_views as views

    monkeypatch.setattr(views, "PENDING_SECONDS", -1)
    assert later.get("/auth/two-step").headers["Location"].endswith("/auth/login")


def test_clients_sign_in_without_a_code_and_may_turn_it_on(app, make_user):
    email = make_user("client")
    client = app.test_client()
    assert _password_step(client, email).status_code == 302
    assert "/auth/two-step" not in _password_step(app.test_client(), email).headers["Location"]
    confirm = client.post("/auth/two-step/confirm/setup", data={
        "password": PASSWORD, "csrf_token": csrf_token(client, "/auth/two-step/confirm/setup")})
    assert confirm.headers["Location"].endswith("/auth/two-step/setup")
    _, codes = _enrol(client, email)
    assert len(codes) == 10
    again = app.test_client()
    assert _password_step(again, email).headers["Location"].endswith("/auth/two-step")
    assert _code(again, fresh_code(email)).status_code == 302
