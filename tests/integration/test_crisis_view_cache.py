"""The crisis view's body is rendered once per version and reused (safety_plans/crisis_cache.py):
the same words as a fresh render, a new body after any change, never one person's body for another
kind of viewer, 304 without rendering, and every therapist read still logged."""
from __future__ import annotations

import gzip
import re

from backend import audit
from backend.accounts.services import find_user
from backend.db import session_scope
from support.plans import add_op


def _cache(app):
    return app.extensions["trygg.crisis_bodies"]


def _reused(app) -> int:
    """Opens answered from a cache: the whole page, or its body."""
    pages = app.extensions.get("trygg.crisis_pages")
    return _cache(app).hits + (pages.hits if pages else 0)


def _without_tokens(html: str) -> str:
    html = re.sub(r'name="csrf[-_]token" (content|value)="[^"]+"', "TOKEN", html)
    return re.sub(r'name="trygg-rendered-at" content="[^"]+"', "AT", html)


def test_a_second_open_reuses_the_body_and_reads_the_same(app, client, world, sign_in):
    sign_in(world.owner)
    first = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    misses = _cache(app).misses
    second = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert _cache(app).misses == misses and _reused(app) >= 1
    assert _without_tokens(first) == _without_tokens(second)
    assert "Sister Kari" in second and "Hello, Ingrid" in second
    # The body's form carries this session's real token, never the placeholder.
    assert "trygg-csrf-" not in second
    token = re.search(r'name="csrf_token" value="([^"]+)"', second).group(1)
    assert token == re.search(r'name="csrf-token" content="([^"]+)"', second).group(1)


def test_a_cached_page_is_sent_gzipped_with_this_requests_token(app, client, world, sign_in):
    """The cached page's gzip is made once and its token and time put in as they are sent: what
    the browser unpacks is the page, with a token the next form post is accepted with."""
    sign_in(world.owner)
    plain = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    packed = client.get(f"/plans/{world.plan_id}", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    page = gzip.decompress(packed.data).decode()
    assert _without_tokens(page) == _without_tokens(plain) and "trygg-csrf-" not in page and "trygg-now-" not in page
    assert len(packed.data) < len(page) / 2
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/language", data={"csrf_token": token + "x", "lang": "sv"}).status_code == 400
    assert client.post("/language", data={"csrf_token": token, "lang": "sv"}).status_code == 302


def test_a_change_gives_a_new_body(app, client, api, world, sign_in):
    sign_in(world.owner)
    assert "Call my cousin" not in client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert api.post(f"/api/v1/plans/{world.plan_id}/changes",
                    {"ops": [add_op("support", "Call my cousin")]}).status_code == 200
    assert "Call my cousin" in client.get(f"/plans/{world.plan_id}").get_data(as_text=True)


def test_an_ended_care_link_gives_the_plan_a_new_version(app, client, world, sign_in):
    """A recommendation from an ended link leaves the plan, so the device's copy must not be told
    "304, nothing changed" after a link ends."""
    from backend.accounts import care

    sign_in(world.owner)
    before = client.get(f"/plans/{world.plan_id}")
    assert client.get(f"/plans/{world.plan_id}", headers={"If-None-Match": before.headers["ETag"]}).status_code == 304
    with session_scope(app) as db:
        therapist = find_user(db, world.linked_therapist)
        assert care.end_link(db, therapist.id, find_user(db, world.owner).id)
    after = client.get(f"/plans/{world.plan_id}", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]


def test_owner_and_therapist_never_share_a_body(app, client, world, sign_in):
    sign_in(world.owner)
    client.get(f"/plans/{world.plan_id}")
    sign_in(world.linked_therapist)
    page = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert "Hello, Ingrid" not in page and "Live somewhere else?" not in page
    assert "Sister Kari" in page


def test_every_therapist_read_is_logged_even_from_the_cache(app, client, world, sign_in):
    sign_in(world.linked_therapist)
    for _ in range(3):
        assert client.get(f"/plans/{world.plan_id}").status_code == 200
    assert _reused(app) >= 2
    with app.test_request_context(), session_scope(app) as db:
        owner = find_user(db, world.owner)
        opens = [e for e in audit.events_for(db, owner.id) if e.action == "open"]
        assert sum(e.count or 1 for e in opens) == 3


def test_a_conditional_request_gets_304_without_rendering(app, client, world, sign_in):
    sign_in(world.owner)
    page = client.get(f"/plans/{world.plan_id}")
    etag = page.headers["ETag"]
    hits, misses = _reused(app), _cache(app).misses
    again = client.get(f"/plans/{world.plan_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert (_reused(app), _cache(app).misses) == (hits, misses)


def test_the_whole_page_is_reused_per_person_with_fresh_tokens(app, client, world, sign_in):
    sign_in(world.owner)
    client.get(f"/plans/{world.plan_id}")
    pages = app.extensions["trygg.crisis_pages"]
    hits = pages.hits
    page = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert pages.hits == hits + 1
    assert "trygg-csrf-" not in page and "trygg-now-" not in page
    assert re.search(r'name="trygg-rendered-at" content="\d{4}-\d\d-\d\dT', page)
    # Another person (a linked therapist) never gets the owner's page.
    sign_in(world.linked_therapist)
    other = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert "Hello, Ingrid" not in other and "Live somewhere else?" not in other


def test_a_page_with_a_message_waiting_is_rendered_afresh(app, client, world, sign_in):
    sign_in(world.owner)
    client.get(f"/plans/{world.plan_id}")
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get(f"/plans/{world.plan_id}")
                      .get_data(as_text=True)).group(1)
    client.post(f"/plans/{world.plan_id}/country", data={"csrf_token": token, "country": "SE"})
    page = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert "Sverige" in page or "Sweden" in page
