"""Co-editing over HTTP: the event stream, the sync feed's place in the access log, the plain-HTML
stale save, and the history's filter and restore."""
from __future__ import annotations

import re

from sqlalchemy import select

from backend.audit import AccessEvent
from backend.db import session_scope
from safety_plans.models import PlanItem
from support.forms import csrf_token
from support.plans import add_op, new_id


def _item(app, text):
    with session_scope(app) as db:
        item = db.scalar(select(PlanItem).where(PlanItem.text == text))
        return item.uuid, item.version


def _events(app, actor_name=None):
    """The access log's rows about the plan (the client list's overview read is counted apart)."""
    with session_scope(app) as db:
        return [e.action for e in db.scalars(select(AccessEvent).where(AccessEvent.object_type == "plan")
                                             .order_by(AccessEvent.id))]


def test_event_stream_says_hello_with_the_revision_and_who_is_here(app, client, sign_in, world):
    app.config.update(LIVE_STREAM_SECONDS=0.2, LIVE_HEARTBEAT_SECONDS=0.1)
    sign_in(world.linked_therapist)
    response = client.get(f"/api/v1/plans/{world.plan_id}/events")
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    body = response.get_data(as_text=True)  # the stream ends by itself after its time
    hello = r'event: hello\ndata: \{"plan":' + str(world.plan_id) + r',"revision":\d+,"here":\[\{[^]]*"Dr Berg"'
    assert re.search(hello, body)
    assert ": heartbeat" in body


def test_event_stream_announces_an_accepted_change(app, api, sign_in, world):
    from backend.broker import get_broker

    subscription = get_broker(app).subscribe(f"plan:{world.plan_id}")
    sign_in(world.owner)
    api._token = None  # a new sign-in, a new CSRF token
    answer = api.post(f"/api/v1/plans/{world.plan_id}/changes", {"ops": [add_op("reasons", "My dog")]}).get_json()
    message = subscription.get(timeout=5)
    subscription.close()
    assert message == {"plan": world.plan_id, "revision": answer["revision"]}  # ids and numbers, no text


def test_streams_beyond_the_cap_get_503_with_retry_after(app, client, sign_in, world):
    app.extensions["trygg.live_slots"].limit = 0
    sign_in(world.owner)
    response = client.get(f"/api/v1/plans/{world.plan_id}/events")
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0


def test_sync_feed_and_stream_are_not_logged_as_opens_and_changes_merge(app, api, client, sign_in, world):
    app.config.update(LIVE_STREAM_SECONDS=0.1)
    sign_in(world.linked_therapist)
    client.get(f"/plans/{world.plan_id}/edit")
    for _ in range(3):
        client.get(f"/api/v1/plans/{world.plan_id}/changes?since=0")
        client.get(f"/api/v1/plans/{world.plan_id}/events").get_data()
        api.post(f"/api/v1/plans/{world.plan_id}/changes", {"ops": [add_op("reasons", "Spring")]})
    assert _events(app) == ["open", "change"]  # one page view, one line for a session of changes


def test_stale_form_save_tells_whose_text_was_replaced_and_offers_it_back(app, client, sign_in, world):
    uuid, version = _item(app, "I stop answering messages")
    sign_in(world.linked_therapist)
    token = csrf_token(client, f"/plans/{world.plan_id}/edit")
    client.post(f"/plans/{world.plan_id}/changes", data={
        "csrf_token": token, "op": new_id(), "action": "save", "item": uuid, "base_version": version,
        "was_text": "I stop answering messages", "text": "Stops answering messages"})
    sign_in(world.owner)  # Ingrid's page was opened before that change
    token = csrf_token(client, f"/plans/{world.plan_id}/edit")
    response = client.post(f"/plans/{world.plan_id}/changes", data={
        "csrf_token": token, "op": new_id(), "action": "save", "item": uuid, "base_version": version,
        "was_text": "I stop answering messages", "text": "I go quiet"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Your change replaced what Dr Berg wrote" in page
    assert "I go quiet" in page and "Stops answering messages" in page  # both texts shown
    assert "Bring Dr Berg’s text back" in page or "Bring Dr Berg&#39;s text back" in page or "Bring Dr Berg" in page


def test_history_filters_by_section_and_restores_an_earlier_text(app, api, client, sign_in, world):
    uuid, version = _item(app, "I stop answering messages")
    sign_in(world.owner)
    api.post(f"/api/v1/plans/{world.plan_id}/changes", {"ops": [
        {"uuid": new_id(), "type": "edit", "item": uuid, "base_version": version, "fields": {"text": "I go quiet"}}]})
    page = client.get(f"/plans/{world.plan_id}/history?section=warning_signs").get_data(as_text=True)
    assert "I go quiet" in page and "Sister Kari" not in page
    assert "Before:" in page and "After:" in page
    token = csrf_token(client, f"/plans/{world.plan_id}/history")
    response = client.post(f"/plans/{world.plan_id}/history/restore", data={
        "csrf_token": token, "op": new_id(), "item": uuid, "text": "I stop answering messages"})
    assert response.status_code == 302
    assert _item(app, "I stop answering messages")[1] == version + 2  # a restore is a change of its own
    page = client.get(f"/plans/{world.plan_id}/history").get_data(as_text=True)
    assert page.count("I stop answering messages") >= 3


def test_an_edit_of_an_item_removed_meanwhile_brings_it_back(app, api, sign_in, world):
    uuid, version = _item(app, "I stop answering messages")
    sign_in(world.linked_therapist)
    api.post(f"/api/v1/plans/{world.plan_id}/changes", {"ops": [
        {"uuid": new_id(), "type": "delete", "item": uuid, "base_version": version}]})
    sign_in(world.owner)
    api._token = None  # a new sign-in, a new CSRF token
    answer = api.post(f"/api/v1/plans/{world.plan_id}/changes", {"ops": [
        {"uuid": new_id(), "type": "edit", "item": uuid, "base_version": version,
         "fields": {"text": "I go quiet"}}]}).get_json()
    [result] = answer["results"]
    assert result["restored"] is True
    with session_scope(app) as db:
        item = db.scalar(select(PlanItem).where(PlanItem.uuid == uuid))
        assert (item.deleted, item.text) == (False, "I go quiet")


def _presence_while_streaming(app, client, url):
    """Open a stream, read up to its hello, and count who is marked present on the plan meanwhile."""
    from safety_plans.models import PlanPresence

    response = client.get(url, buffered=False)
    read = ""
    for chunk in response.response:
        read += chunk.decode() if isinstance(chunk, bytes) else chunk
        if "event: hello" in read:
            break
    with session_scope(app) as db:
        present = len(list(db.scalars(select(PlanPresence))))
    response.close()
    return read, present


def test_a_page_that_only_follows_the_plan_is_never_here_too(app, client, sign_in, world):
    """The client's own crisis view follows her plan live (pwa/static/live.js, `?follow=1`): that
    must not tell her therapist's editor that she is reading it (nobody watches Trygg)."""
    app.config.update(LIVE_STREAM_SECONDS=5, LIVE_HEARTBEAT_SECONDS=0.1)
    sign_in(world.owner)
    following, present = _presence_while_streaming(app, client, f"/api/v1/plans/{world.plan_id}/events?follow=1")
    assert present == 0 and '"here":[]' in following
    editing, present = _presence_while_streaming(app, client, f"/api/v1/plans/{world.plan_id}/events")
    assert present == 1 and '"here":[{' in editing  # the editor still says who is here
