"""Requests the service worker makes in the background never write the session cookie.

The session lives in a cookie. A warming request sent just before the person signs in again
answers after the sign-in; had it set a cookie (a "please sign in" flash, a flash shown and so
used up), the browser would keep that older, signed-out session and the person would land back
on the sign-in page (seen once in a clean-clone CI run).
"""
from __future__ import annotations

from conftest import PASSWORD

BACKGROUND = {"Sec-Fetch-Mode": "same-origin", "Sec-Fetch-Dest": "empty"}
NAVIGATION = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}


def _sets_cookie(response) -> bool:
    return any(name.lower() == "set-cookie" for name, _ in response.headers)


def test_a_signed_out_background_fetch_goes_to_sign_in_without_writing_the_session(client):
    response = client.get("/plans/1", headers=BACKGROUND)
    assert response.status_code == 302
    assert "/auth/login?next=" in response.headers["Location"]
    assert not _sets_cookie(response)


def test_a_signed_out_person_opening_a_page_is_told_to_sign_in(client):
    response = client.get("/plans/1", headers=NAVIGATION)
    assert response.status_code == 302 and _sets_cookie(response)
    page = client.get(response.headers["Location"], headers=NAVIGATION).get_data(as_text=True)
    assert "Please sign in to see this page." in page


def test_a_background_page_fetch_leaves_the_message_for_the_person(client, auth, make_user):
    auth.login(make_user("client"), PASSWORD)
    auth.logout()  # "You are signed out." waits in the session
    fetched = client.get("/offline", headers=BACKGROUND)
    assert fetched.status_code == 200
    assert "You are signed out." not in fetched.get_data(as_text=True)
    assert not _sets_cookie(fetched)
    shown = client.get("/auth/login", headers=NAVIGATION).get_data(as_text=True)
    assert "You are signed out." in shown


def test_every_page_a_client_keeps_offline_answers_without_a_redirect(client, auth, make_user):
    # The service worker stops warming at the first redirect (it means "signed out"), so no page
    # on a signed-in person's list may redirect.
    auth.login(make_user("client"), PASSWORD)
    client.get("/")  # the client's plan is started on first use
    urls = client.get("/api/v1/offline").get_json()["urls"]
    assert urls
    for url in urls:
        response = client.get(url, headers=BACKGROUND)
        assert response.status_code == 200, (url, response.status_code)


def _remember_cookie(client, app):
    return client.get_cookie(app.config["REMEMBER_COOKIE_NAME"])


def test_signing_out_drops_the_keep_me_signed_in_cookie(app, client, auth, make_user):
    auth.login(make_user("client"), PASSWORD, remember=True)
    assert _remember_cookie(client, app) is not None
    auth.logout()
    assert _remember_cookie(client, app) is None


def test_a_dead_remember_cookie_is_dropped_by_the_next_page_and_never_by_a_background_request(
        app, client, auth, make_user):
    from backend.accounts.services import end_other_sessions, find_user
    from backend.db import session_scope

    email = make_user("client")
    auth.login(email, PASSWORD, remember=True)
    with app.app_context(), session_scope(app) as db:
        end_other_sessions(db, find_user(db, email), None)  # "sign out everywhere" from another device
    background = client.get("/offline", headers=BACKGROUND)
    assert background.status_code == 200 and not _sets_cookie(background)
    assert _remember_cookie(client, app) is not None
    page = client.get("/auth/login", headers=NAVIGATION)
    assert page.status_code == 200 and _remember_cookie(client, app) is None
