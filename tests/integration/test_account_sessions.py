"""/account: where I am signed in (sign out one device, everywhere else), change password, and a
client's absolute session lifetime of one year enforced on the server."""

from __future__ import annotations

from datetime import timedelta

from conftest import PASSWORD
from sqlalchemy import select, update

from backend.accounts.models import AuthSession
from backend.db import session_scope, utcnow
from support.forms import AuthActions, csrf_token

PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
         "Version/17.0 Mobile/15E148 Safari/604.1")
LAPTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def _browser(app, email, user_agent, remember=False):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    assert AuthActions(client).login(email, PASSWORD, remember=remember).status_code == 302
    return client


def _signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def test_a_three_year_old_client_session_no_longer_works(app, make_user):
    phone = _browser(app, make_user("client"), PHONE, remember=True)
    assert _signed_in(phone)
    with session_scope(app) as db:
        db.execute(update(AuthSession).values(created_at=utcnow() - timedelta(days=3 * 365)))
    assert phone.get("/account/").headers["Location"].startswith("/auth/login")
    with session_scope(app) as db:
        assert db.scalars(select(AuthSession)).all() == []


def test_a_client_session_of_eleven_months_still_works(app, make_user):
    phone = _browser(app, make_user("client"), PHONE, remember=True)
    with session_scope(app) as db:
        db.execute(update(AuthSession).values(created_at=utcnow() - timedelta(days=330)))
    assert _signed_in(phone)


def test_the_account_page_lists_where_i_am_signed_in(app, make_user):
    email = make_user("client")
    phone, laptop = _browser(app, email, PHONE), _browser(app, email, LAPTOP)
    _browser(app, make_user("client"), LAPTOP)  # someone else's session is not listed
    html = laptop.get("/account/").get_data(as_text=True)
    assert "Safari on iPhone" in html and "Chrome on Linux" in html
    assert html.count("Sign out this device") == 1  # not offered for this one
    assert _signed_in(phone)


def test_sign_out_one_device_and_everywhere_else(app, make_user):
    email = make_user("client")
    phone, laptop, tablet = (_browser(app, email, ua) for ua in (PHONE, LAPTOP, PHONE))
    with session_scope(app) as db:
        phone_session = db.scalars(select(AuthSession).order_by(AuthSession.id)).first().id
    token = csrf_token(laptop, "/account/")
    assert laptop.post(f"/account/sessions/{phone_session}/end", data={"csrf_token": token}).status_code == 302
    assert not _signed_in(phone) and _signed_in(tablet)
    laptop.post("/account/sessions/end-others", data={"csrf_token": csrf_token(laptop, "/account/")})
    assert not _signed_in(tablet) and _signed_in(laptop)


def test_i_cannot_end_someone_elses_session(app, make_user):
    victim = _browser(app, make_user("client"), PHONE)
    with session_scope(app) as db:
        victim_session = db.scalars(select(AuthSession)).first().id
    other = _browser(app, make_user("client"), LAPTOP)
    other.post(f"/account/sessions/{victim_session}/end", data={"csrf_token": csrf_token(other, "/account/")})
    assert _signed_in(victim)


def test_change_password_asks_the_current_one_and_ends_other_sessions(app, make_user):
    email = make_user("client")
    phone, laptop = _browser(app, email, PHONE), _browser(app, email, LAPTOP)
    token = csrf_token(laptop, "/account/")
    wrong = laptop.post(
        "/account/password",
        data={"csrf_token": token, "current": "not it at all", "password": "a brand new long phrase"},
    )
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    weak = laptop.post("/account/password", data={"csrf_token": token, "current": PASSWORD, "password": "1111111111"})
    assert weak.status_code == 400 and "too common" in weak.get_data(as_text=True)
    assert _signed_in(phone)
    done = laptop.post(
        "/account/password", data={"csrf_token": token, "current": PASSWORD, "password": "a brand new long phrase"}
    )
    assert done.status_code == 302
    assert _signed_in(laptop) and not _signed_in(phone)
    assert AuthActions(app.test_client()).login(email, "a brand new long phrase").status_code == 302


def test_the_account_page_is_for_the_signed_in_only(client):
    assert client.get("/account/").headers["Location"].startswith("/auth/login")


def test_the_account_page_title_is_only_its_name(client, auth, make_user):
    """The <title> once swallowed two sections of the page (an unclosed block)."""
    import re

    email = make_user("client")
    auth.login(email, "correct horse battery staple")
    page = client.get("/account/").get_data(as_text=True)
    assert re.search(r"<title>\s*My account\s*·\s*Trygg</title>", page)
    assert page.count('id="data-heading"') == 1
