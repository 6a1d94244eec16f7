"""Removals that meet an edit from the other screen, in real Chromium against a real server. Both
were found by the convergence run (test_coedit_convergence.py) under load, where the order in which
a page hears its own answer and the other person's change varies; here the order is fixed by
holding one request back, so each case happens every run.

- A removal the server keeps (the other person changed the item meanwhile) must not make the
  remover's page think it has the other person's words: it shows them once the feed brings them.
- An edit waiting to be sent while the other person removes the item brings the item back, and
  the person who only saved (their cursor no longer in a field) gets no "removed while you were
  writing" notice that nothing will ever take away.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from backend.db import session_scope
from safety_plans.models import Plan
from support.coedit import (
    LAPTOP,
    PHONE,
    edit_text,
    eventually,
    item,
    open_editor,
    server_plan,
    session_world,
    shown,
    wait_quiet,
)
from support.live import wait_for

KEPT = "Someone changed this item after you opened the page, so it was kept."


def _is_feed(url: str) -> bool:
    return "/changes?since=" in url


def _is_post_of_changes(url: str) -> bool:
    return url.endswith("/changes")


def _server_text(app, plan_id, uuid):
    items = [i for group in server_plan(app, plan_id)["sections"].values() for i in group if i["uuid"] == uuid]
    return items[0]["text"] if items else None


def _all_agree(app, plan_id, *pages):
    for page in pages:
        wait_quiet(page)
    expected = server_plan(app, plan_id)
    for page in pages:
        assert shown(page) == expected


def test_a_kept_removal_shows_the_other_persons_words_once_they_arrive(live_server, new_page):
    client_email, therapist_email, plan_id, (walk, _) = session_world(live_server.app)
    new_page.expect_console("ERR_FAILED")  # the phone's feed is held back for a moment
    phone = open_editor(new_page(**PHONE), live_server.url, client_email, plan_id)
    laptop = open_editor(new_page(**LAPTOP), live_server.url, therapist_email, plan_id)

    # The phone hears of changes late (a slow network): its feed fails until we let it through.
    phone.route(_is_feed, lambda route: route.abort())
    edit_text(laptop, walk, "Walk in the park")
    eventually(lambda: _assert(_server_text(live_server.app, plan_id, walk) == "Walk in the park"))

    # The phone removes the item it still shows as "Walk": the server keeps it (it changed since).
    item(phone, walk).get_by_role("button", name=re.compile("^Remove")).click()
    expect(item(phone, walk)).to_contain_text(KEPT)
    expect(item(phone, walk).locator("summary")).to_contain_text("Walk")
    expect(phone.get_by_text("Removed: “Walk”.")).to_have_count(0)  # it was not removed

    # The feed gets through (the client comes back to the app): the therapist's words appear.
    phone.unroute(_is_feed)
    phone.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(item(phone, walk).locator("summary")).to_contain_text("Walk in the park")
    expect(item(phone, walk).locator("input[name='text']")).to_have_value("Walk in the park")
    _all_agree(live_server.app, plan_id, phone, laptop)


def test_a_saved_edit_brings_back_an_item_removed_meanwhile_without_a_stale_notice(live_server, new_page):
    client_email, therapist_email, plan_id, (walk, _) = session_world(live_server.app)
    new_page.expect_console("ERR_INTERNET_DISCONNECTED")
    phone = open_editor(new_page(**PHONE), live_server.url, client_email, plan_id)
    laptop = open_editor(new_page(**LAPTOP), live_server.url, therapist_email, plan_id)

    # The therapist saves an edit with the network gone: it waits on the laptop.
    laptop.context.set_offline(True)
    edit_text(laptop, walk, "Walk with Mum")
    expect(item(laptop, walk)).to_contain_text("Waiting to send")

    # Meanwhile the client removes the item.
    item(phone, walk).get_by_role("button", name=re.compile("^Remove")).click()
    eventually(lambda: _assert(_server_text(live_server.app, plan_id, walk) is None))
    removed_at = _revision(live_server.app, plan_id)

    # The network comes back; the laptop hears of the removal before its edit is answered.
    held = []
    laptop.context.route(_is_post_of_changes,
                         lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    laptop.context.set_offline(False)
    wait_for(laptop, f"window.TryggEditor.revision() >= {removed_at}", 20)
    expect(item(laptop, walk)).to_be_visible()  # the edit on its way will bring it back
    for route in held:
        route.continue_()
    laptop.context.unroute(_is_post_of_changes)

    eventually(lambda: _assert(_server_text(live_server.app, plan_id, walk) == "Walk with Mum"))
    _all_agree(live_server.app, plan_id, phone, laptop)
    expect(item(laptop, walk).locator(".co-notice[data-kind='typing']")).to_have_count(0)
    expect(item(phone, walk).locator("summary")).to_contain_text("Walk with Mum")


def _revision(app, plan_id) -> int:
    with session_scope(app) as db:
        return db.get(Plan, plan_id).revision


def _assert(condition):
    assert condition
