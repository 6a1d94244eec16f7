"""Sign-in limits that cannot race and cannot lock the owner out, and a limit on registrations.

The parallel tests use a real threaded server and real sockets: 40 guesses at once."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from conftest import PASSWORD

from backend.accounts.services import create_user
from backend.broker import get_broker
from backend.db import get_engine, session_scope
from support.databases import drop_database
from support.forms import AuthActions
from support.live import start_live_server

PARALLEL = 40
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def server(tmp_path):
    """A live server of our own (the attempts table must start empty)."""
    http, thread, live, db_url = start_live_server(tmp_path)
    with live.app.test_request_context(), session_scope(live.app) as db:
        create_user(db, "owner@example.org", PASSWORD, role="client")
    yield live
    http.shutdown()
    thread.join(timeout=5)
    get_broker(live.app).stop()
    get_engine(live.app).dispose()
    drop_database(db_url)


def _guesses(server, emails) -> list[int]:
    """Each guess from its own browser session, all sent at the same moment."""
    sessions = []
    for email in emails:
        browser = requests.Session()
        token = _TOKEN.search(browser.get(server.url + "/auth/login").text).group(1)
        sessions.append((browser, {"email": email, "password": "a wrong guess here", "csrf_token": token}))

    def send(pair):
        browser, data = pair
        return browser.post(server.url + "/auth/login", data=data, allow_redirects=False).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(send, sessions))


def test_parallel_guesses_at_one_account_are_evaluated_at_most_the_limit(server):
    statuses = _guesses(server, ["owner@example.org"] * PARALLEL)
    evaluated = statuses.count(400)
    assert evaluated <= server.app.config["LOGIN_LIMIT_PER_ACCOUNT"]
    assert statuses.count(429) == PARALLEL - evaluated


def test_parallel_guesses_from_one_address_are_evaluated_at_most_the_limit(server):
    statuses = _guesses(server, [f"guess{n}@example.org" for n in range(PARALLEL)])
    evaluated = statuses.count(400)
    assert evaluated <= server.app.config["LOGIN_LIMIT_PER_IP"]
    assert statuses.count(429) == PARALLEL - evaluated


def test_a_browser_that_signed_in_before_is_not_locked_out_by_guessing_elsewhere(app, make_user):
    email = make_user("client")
    owner = app.test_client()
    assert AuthActions(owner).login(email, PASSWORD).status_code == 302
    assert owner.get_cookie("trygg_device") is not None
    AuthActions(owner).logout()

    attacker = app.test_client()
    for _ in range(app.config["LOGIN_LIMIT_PER_ACCOUNT"] + 3):
        AuthActions(attacker).login(email, "a wrong guess here")
    assert AuthActions(app.test_client()).login(email, PASSWORD).status_code == 429  # unknown browsers wait
    assert AuthActions(owner).login(email, PASSWORD).status_code == 302  # the owner's own does not


def test_a_device_cookie_for_another_account_or_forged_does_not_help(app, make_user):
    email, other = make_user("client"), make_user("client")
    browser = app.test_client()
    AuthActions(browser).login(other, PASSWORD)
    AuthActions(browser).logout()
    attacker = app.test_client()
    for _ in range(app.config["LOGIN_LIMIT_PER_ACCOUNT"] + 1):
        AuthActions(attacker).login(email, "a wrong guess here")
    assert AuthActions(browser).login(email, PASSWORD).status_code == 429
    forged = app.test_client()
    forged.set_cookie("trygg_device", "WzEsICJ4Il0.forged.signature")
    assert AuthActions(forged).login(email, PASSWORD).status_code == 429


def test_guesses_on_a_trusted_browser_are_limited_too(app, make_user):
    email = make_user("client")
    browser = app.test_client()
    AuthActions(browser).login(email, PASSWORD)
    AuthActions(browser).logout()
    for _ in range(app.config["LOGIN_LIMIT_PER_ACCOUNT"]):
        assert AuthActions(browser).login(email, "a wrong guess here").status_code == 400
    assert AuthActions(browser).login(email, PASSWORD).status_code == 429


def test_registrations_are_limited_per_address(app, client):
    app.config["REGISTER_LIMIT_PER_IP"] = 3
    auth = AuthActions(client)
    for n in range(3):
        assert auth.register(f"new{n}@example.org", PASSWORD).status_code == 302
    refused = auth.register("one.more@example.org", PASSWORD)
    assert refused.status_code == 429
    assert 'value="one.more@example.org"' in refused.get_data(as_text=True)
    assert "try again in an hour" in refused.get_data(as_text=True)
