"""Registering, signing in and out for every role, and the rules around sessions."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import PASSWORD
from sqlalchemy import select, update

from backend.accounts.models import AuthSession, User
from backend.db import session_scope, utcnow
from support.forms import AuthActions, csrf_token
from support.mail import body_of, last_mail_to, link_in


def _sessions(app) -> list[AuthSession]:
    with session_scope(app) as db:
        return list(db.scalars(select(AuthSession)))


def test_register_creates_client_and_the_mailed_link_signs_in(client, auth, app):
    response = auth.register("new.person@example.org", PASSWORD, name="Kari")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/register/sent")
    assert "Check your email" in client.get("/auth/register/sent").get_data(as_text=True)
    assert client.get("/").headers["Location"].endswith("/auth/login")  # not signed in yet
    link = link_in(last_mail_to(app, "new.person@example.org"), "/auth/welcome/")
    page = client.get(link)
    assert page.status_code == 200
    assert client.post(link, data={"csrf_token": csrf_token(client, link)}).status_code == 302
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Kari" in home
    with session_scope(app) as db:
        user = db.scalar(select(User).where(User.email == "new.person@example.org"))
        assert user.role == "client"
        assert user.password_hash.startswith("$argon2id$")


def test_a_welcome_link_alone_signs_no_one_in(client, auth, app):
    auth.register("new.person@example.org", PASSWORD)
    link = link_in(last_mail_to(app, "new.person@example.org"), "/auth/welcome/")
    client.get(link)
    assert client.post(link, data={}).status_code == 400  # no CSRF token: no login CSRF
    assert client.get("/").headers["Location"].endswith("/auth/login")
    assert client.get(link[:-3] + "xyz").status_code == 404


def test_register_rejects_common_password_and_keeps_what_was_typed(auth):
    response = auth.register("someone@example.org", "password123", name="Ola")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "too common" in html
    assert 'value="someone@example.org"' in html and 'value="Ola"' in html


def test_registering_a_known_email_answers_exactly_as_a_new_one_and_mails_the_owner(app, make_user):
    known = make_user("client")
    answers = []
    for email in (known.upper(), "nobody.yet@example.org"):
        browser = app.test_client()
        response = AuthActions(browser).register(email, "a different long password")
        answers.append((response.status_code, response.headers["Location"],
                        browser.get(response.headers["Location"]).get_data(as_text=True)))
    assert answers[0][:2] == answers[1][:2]
    assert _without_csrf(answers[0][2]) == _without_csrf(answers[1][2])
    assert "already exists" not in answers[0][2]
    owner_mail = body_of(last_mail_to(app, known))
    assert "You already have an account" in owner_mail and "/auth/forgot" in owner_mail
    with session_scope(app) as db:  # the known account is untouched
        assert len(list(db.scalars(select(User).where(User.email == known)))) == 1


def _without_csrf(html: str) -> str:
    """The page without what changes on every render (CSRF token, render time)."""
    html = re.sub(r'name="csrf-token" content="[^"]*"|value="[^"]{40,}"', "", html)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^\"]*", "", html)


@pytest.mark.parametrize("role", ["client", "therapist", "admin"])
def test_every_role_can_sign_in_and_out(role, client, auth, make_user, app):
    email = make_user(role)
    assert auth.login(email, PASSWORD).status_code == 302
    assert client.get("/").status_code in (200, 302)
    assert len(_sessions(app)) == 1
    response = auth.logout()
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    assert _sessions(app) == []
    assert client.get("/", follow_redirects=False).headers["Location"].endswith("/auth/login")


def test_wrong_password_and_unknown_account_get_the_same_message(auth, make_user):
    email = make_user("client")
    wrong = auth.login(email, "not the password at all")
    unknown = auth.login("nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    message = "That email and password do not match"
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_login_is_rate_limited_per_account(auth, make_user, app):
    email = make_user("client")
    for _ in range(app.config["LOGIN_LIMIT_PER_ACCOUNT"]):
        assert auth.login(email, "wrong password here").status_code == 400
    limited = auth.login(email, PASSWORD)  # even the right password waits
    assert limited.status_code == 429
    assert "Too many sign-in attempts" in limited.get_data(as_text=True)


def test_login_is_rate_limited_per_address(auth, app):
    app.config["LOGIN_LIMIT_PER_IP"] = 3
    for n in range(3):
        assert auth.login(f"guess{n}@example.org", "wrong password here").status_code == 400
    assert auth.login("another@example.org", "wrong password here").status_code == 429


def test_rate_limit_window_passes(auth, make_user, app):
    email = make_user("client")
    for _ in range(app.config["LOGIN_LIMIT_PER_ACCOUNT"]):
        auth.login(email, "wrong password here")
    app.config["LOGIN_WINDOW"] = timedelta(seconds=0)
    assert auth.login(email, PASSWORD).status_code == 302


def test_session_is_rotated_at_login(client, auth, make_user, app):
    email = make_user("client")
    auth.login(email, PASSWORD)
    first = _sessions(app)[0].token
    auth.logout()
    auth.login(email, PASSWORD)
    assert _sessions(app)[0].token != first


def test_logout_ends_the_session_on_the_server(app, client, auth, make_user):
    email = make_user("client")
    auth.login(email, PASSWORD, remember=True)
    stolen = {c.key: c.value for c in client._cookies.values()}
    auth.logout()
    replay = app.test_client()
    for key, value in stolen.items():
        replay.set_cookie(key, value)
    assert replay.get("/").headers["Location"].endswith("/auth/login")


def test_therapist_is_signed_out_after_idle_time(client, auth, make_user, app):
    email = make_user("therapist")
    auth.login(email, PASSWORD)
    assert client.get("/", follow_redirects=True).status_code == 200
    with session_scope(app) as db:
        db.execute(update(AuthSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    assert client.get("/").headers["Location"].startswith("/auth/login")
    assert _sessions(app) == []


def test_therapist_session_has_an_absolute_limit(client, auth, make_user, app):
    email = make_user("therapist")
    auth.login(email, PASSWORD)
    with session_scope(app) as db:
        db.execute(update(AuthSession).values(created_at=utcnow() - timedelta(hours=13)))
    assert client.get("/").headers["Location"].startswith("/auth/login")


def test_client_stays_signed_in_when_idle(client, auth, make_user, app):
    email = make_user("client")
    auth.login(email, PASSWORD, remember=True)
    with session_scope(app) as db:
        db.execute(update(AuthSession).values(last_seen_at=utcnow() - timedelta(days=20),
                                              created_at=utcnow() - timedelta(days=60)))
    assert client.get("/", follow_redirects=True).status_code == 200


def test_remember_cookie_only_for_clients(client, auth, make_user, app):
    therapist = make_user("therapist")
    response = auth.login(therapist, PASSWORD, remember=True)
    assert "trygg_remember" not in " ".join(response.headers.getlist("Set-Cookie"))
    auth.logout()
    patient = make_user("client")
    response = auth.login(patient, PASSWORD, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("trygg_remember=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]


def test_next_redirect_stays_on_site(auth, make_user):
    email = make_user("client")
    evil = auth.login(email, PASSWORD, query_string={"next": "https://evil.example/"})
    assert evil.headers["Location"] == "/"


def test_deactivated_account_cannot_sign_in(auth, make_user, app):
    email = make_user("client")
    with session_scope(app) as db:
        db.execute(update(User).values(active=False))
    assert auth.login(email, PASSWORD).status_code == 400


def test_admin_page_creates_a_therapist(client, auth, make_user, app):
    auth.login(make_user("admin"), PASSWORD)
    token = csrf_token(client, "/admin/users")
    response = client.post("/admin/users", data={
        "csrf_token": token, "email": "dr.berg@example.org", "display_name": "Dr Berg",
        "role": "therapist", "password": PASSWORD})
    assert response.status_code == 302
    with session_scope(app) as db:
        assert db.scalar(select(User.role).where(User.email == "dr.berg@example.org")) == "therapist"


@pytest.mark.parametrize("role", ["client", "therapist"])
def test_only_admins_open_the_admin_page(role, client, auth, make_user):
    auth.login(make_user(role), PASSWORD)
    assert client.get("/admin/users").status_code == 403


def test_cli_creates_a_therapist_with_password_from_stdin(runner, app, auth):
    result = runner.invoke(args=["create-user", "--role", "therapist", "--email", "T@Example.org"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert auth.login("t@example.org", PASSWORD).status_code == 302


def test_cli_refuses_a_weak_password(runner):
    result = runner.invoke(args=["create-user", "--role", "admin", "--email", "a@example.org"],
                           input="short\n")
    assert result.exit_code != 0
    assert "at least 10" in result.output


def test_sign_in_answer_carries_the_new_csrf_secret(client, auth, make_user):
    """Requests that follow a sign-in at once must share one CSRF secret: the sign-in response
    sets it, so the next pages never mint (and overwrite) their own."""
    auth.login(make_user("client"), PASSWORD)
    with client.session_transaction() as session:
        assert session.get("csrf_token")
        secret = session["csrf_token"]
    client.get("/offline")
    client.get("/grounding/")
    with client.session_transaction() as session:
        assert session["csrf_token"] == secret
