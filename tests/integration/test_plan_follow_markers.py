"""Which pages follow their plan (pwa/static/live.js, issue 27 points 4 and 6): every page that shows
a client's plan to a therapist carries the marker, so it lets go when the access ends; the client's
own crisis view is live; a therapist's crisis view is not (each fetch would be an opening in the
client's access log), and a client's other pages need no stream."""
from __future__ import annotations

import re

import pytest

from support.sessions import start_session

FOLLOW = re.compile(r'<main id="main" tabindex="-1" data-plan-follow="(\d+)" data-revision="\d+"( data-plan-live)?')
LIVE_SCRIPT = re.compile(r'src="/assets/pwa/live\.[0-9a-f]+\.js"')
PAGES = ["", "/sessions", "/sessions/{session}/summary", "/history", "/print", "/media"]


def _marker(client, url):
    html = client.get(url).get_data(as_text=True)
    found = FOLLOW.search(html)
    assert bool(found) == bool(LIVE_SCRIPT.search(html)), url  # the script comes with the marker
    return found


@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_the_plan_follows_it_for_the_therapist(app, world, sign_in, client, page):
    session = start_session(app, world.plan_id, world.linked_therapist)
    sign_in(world.linked_therapist)
    found = _marker(client, f"/plans/{world.plan_id}" + page.format(session=session))
    assert found and found.group(1) == str(world.plan_id)
    assert not found.group(2)  # let go only: not brought up to date in place


@pytest.mark.parametrize("page", PAGES[1:])
def test_the_clients_other_pages_open_no_stream(app, world, sign_in, client, page):
    session = start_session(app, world.plan_id, world.owner)
    sign_in(world.owner)
    assert _marker(client, f"/plans/{world.plan_id}" + page.format(session=session)) is None


def test_the_clients_own_crisis_view_is_live(app, world, sign_in, client):
    sign_in(world.owner)
    found = _marker(client, f"/plans/{world.plan_id}")
    assert found and found.group(2) == " data-plan-live"
