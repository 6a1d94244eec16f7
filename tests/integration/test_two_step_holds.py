"""A second factor nobody can walk around (issue 26, points 1-3; the 2026-12 security review's C1,
M1 and M2). Each test was written against the attack as the reviewer ran it, and failed on the code
before the fix:

- C1: after the right password, the set-up page gave a fresh secret whose code signed in and
  replaced the owner's app; a signed-in browser could replace the factor with nothing more.
- M1: a correct password wiped the count of wrong codes (20 evaluated in four rounds).
- M2: the registration link signed in again and again for 24 hours, past two-step sign-in.
"""
from __future__ import annotations

import html
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pyotp
import pytest
import requests
from conftest import PASSWORD
from sqlalchemy import func, select, update

from backend.accounts import tokens
from backend.accounts.models import User
from backend.accounts.services import create_user
from backend.broker import get_broker
from backend.db import get_engine, session_scope, utcnow
from backend.security_log import SecurityEvent
from support.databases import drop_database
from support.forms import AuthActions, csrf_token
from support.live import start_live_server
from support.mail import body_of, link_in, mails_in_folder
from support.two_step import fresh_code, remember_key, secret_from_page

_CODES = re.compile(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>")
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _password_step(client, email):
    return AuthActions(client).login(email, PASSWORD, two_step=False)


def _post(client, url, data, page=None):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page or url)})


def _code(client, code):
    return _post(client, "/auth/two-step", {"code": code})


def _enrolled(app, role="therapist", email=None):
    """An account whose owner set up their app (in a browser of their own, which keeps its device
    cookie); returns (email, secret, recovery codes, the owner's browser)."""
    email = email or f"{role}-{id(app)}@example.org"
    with app.test_request_context(), session_scope(app) as db:
        create_user(db, email, PASSWORD, role=role, display_name="Dr Kari Berg")
    owner = app.test_client()
    response = _password_step(owner, email)
    if role == "client":  # clients turn it on from their account page
        assert _post(owner, "/auth/two-step/confirm/setup", {"password": PASSWORD}).status_code == 302
    else:
        assert response.headers["Location"].endswith("/auth/two-step/setup")
    page = owner.get("/auth/two-step/setup").get_data(as_text=True)
    secret = secret_from_page(html.unescape(page))
    remember_key(email, secret)
    done = _post(owner, "/auth/two-step/setup", {"code": fresh_code(email)})
    assert done.headers["Location"].endswith("/auth/two-step/recovery-codes")
    codes = _CODES.findall(owner.get("/auth/two-step/recovery-codes").get_data(as_text=True))
    return email, secret, codes, owner


def _events(app, kind, email=None):
    with session_scope(app) as db:
        query = select(func.count(SecurityEvent.id)).where(SecurityEvent.kind == kind)
        if email:
            query = query.where(SecurityEvent.user_id == db.scalar(select(User.id).where(User.email == email)))
        return db.scalar(query)


def _secret_of(app, email):
    with session_scope(app) as db:
        return db.scalar(select(User.totp_secret).where(User.email == email))


def _mails_to(app, email):
    return [m for m in mails_in_folder(app) if m["To"] == email]


# --- C1: the set-up page is no second way in ----------------------------------------------------

@pytest.mark.parametrize("role", ["therapist", "admin"])
def test_the_password_alone_cannot_set_up_a_new_app(app, role):
    email, secret, _, _ = _enrolled(app, role)
    attacker = app.test_client()
    assert _password_step(attacker, email).headers["Location"].endswith("/auth/two-step")
    page = attacker.get("/auth/two-step/setup")
    assert page.status_code == 302 and page.headers["Location"].endswith("/auth/two-step")
    assert "data-totp-secret" not in page.get_data(as_text=True)
    # Posting a code for a secret of the attacker's own making changes nothing either.
    token = csrf_token(attacker, "/auth/two-step")
    with attacker.session_transaction() as flask_session:
        flask_session["two_step_secret"] = pyotp.random_base32(32)
        own = flask_session["two_step_secret"]
    posted = attacker.post("/auth/two-step/setup", data={"code": pyotp.TOTP(own).now(), "csrf_token": token})
    assert posted.status_code == 302 and not posted.headers["Location"].endswith("recovery-codes")
    assert attacker.get("/api/v1/plans").status_code == 401
    assert _secret_of(app, email) == secret  # the owner's app still works
    owner = app.test_client()
    _password_step(owner, email)
    assert _code(owner, fresh_code(email)).status_code == 302
    assert _events(app, "two_step_on", email) == 1


def test_a_signed_in_browser_cannot_replace_the_factor_without_password_and_code(app):
    email, secret, codes, owner = _enrolled(app)
    # Holding the signed-in browser is not enough: the set-up page sends to "confirm it is you".
    page = owner.get("/auth/two-step/setup")
    assert page.status_code == 302 and "/auth/two-step/confirm/setup" in page.headers["Location"]
    confirm = "/auth/two-step/confirm/setup"
    assert _post(owner, confirm, {"password": "not the password", "code": fresh_code(email)}).status_code == 400
    assert _post(owner, confirm, {"password": PASSWORD}).status_code == 400  # no code
    assert _post(owner, confirm, {"password": PASSWORD, "code": "123456"}).status_code == 400
    assert owner.get("/auth/two-step/setup").status_code == 302
    # Password and a current code: the new app may be set up; the old one works until then.
    assert _post(owner, confirm, {"password": PASSWORD, "code": fresh_code(email)}).status_code == 302
    page = owner.get("/auth/two-step/setup").get_data(as_text=True)
    new_secret = secret_from_page(html.unescape(page))
    assert new_secret != secret and _secret_of(app, email) == secret
    done = _post(owner, "/auth/two-step/setup", {"code": pyotp.TOTP(new_secret).now()})
    assert done.headers["Location"].endswith("/auth/two-step/recovery-codes")
    assert _secret_of(app, email) == new_secret
    assert _events(app, "two_step_changed", email) == 1
    mail = _mails_to(app, email)[-1]
    assert "another authenticator app" in body_of(mail) and "/auth/forgot" in body_of(mail)
    # The confirmation was used up: another replacement needs another confirmation.
    assert owner.get("/auth/two-step/setup").status_code == 302
    # The old app and the old recovery codes are gone.
    later = app.test_client()
    _password_step(later, email)
    assert _code(later, pyotp.TOTP(secret).now()).status_code == 400
    assert _code(later, codes[0]).status_code == 400


def test_a_recovery_code_confirms_too_and_new_recovery_codes_replace_the_old(app):
    email, _, codes, owner = _enrolled(app)
    answer = _post(owner, "/auth/two-step/confirm/codes", {"password": PASSWORD, "code": codes[0]},
                   page="/auth/two-step/confirm/codes")
    assert answer.headers["Location"].endswith("/auth/two-step/recovery-codes")
    new_codes = _CODES.findall(owner.get("/auth/two-step/recovery-codes").get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    assert "New recovery codes" in body_of(_mails_to(app, email)[-1])
    browser = app.test_client()
    _password_step(browser, email)
    assert _code(browser, codes[1]).status_code == 400
    assert _code(browser, new_codes[1]).status_code == 302


def test_staff_cannot_turn_it_off_and_a_client_can_only_after_confirming(app):
    _, _, _, therapist = _enrolled(app)
    assert therapist.get("/auth/two-step/confirm/off").status_code == 404
    email, _, _, client = _enrolled(app, "client", email="ingrid@example.org")
    assert _post(client, "/auth/two-step/confirm/off", {"password": PASSWORD, "code": "000000"}).status_code == 400
    assert _secret_of(app, email)
    answer = _post(client, "/auth/two-step/confirm/off", {"password": PASSWORD, "code": fresh_code(email)})
    assert answer.status_code == 302 and _secret_of(app, email) is None
    assert _events(app, "two_step_off", email) == 1
    assert "turned off" in body_of(_mails_to(app, email)[-1])
    assert "/auth/two-step" not in _password_step(app.test_client(), email).headers["Location"]


def test_turning_it_on_from_the_account_page_needs_the_password(app, make_user):
    email = make_user("client")
    client = app.test_client()
    _password_step(client, email)
    assert client.get("/auth/two-step/setup").headers["Location"].endswith("/auth/two-step/confirm/setup")
    assert _post(client, "/auth/two-step/confirm/setup", {"password": "wrong password!"}).status_code == 400
    assert client.get("/auth/two-step/setup").status_code == 302
    assert _post(client, "/auth/two-step/confirm/setup", {"password": PASSWORD}).status_code == 302
    assert client.get("/auth/two-step/setup").status_code == 200


# --- M1: the wrong-code limit holds across password rounds, browsers and parallel requests ------

def test_wrong_codes_are_counted_across_password_rounds(app):
    email, secret, _, _ = _enrolled(app)
    limit = app.config["CODE_LIMIT"]
    statuses = []
    for _ in range(4):  # the reviewer's four rounds of "password, then six codes"
        attacker = app.test_client()
        _password_step(attacker, email)
        statuses += [_code(attacker, f"{n:06d}").status_code for n in range(6)]
    assert statuses.count(400) == limit, statuses  # evaluated (and wrong)
    assert statuses.count(429) == 24 - limit
    assert _events(app, "code_failed", email) == limit
    # Even the right code now waits, from any browser the account never signed in on.
    late = app.test_client()
    _password_step(late, email)
    refused = _code(late, pyotp.TOTP(secret).now())
    assert refused.status_code == 429 and "wait 15 minutes" in refused.get_data(as_text=True)
    assert late.get("/clients").headers["Location"].startswith("/auth/login")
    # The person was told, once, that someone has their password.
    assert _events(app, "code_limited", email) == 1
    assert sum("wrong codes" in body_of(m) for m in _mails_to(app, email)) == 1


def test_the_wait_grows_with_each_batch_and_the_owners_own_browser_is_never_locked_out(app):
    email, _, _, owner = _enrolled(app)
    limit = app.config["CODE_LIMIT"]

    def batch():
        attacker = app.test_client()
        _password_step(attacker, email)
        return [_code(attacker, "000000").status_code for _ in range(limit + 1)]

    def wait_left():
        with session_scope(app) as db:
            return db.scalar(select(User.code_wait_until).where(User.email == email)) - utcnow()

    assert batch() == [400] * limit + [429]
    assert timedelta(minutes=14) < wait_left() <= timedelta(minutes=15)
    with session_scope(app) as db:  # the wait has passed
        db.execute(update(User).where(User.email == email).values(code_wait_until=utcnow() - timedelta(seconds=1)))
    assert batch() == [400] * limit + [429]
    assert timedelta(minutes=29) < wait_left() <= timedelta(minutes=30)  # twice as long
    # The owner, in the browser they signed in with before, is counted on their own.
    AuthActions(owner).logout()
    assert _password_step(owner, email).headers["Location"].endswith("/auth/two-step")
    assert _code(owner, fresh_code(email)).status_code == 302
    assert owner.get("/clients").status_code == 200


@pytest.fixture
def server(tmp_path):
    http, thread, live, db_url = start_live_server(tmp_path)
    yield live
    http.shutdown()
    thread.join(timeout=5)
    get_broker(live.app).stop()
    get_engine(live.app).dispose()
    drop_database(db_url)


def test_parallel_wrong_codes_from_many_browsers_are_evaluated_at_most_the_limit(server):
    email, secret = "kari@example.org", pyotp.random_base32(32)
    with server.app.test_request_context(), session_scope(server.app) as db:
        create_user(db, email, PASSWORD, role="therapist", totp_secret=secret)
    browsers = []
    for _ in range(40):  # 40 browsers half-way in (each password round on its own, as a person would)
        browser = requests.Session()
        token = _TOKEN.search(browser.get(server.url + "/auth/login").text).group(1)
        answer = browser.post(server.url + "/auth/login", data={"email": email, "password": PASSWORD,
                                                                 "csrf_token": token}, allow_redirects=False)
        assert answer.headers["Location"].endswith("/auth/two-step")
        browsers.append((browser, _TOKEN.search(browser.get(server.url + "/auth/two-step").text).group(1)))

    def guess(pair):
        browser, token = pair
        return browser.post(server.url + "/auth/two-step", data={"code": "000000", "csrf_token": token},
                            allow_redirects=False).status_code

    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(guess, browsers))
    assert statuses.count(400) <= server.app.config["CODE_LIMIT"], statuses
    assert statuses.count(429) == 40 - statuses.count(400)
    assert _events(server.app, "code_failed") == statuses.count(400)


# --- M2: the registration link works once, expires soon, never passes a second factor -----------

def _registered(app, client, email="ny@example.org"):
    assert AuthActions(client).register(email, PASSWORD, "Ingrid").status_code == 302
    return link_in(_mails_to(app, email)[-1], "/auth/welcome/")


def test_the_registration_link_signs_in_once(app):
    client = app.test_client()
    link = _registered(app, client)
    assert "works once, for an hour" in body_of(_mails_to(app, "ny@example.org")[-1])
    assert _post(client, link, {}).status_code == 302
    assert client.get("/api/v1/plans").status_code == 200
    AuthActions(client).logout()
    again = app.test_client()
    assert again.get(link).status_code == 404
    token = csrf_token(again, "/auth/login")
    assert again.post(link, data={"csrf_token": token}).status_code == 404
    assert again.get("/api/v1/plans").status_code == 401


def test_the_registration_link_expires_after_an_hour(app, monkeypatch):
    client = app.test_client()
    link = _registered(app, client)
    import itsdangerous.timed

    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + 61 * 60)
    assert client.get(link).status_code == 404


def test_the_registration_link_does_not_pass_a_second_factor(app):
    email = "ny@example.org"
    link = _registered(app, app.test_client(), email)
    # The person signs in with their password instead, and turns on two-step sign-in.
    _enrolled_client = app.test_client()
    _password_step(_enrolled_client, email)
    assert _post(_enrolled_client, "/auth/two-step/confirm/setup", {"password": PASSWORD}).status_code == 302
    secret = secret_from_page(html.unescape(_enrolled_client.get("/auth/two-step/setup").get_data(as_text=True)))
    assert _post(_enrolled_client, "/auth/two-step/setup", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    # Whoever holds the mail now gets as far as the code, no further.
    holder = app.test_client()
    answer = _post(holder, link, {})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/auth/two-step")
    assert holder.get("/api/v1/plans").status_code == 401
    with session_scope(app) as db:
        assert tokens.user_for_token(db, app.config["SECRET_KEY"], "welcome", link.rsplit("/", 1)[1]) is None


# --- A lost factor is reset by an admin, after proofing, logged and mailed ---------------------

def test_an_admin_resets_a_lost_factor_and_the_person_sets_up_anew(app):
    email, _, _, therapist = _enrolled(app)
    admin_email, _, _, admin = _enrolled(app, "admin", email="admin@example.org")
    users = admin.get("/admin/users").get_data(as_text=True)
    with session_scope(app) as db:
        person_id = db.scalar(select(User.id).where(User.email == email))
        admin_id = db.scalar(select(User.id).where(User.email == admin_email))
    url = f"/admin/users/{person_id}/two-step"
    assert url in users and f"/admin/users/{admin_id}/two-step" not in users  # never one's own
    assert admin.get(f"/admin/users/{admin_id}/two-step").status_code == 404
    assert therapist.get(url).status_code in (302, 403)
    assert _post(admin, url, {"password": "not the admin's"}).status_code == 400
    assert _secret_of(app, email)
    assert _post(admin, url, {"password": PASSWORD}).status_code == 302
    assert _secret_of(app, email) is None
    assert therapist.get("/clients").headers["Location"].startswith("/auth/login")  # signed out everywhere
    assert _events(app, "two_step_reset", email) == 1
    assert "administrator reset" in body_of(_mails_to(app, email)[-1])
    again = app.test_client()
    assert _password_step(again, email).headers["Location"].endswith("/auth/two-step/setup")
