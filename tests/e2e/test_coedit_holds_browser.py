"""What a therapist and a client on a phone and a laptop broke in minutes, each as its own test in
real Chromium against a real server: the editor reloading itself, two screens that disagree after
a same-field race, a refused add that left a phantom and lost the text, a change waiting forever
after an outage, a therapist keeping a plan after access ended, saved words replaced with only a
"changed by" tag to the person who wrote them, notices left standing after they stopped being true,
and the smaller slips around them. Every test also fails if a page reloads itself unasked
(support.live.NAVIGATION_WATCH)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from backend.audit import AccessEvent
from backend.db import session_scope
from safety_plans import ops
from safety_plans.models import Commitment, Plan, PlanItem
from support.coedit import (
    LAPTOP,
    PHONE,
    edit_text,
    eventually,
    item,
    latest_change,
    open_editor,
    open_item,
    server_plan,
    session_world,
    shown,
    sign_in,
    wait_quiet,
)
from support.live import RestartableServer, asked_reload, wait_controlled, wait_for
from support.plans import add_op


@pytest.fixture
def server(tmp_path):
    """A server of this test's own that it may stop and start again."""
    running = RestartableServer(tmp_path)
    yield running
    running.close()


def _items(app, plan_id, section):
    with session_scope(app) as db:
        return [
            i.text
            for i in db.scalars(
                select(PlanItem)
                .where(PlanItem.plan_id == plan_id, PlanItem.section == section, PlanItem.deleted.is_(False))
                .order_by(PlanItem.position)
            )
        ]


def _assert_equal(a, b):
    assert a == b


def _main_frame_navigations(page) -> list[str]:
    counted: list[str] = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and counted.append(frame.url))
    return counted


def test_editor_and_commitments_never_reload_themselves_and_the_log_stays_calm(live_server, new_page):
    client_email, therapist_email, plan_id, _ = session_world(live_server.app)
    client = open_editor(new_page(**PHONE), live_server.url, client_email, plan_id)
    therapist = open_editor(new_page(**LAPTOP), live_server.url, therapist_email, plan_id)
    for page in (client, therapist):
        wait_controlled(page)  # the service worker is active, as on a real device
    commitments = new_page(**PHONE)
    sign_in(commitments, live_server.url, client_email)
    commitments.goto(f"{live_server.url}/plans/{plan_id}/commitments")
    wait_controlled(commitments)
    asked_reload(client)  # now served by the service worker from its saved copy
    wait_for(client, "window.TryggEditor !== undefined")
    navigations = [_main_frame_navigations(p) for p in (client, therapist, commitments)]
    client.wait_for_timeout(10000)
    assert navigations == [[], [], []]  # nothing moved by itself in 10 s
    with session_scope(live_server.app) as db:
        rows = list(db.scalars(select(AccessEvent).where(AccessEvent.action == "open",
                                                         AccessEvent.object_type == "plan")))
    assert len(rows) == 1 and rows[0].count <= 2  # one calm line for the therapist's visit


def test_same_field_race_ends_with_both_screens_showing_the_servers_text(live_server, new_page):
    client_email, therapist_email, plan_id, (walk, _) = session_world(live_server.app)
    client = new_page(**PHONE)
    client.clock.install()  # the client's typing pause is ours to end, so the race is the same every run
    open_editor(client, live_server.url, client_email, plan_id)
    therapist = open_editor(new_page(**LAPTOP), live_server.url, therapist_email, plan_id)
    expect(client.get_by_text("Dr Berg (therapist) is here too.")).to_be_visible()

    client.clock.pause_at(client.evaluate("Date.now()") + 1000)
    typing = edit_text(client, walk, "Walk by the sea", leave=False)  # autosaves after a pause
    edit_text(therapist, walk, "Walk in the park")  # saved while the client is still typing
    eventually(lambda: _assert_equal(_items(live_server.app, plan_id, "inner_coping"), ["Walk in the park"]))
    expect(item(client, walk)).to_contain_text("Dr Berg changed this item while you were writing.")
    client.clock.run_for(1000)  # the client's autosave: it lands second, so the client's text wins
    client.clock.resume()
    mine = item(client, walk)
    expect(mine).to_contain_text("Your change replaced what Dr Berg wrote: “Walk in the park”.")
    open_item(client, walk).get_by_role("button", name="Save").click()

    def agree():
        assert _items(live_server.app, plan_id, "inner_coping") == ["Walk by the sea"]
        assert typing.input_value() == "Walk by the sea"
        expect(mine.locator("summary")).to_contain_text("Walk by the sea")
        expect(item(therapist, walk).locator("summary")).to_contain_text("Walk by the sea")

    eventually(agree)
    expect(mine.locator(".co-notice")).to_have_count(1)  # one notice per conflict, not two
    theirs = item(therapist, walk)
    expect(theirs.locator(".co-notice")).to_have_count(1)

    # Bringing the other text back settles it: the notices go on both screens.
    mine.get_by_role("button", name="Bring Dr Berg’s text back").click()
    expect(theirs.locator("summary")).to_contain_text("Walk in the park")
    expect(mine.locator(".co-notice")).to_have_count(0)
    expect(theirs.locator(".co-notice")).to_have_count(0)
    wait_quiet(client)
    wait_quiet(therapist)
    assert shown(client)["sections"]["inner_coping"][0]["text"] == "Walk in the park"
    assert shown(therapist) == shown(client) == server_plan(live_server.app, plan_id)


# Whose words are replaced, how they were saved, and how the other person replaced them.
REPLACED = {
    "client autosave over therapist Save": ("therapist", "save", "autosave"),
    "therapist autosave over client Save": ("client", "save", "autosave"),
    "client Save over therapist autosave": ("therapist", "autosave", "save"),
    "therapist Save over client autosave": ("client", "autosave", "save"),
}
NAMES = {"client": "Ingrid", "therapist": "Dr Berg"}


@pytest.mark.parametrize(("writer", "saved", "replaced"), REPLACED.values(), ids=list(REPLACED))
def test_whoever_s_saved_words_are_replaced_is_told_and_gets_them_back(live_server, new_page, writer, saved, replaced):
    client_email, therapist_email, plan_id, (walk, _) = session_world(live_server.app)
    pages = {
        "client": open_editor(new_page(**PHONE), live_server.url, client_email, plan_id),
        "therapist": open_editor(new_page(**LAPTOP), live_server.url, therapist_email, plan_id),
    }
    other = "client" if writer == "therapist" else "therapist"
    mine, theirs = pages[writer], pages[other]
    for page in (mine, theirs):
        expect(page.locator("[data-presence]")).to_be_visible()  # both on the live stream

    def save(page, how, text):
        """Save a text with Enter, or type it and let the editor save it after the pause (the
        cursor stays in the field, as when someone pauses)."""
        field = edit_text(page, walk, text, leave=how == "save")
        eventually(lambda: _assert_equal(_items(live_server.app, plan_id, "inner_coping"), [text]))
        return field

    typing = save(mine, saved, "Walk in the park")
    expect(item(theirs, walk).locator("summary")).to_contain_text("Walk in the park")  # on their screen
    save(theirs, replaced, "Walk by the sea")
    told = item(mine, walk).locator(".co-notice").filter(
        has_text=f"{NAMES[other]} replaced what you wrote: “Walk in the park”."
    )
    aware = item(theirs, walk).locator(".co-notice").filter(
        has_text=f"Your change replaced what {NAMES[writer]} wrote: “Walk in the park”."
    )
    expect(told).to_be_visible()
    expect(aware.get_by_role("button", name=f"Bring {NAMES[writer]}’s text back")).to_be_visible()

    # Their next words change nothing of that: the replaced words are still gone.
    save(theirs, replaced, "Walk by the sea at dawn")
    if saved == "autosave":
        # Still in the field: the words under the cursor stay theirs until they leave it.
        expect(item(mine, walk)).to_contain_text(f"{NAMES[other]} changed this item while you were writing.")
        expect(typing).to_have_value("Walk in the park")
    else:
        expect(item(mine, walk).locator("summary")).to_contain_text("Walk by the sea at dawn")
    expect(told).to_be_visible()
    expect(aware).to_be_visible()

    told.get_by_role("button", name="Get my text back").click()
    if replaced == "autosave":
        theirs.evaluate("document.activeElement.blur()")  # they look up from typing
    for page in (mine, theirs):
        expect(item(page, walk).locator("summary")).to_contain_text("Walk in the park")
    eventually(lambda: _assert_equal(latest_change(live_server.app, plan_id), ("edit", writer, "Walk in the park")))
    expect(told).to_have_count(0)
    expect(aware).to_have_count(0)  # past: the field holds the words it offered back
    # And now it is the other person whose just-saved words went: they are told the same way.
    expect(item(theirs, walk).locator(".co-notice").filter(
        has_text=f"{NAMES[writer]} replaced what you wrote: “Walk by the sea at dawn”."
    ).get_by_role("button", name="Get my text back")).to_be_visible()
    for page in (mine, theirs):
        wait_quiet(page)
    assert shown(mine) == shown(theirs) == server_plan(live_server.app, plan_id)


def test_words_under_the_cursor_stay_before_the_first_key(live_server, new_page):
    """The client clicks into a field to add to it; the therapist's save landed before the first
    key and replaced the words under the cursor, so the client's words went onto the therapist's."""
    client_email, therapist_email, plan_id, (walk, _) = session_world(live_server.app)
    client = open_editor(new_page(**PHONE), live_server.url, client_email, plan_id)
    therapist = open_editor(new_page(**LAPTOP), live_server.url, therapist_email, plan_id)
    expect(client.locator("[data-presence]")).to_be_visible()
    field = open_item(client, walk).locator('form[data-form="edit"] input[name="text"]')
    field.click()
    field.press("End")  # the cursor after "Walk", nothing typed yet
    edit_text(therapist, walk, "Walk in the park")
    expect(item(client, walk)).to_contain_text("Dr Berg changed this item while you were writing.")
    expect(field).to_have_value("Walk")
    field.press_sequentially(" by the sea")
    field.press("Enter")
    eventually(lambda: _assert_equal(_items(live_server.app, plan_id, "inner_coping"), ["Walk by the sea"]))
    expect(item(therapist, walk).locator("summary")).to_contain_text("Walk by the sea")
    expect(item(therapist, walk)).to_contain_text("Ingrid replaced what you wrote: “Walk in the park”.")
    wait_quiet(client)
    assert shown(client) == shown(therapist) == server_plan(live_server.app, plan_id)


def test_an_undo_goes_once_the_other_screen_brings_the_item_back(live_server, new_page):
    client_email, therapist_email, plan_id, (_, music) = session_world(live_server.app)
    client = open_editor(new_page(**PHONE), live_server.url, client_email, plan_id)
    therapist = open_editor(new_page(**LAPTOP), live_server.url, therapist_email, plan_id)
    item(client, music).get_by_role("button", name=re.compile("^Remove")).click()
    undo = client.locator("li[data-undo]")
    expect(undo).to_contain_text("Removed: “Music”.")
    therapist.locator("#removed").get_by_role("button", name=re.compile("^Restore")).click()
    expect(item(client, music)).to_be_visible()
    expect(undo).to_have_count(0, timeout=5000)  # the item is back: "Removed … Restore" is past
    wait_quiet(client)
    assert shown(client) == server_plan(live_server.app, plan_id)


def test_a_change_right_after_ours_shows_even_when_our_answer_comes_late(live_server, new_page):
    """The therapist's save reaches the server, its answer comes late; the client's change comes
    after it and reaches the therapist's screen first. It used to be skipped for good (the field
    was waiting for that answer), leaving the therapist looking at their own replaced words."""
    client_email, therapist_email, plan_id, (walk, _) = session_world(live_server.app)
    client = open_editor(new_page(**PHONE), live_server.url, client_email, plan_id)
    therapist = open_editor(new_page(**LAPTOP), live_server.url, therapist_email, plan_id)
    expect(therapist.locator("[data-presence]")).to_be_visible()
    held = []  # the therapist's writes: sent to the server at once, answered when the test says
    holding = [True]

    def answer_late(route):
        if route.request.method == "POST" and holding:
            held.append((route, route.fetch()))
        else:
            route.continue_()

    therapist.route("**/api/v1/plans/*/changes*", answer_late)
    edit_text(therapist, walk, "Walk in the park")
    for _ in range(100):
        if held:
            break
        therapist.wait_for_timeout(100)
    assert _items(live_server.app, plan_id, "inner_coping") == ["Walk in the park"]  # saved, not answered
    edit_text(client, walk, "Walk by the sea")
    eventually(lambda: _assert_equal(_items(live_server.app, plan_id, "inner_coping"), ["Walk by the sea"]))
    wait_for(therapist, "window.TryggEditor.revision() >= 4")  # both changes arrived before the answer
    holding.clear()
    for route, response in held:
        route.fulfill(response=response)
    expect(item(therapist, walk).locator("summary")).to_contain_text("Walk by the sea")
    wait_quiet(therapist)
    assert shown(therapist) == shown(client) == server_plan(live_server.app, plan_id)


def test_a_refused_add_leaves_no_phantom_and_keeps_the_words(live_server, new_page):
    client_email, _, plan_id, _ = session_world(live_server.app)
    page = open_editor(new_page(**PHONE), live_server.url, client_email, plan_id)
    support = page.locator("#support")
    support.get_by_label("Name or place").fill("Sister Kari")
    support.get_by_label("Phone (optional)").fill("ring-meg-123")
    support.get_by_role("button", name=re.compile("^Add")).click()
    expect(support.get_by_text("A phone number may only have digits, spaces, + - and brackets.")).to_be_visible()
    expect(support.locator("li[data-item]")).to_have_count(0)
    expect(support.get_by_label("Name or place")).to_have_value("Sister Kari")
    expect(support.get_by_label("Phone (optional)")).to_have_value("ring-meg-123")
    asked_reload(page)
    expect(page.locator("#support li[data-item]")).to_have_count(0)


def test_an_add_the_server_refuses_later_is_rolled_back_into_the_form(live_server, new_page):
    client_email, _, plan_id, _ = session_world(live_server.app, [("reasons", f"Reason {n}") for n in range(50)])
    new_page.expect_console("status of 422|ERR_INTERNET_DISCONNECTED")
    page = open_editor(new_page(**PHONE), live_server.url, client_email, plan_id)
    reasons = page.locator("#reasons")
    page.context.set_offline(True)
    reasons.get_by_label("Add your own").fill("My cat")
    reasons.get_by_role("button", name=re.compile("^Add")).click()
    expect(reasons.locator("li[data-item]").last).to_contain_text("Waiting to send")
    page.context.set_offline(False)
    expect(reasons.get_by_text("This section is full. Please remove something first.")).to_be_visible()
    expect(reasons.locator("li[data-item]")).to_have_count(50)  # no phantom
    expect(reasons.get_by_label("Add your own")).to_have_value("My cat")  # the words are back
    assert len(_items(live_server.app, plan_id, "reasons")) == 50
    wait_for(page, "self.TryggOutbox.all().then(a => a.length === 0)")  # shown, so not kept twice


def test_a_change_queued_during_an_outage_arrives_by_itself(server, new_page):
    client_email, _, plan_id, _ = session_world(server.app)
    new_page.expect_console("ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET|ERR_SOCKET_NOT_CONNECTED")
    page = open_editor(new_page(**PHONE), server.url, client_email, plan_id)
    server.stop()  # the server is gone; the phone still thinks it is online
    support = page.locator("#support")
    support.get_by_label("Name or place").fill("Neighbour Per")
    support.get_by_role("button", name=re.compile("^Add")).click()
    expect(support.locator("li[data-item]")).to_contain_text("Waiting to send")
    server.start()  # nobody touches the page
    expect(support.locator("li[data-item]")).not_to_contain_text("Waiting to send", timeout=20000)
    assert _items(server.app, plan_id, "support") == ["Neighbour Per"]


def test_a_therapist_whose_access_ends_lets_go_of_the_plan_everywhere(live_server, new_page):
    client_email, therapist_email, plan_id, _ = session_world(live_server.app)
    new_page.expect_console("status of 404")  # the therapist's last look at the plan
    therapist = open_editor(new_page(**LAPTOP), live_server.url, therapist_email, plan_id)
    wait_controlled(therapist)
    therapist.goto(f"{live_server.url}/plans/{plan_id}")
    therapist.goto(f"{live_server.url}/plans/{plan_id}/edit")
    wait_for(therapist, "window.TryggEditor !== undefined")
    # A therapist's device keeps no client's plan.
    saved = (
        "caches.keys().then(ns => Promise.all(ns.map(n => caches.open(n).then(c => c.keys()))))"
        ".then(all => all.flat().map(r => new URL(r.url).pathname).filter(p => p.startsWith('/plans/')))"
    )
    assert therapist.evaluate(saved) == []

    client = new_page(**PHONE)
    sign_in(client, live_server.url, client_email)
    client.goto(f"{live_server.url}/care")
    client.get_by_role("button", name=re.compile(r"^End access\s*:\s*Dr Berg")).click()
    expect(client.get_by_text("Done. That therapist can no longer see your plan.")).to_be_visible()

    expect(therapist.get_by_text("You no longer have access to this plan.")).to_be_visible(timeout=10000)
    expect(therapist.locator("li[data-item]")).to_have_count(0)
    assert therapist.evaluate(saved) == []
    assert therapist.goto(f"{live_server.url}/plans/{plan_id}").status == 404


def test_the_small_slips_stay_fixed(live_server, new_page):
    client_email, therapist_email, plan_id, (walk, music) = session_world(live_server.app)
    page = open_editor(new_page(**PHONE), live_server.url, client_email, plan_id)
    # Alone: no "Also here" pill; the first item has no ↑ and the last no ↓ to tap.
    expect(page.locator("[data-presence]")).to_be_hidden()
    expect(item(page, walk).get_by_role("button", name=re.compile("Move up"))).to_be_hidden()

    reasons = page.locator("#reasons")
    add = reasons.get_by_role("button", name=re.compile("^Add"))
    add.click()  # empty: told next to the field, not only to a screen reader
    expect(reasons.get_by_text("Please write something first.")).to_be_visible()

    long_text = "x" * 510
    reasons.get_by_label("Add your own").fill(long_text)
    expect(reasons.get_by_text("10 characters too many")).to_be_visible()
    expect(reasons.get_by_label("Add your own")).to_have_value(long_text)  # nothing cut off
    add.click()
    expect(reasons.get_by_text("Please keep this to 500 characters.")).to_be_visible()
    expect(reasons.locator("li[data-item]")).to_have_count(0)

    reasons.get_by_label("Add your own").fill("My garden")
    add.dblclick()  # a double tap adds once
    expect(reasons.locator("li[data-item]")).to_have_count(1)
    wait_quiet(page)
    assert _items(live_server.app, plan_id, "reasons") == ["My garden"]

    # Back after leaving, then Add again: no duplicate, no false error.
    page.get_by_role("link", name="See the plan as you would use it").click()
    page.go_back()
    wait_for(page, "window.TryggEditor !== undefined")
    expect(page.locator("#reasons").get_by_label("Add your own")).to_have_value("")
    wait_quiet(page)
    assert _items(live_server.app, plan_id, "reasons") == ["My garden"]

    # A removal on one screen shows in the other's removed list at once, and can be undone there.
    therapist = open_editor(new_page(**LAPTOP), live_server.url, therapist_email, plan_id)
    item(therapist, music).get_by_role("button", name=re.compile("^Remove")).click()
    removed = page.locator("#removed")
    expect(removed).to_be_visible()
    expect(removed).to_contain_text("Music")
    removed.get_by_role("button", name=re.compile("^Restore")).click()
    expect(therapist.locator("#distraction li[data-item]:visible")).to_contain_text("Music")
    expect(removed).to_be_hidden()


def test_a_double_clicked_commitment_is_saved_once_without_an_error(live_server, new_page):
    client_email, _, plan_id, _ = session_world(live_server.app)
    page = new_page(**PHONE)
    sign_in(page, live_server.url, client_email)
    page.goto(f"{live_server.url}/plans/{plan_id}/commitments")
    page.get_by_label("What I will do").fill("Walk on Sunday")
    page.get_by_role("button", name="Save commitment").dblclick()
    expect(page.get_by_text("Commitment saved.")).to_be_visible()
    expect(page.locator(".error, .error-summary")).to_have_count(0)
    with session_scope(live_server.app) as db:
        assert db.scalar(select(Commitment.id).where(Commitment.text == "Walk on Sunday")) is not None
        assert len(list(db.scalars(select(Commitment).where(Commitment.text == "Walk on Sunday")))) == 1


def test_server_answers_its_versions_not_its_html(live_server, new_page):
    """Two renders of the same plan state one version (ETag, 304); a change states a new one."""
    client_email, _, plan_id, _ = session_world(live_server.app)
    page = new_page()
    sign_in(page, live_server.url, client_email)
    first = page.request.get(f"{live_server.url}/plans/{plan_id}/edit")
    second = page.request.get(f"{live_server.url}/plans/{plan_id}/edit")
    assert first.headers["etag"] == second.headers["etag"] and first.text() != second.text()
    again = page.request.get(
        f"{live_server.url}/plans/{plan_id}/edit", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status == 304
    with live_server.app.test_request_context(), session_scope(live_server.app) as db:
        plan = db.get(Plan, plan_id)
        ops.apply_ops(db, plan, plan.owner, [add_op("reasons", "Spring")])
    changed = page.request.get(
        f"{live_server.url}/plans/{plan_id}/edit", headers={"If-None-Match": first.headers["etag"]}
    )
    assert changed.status == 200 and changed.headers["etag"] != first.headers["etag"]
