"""Subscribing, unsubscribing and the settings page, through HTTP like the PWA does."""

from __future__ import annotations

import re
from datetime import time

from sqlalchemy import select

from backend.accounts.services import find_user
from backend.db import session_scope
from backend.push.keys import load_keys
from backend.push.models import NotificationSettings, PushSubscription
from backend.push.reminders import chosen
from support.forms import post_form
from tests.conftest import PASSWORD

ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"


def meta_token(client) -> str:
    html = client.get("/settings/notifications").get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def subscribe(client, info, token=None, **headers):
    return client.post(
        "/api/v1/push/subscriptions",
        json=info,
        headers={"X-CSRFToken": meta_token(client) if token is None else token, "User-Agent": ANDROID, **headers},
    )


def sign_out(client):
    """Sign out through the form (the token comes from a page every signed-in person can open)."""
    return client.post("/auth/logout", data={"csrf_token": meta_token(client)})


def endpoints(app):
    with session_scope(app) as db:
        return db.execute(select(PushSubscription.endpoint, PushSubscription.user_id, PushSubscription.label)).all()


def test_the_api_wants_a_signed_in_person_and_a_csrf_token(push_app, push_service, client):
    sub = push_service.subscribe()
    assert client.get("/api/v1/push/public-key").status_code == 401
    assert client.post("/api/v1/push/subscriptions", json=sub.info()).status_code in (400, 401)
    assert endpoints(push_app) == []


def test_a_browser_subscribes_and_unsubscribes(push_app, push_service, client, auth, make_user):
    auth.login(make_user("client"), PASSWORD)
    assert client.get("/api/v1/push/public-key").get_json() == {"publicKey": load_keys(push_app).public_key}
    sub = push_service.subscribe()
    assert subscribe(client, sub.info(), token="").status_code == 400  # no CSRF token
    response = subscribe(client, sub.info())
    assert response.status_code == 201 and response.get_json()["label"] == "Chrome on Android"
    assert subscribe(client, sub.info()).status_code == 201  # again: still one row
    assert len(endpoints(push_app)) == 1
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "Chrome on Android" in page

    response = client.delete(
        "/api/v1/push/subscriptions", json={"endpoint": sub.endpoint}, headers={"X-CSRFToken": meta_token(client)}
    )
    assert response.status_code == 204 and endpoints(push_app) == []


def test_only_real_push_services_are_accepted(push_app, push_service, client, auth, make_user):
    auth.login(make_user("client"), PASSWORD)
    good = push_service.subscribe().info()
    for endpoint in ("http://10.0.0.5/internal", "https://evil.example.org/push", "file:///etc/passwd", ""):
        assert subscribe(client, {**good, "endpoint": endpoint}).status_code == 400, endpoint
    assert subscribe(client, {**good, "keys": {"p256dh": "short", "auth": good["keys"]["auth"]}}).status_code == 400
    assert subscribe(client, {"endpoint": good["endpoint"]}).status_code == 400
    push_app.config["PUSH_ALLOW_HTTP"] = False  # production: https only
    assert subscribe(client, good).status_code == 400
    assert endpoints(push_app) == []


def test_signing_out_stops_notifications_to_that_browser(push_app, push_service, client, auth, make_user):
    auth.login(make_user("client"), PASSWORD)
    assert subscribe(client, push_service.subscribe().info()).status_code == 201
    sign_out(client)
    assert endpoints(push_app) == []


def test_a_shared_browser_follows_whoever_signs_in(push_app, push_service, client, auth, make_user):
    first, second = make_user("client"), make_user("client")
    sub = push_service.subscribe()
    auth.login(first, PASSWORD)
    subscribe(client, sub.info())
    client.delete("/api/v1/push/subscriptions", json={"endpoint": "nope"}, headers={"X-CSRFToken": meta_token(client)})
    sign_out(client)
    auth.login(second, PASSWORD)
    subscribe(client, sub.info())
    with session_scope(push_app) as db:
        assert endpoints(push_app) == [(sub.endpoint, find_user(db, second).id, "Chrome on Android")]


def test_settings_are_saved_and_checked(push_app, client, auth, make_user):
    auth.login(make_user("client"), PASSWORD)
    page = client.get("/settings/notifications")
    assert page.status_code == 200 and "Notifications" in page.get_data(as_text=True)
    form = {
        "commitments": "y",
        "daily": "y",
        "daily_time": "23:30",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
        "time_zone": "Europe/Stockholm",
    }
    response = post_form(client, "/settings/notifications", form, token_page="/settings/notifications")
    assert response.status_code == 400
    assert "within your quiet hours" in response.get_data(as_text=True)
    response = post_form(
        client, "/settings/notifications", {**form, "daily_time": "20:15"}, token_page="/settings/notifications"
    )
    assert response.status_code == 302
    with session_scope(push_app) as db:
        saved = db.scalar(select(NotificationSettings))
        wants = chosen(db, saved.user_id, push_app)
        assert (wants["daily"], saved.daily_time, wants["plan_updated"], saved.show_text) == (
            True,
            time(20, 15),
            False,
            False,
        )
        assert saved.user.time_zone == "Europe/Stockholm"
    response = post_form(
        client,
        "/settings/notifications",
        {**form, "daily_time": "20:15", "quiet_end": ""},
        token_page="/settings/notifications",
    )
    assert response.status_code == 400


def test_devices_are_listed_removed_and_tested_without_javascript(push_app, push_service, client, auth, make_user):
    auth.login(make_user("client"), PASSWORD)
    phone = push_service.subscribe()
    subscribe(client, phone.info())
    response = post_form(client, "/settings/notifications/test", {}, token_page="/settings/notifications")
    assert response.status_code == 302
    [message] = push_service.messages(phone)
    assert message.payload["body"] == "Notifications work on this device."

    with session_scope(push_app) as db:
        device_id = db.scalar(select(PushSubscription.id))
    post_form(client, f"/settings/notifications/devices/{device_id}/delete", {}, token_page="/settings/notifications")
    assert endpoints(push_app) == []


def test_nobody_removes_someone_elses_device(push_app, push_service, client, auth, make_user):
    owner, other = make_user("client"), make_user("client")
    auth.login(owner, PASSWORD)
    subscribe(client, push_service.subscribe().info())
    stranger = push_app.test_client()  # another browser; the owner stays signed in on theirs
    post_form(stranger, "/auth/login", {"email": other, "password": PASSWORD})
    with session_scope(push_app) as db:
        device_id = db.scalar(select(PushSubscription.id))
    post_form(stranger, f"/settings/notifications/devices/{device_id}/delete", {}, token_page="/settings/notifications")
    assert len(endpoints(push_app)) == 1
    assert "Chrome on Android" not in stranger.get("/settings/notifications").get_data(as_text=True)
