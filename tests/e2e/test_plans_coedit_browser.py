"""In real Chromium, a therapist and a client co-edit one plan in session: each sees the other's
changes without reloading, a simultaneous edit of one item tells both and keeps both texts, "bring
my text back" works, and a tab that was offline catches up and sends what it wrote."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from backend.accounts import care
from backend.accounts.services import create_user
from backend.db import session_scope
from safety_plans import ops, plans
from support.plans import add_op
from support.two_step import complete_in_browser

PASSWORD = "a calm walk by the river"


def _session_world(live_server):
    """Ingrid (client) linked to Dr Berg, with two items on her plan; returns (plan id, walk uuid)."""
    with live_server.app.test_request_context(), session_scope(live_server.app) as db:
        client = create_user(db, "ingrid.co@example.org", PASSWORD, display_name="Ingrid", country="NO")
        therapist = create_user(db, "berg.co@example.org", PASSWORD, role="therapist", display_name="Dr Berg")
        care.link(db, therapist.id, client.id)
        plan = plans.get_or_create_plan(db, client)
        walk, music = add_op("inner_coping", "Walk"), add_op("distraction", "Music")
        ops.apply_ops(db, plan, client, [walk, music])
        return plan.id, walk["item"], music["item"]


def _open_editor(page, url, email, plan_id):
    page.goto(url + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    complete_in_browser(page, email)
    page.goto(f"{url}/plans/{plan_id}/edit")


def _item(page, uuid):
    return page.locator(f'li[data-item="{uuid}"]')


def _edit_text(page, uuid, text, leave=True):
    item = _item(page, uuid)
    if not item.locator("details").evaluate("d => d.open"):
        item.locator("summary").click()
    field = item.locator('form[data-form="edit"] input[name="text"]')
    field.fill(text)
    if leave:
        field.press("Tab")
    return field


def test_two_people_co_edit_live_with_conflicts_and_offline_catch_up(live_server, new_page):
    plan_id, walk, music = _session_world(live_server)
    therapist = new_page(locale="en-GB")
    client = new_page(locale="en-GB")
    _open_editor(therapist, live_server.url, "berg.co@example.org", plan_id)
    _open_editor(client, live_server.url, "ingrid.co@example.org", plan_id)

    # Presence: each sees who else has the plan open.
    expect(therapist.get_by_text("Ingrid (client) is here too.")).to_be_visible()
    expect(client.get_by_text("Dr Berg (therapist) is here too.")).to_be_visible()

    # The client adds an item; it appears for the therapist without a reload, marked with who.
    section = client.locator("#reasons")
    section.get_by_label("Add your own").fill("My little sister")
    section.get_by_role("button", name=re.compile("^Add")).click()
    added = therapist.locator("#reasons li[data-item]")
    expect(added).to_contain_text("My little sister")
    expect(added).to_contain_text("Changed by Ingrid")

    # The therapist types in one item while the client changes another: the typing is not
    # interrupted, and the other item updates at once.
    typing = _edit_text(therapist, music, "Music with head", leave=False)
    _edit_text(client, walk, "Walk by the sea")
    expect(_item(therapist, walk).locator("summary")).to_contain_text("Walk by the sea")
    assert typing.evaluate("el => document.activeElement === el")  # the cursor stayed where it was
    expect(typing).to_have_value("Music with head")
    typing.press("Tab")
    expect(_item(client, music).locator("summary")).to_contain_text("Music with head")

    # Moves and removals travel too.
    client.locator("#inner_coping").get_by_role("button", name="+ Take a warm shower").click()
    expect(therapist.locator("#inner_coping li[data-item]")).to_have_count(2)
    therapist.locator("#inner_coping li[data-item]").nth(1).get_by_role("button", name=re.compile("Move up")).click()
    expect(client.locator("#inner_coping li[data-item]").first).to_contain_text("Take a warm shower")
    therapist.locator("#inner_coping li[data-item]").first.get_by_role("button", name=re.compile("^Remove")).click()
    expect(client.locator("#inner_coping li[data-item]")).to_have_count(1)

    # The client's laptop goes offline; both change the same item from the same version, and the
    # therapist adds something the client has not seen.
    client.context.set_offline(True)
    _edit_text(client, walk, "Walk by the sea at dawn")
    expect(_item(client, walk)).to_contain_text("Waiting to send")
    _edit_text(therapist, walk, "Walk in the park")
    therapist.locator("#support").get_by_label("Name or place").fill("Neighbour Per")
    therapist.locator("#support").get_by_role("button", name=re.compile("^Add")).click()
    expect(therapist.get_by_role("status").filter(has_text="Saved.")).to_have_count(1)

    # Back online: the outbox sends the client's edit, the later one wins, and both are told.
    client.context.set_offline(False)
    client.evaluate("window.dispatchEvent(new Event('online'))")
    expect(client.locator("#support")).to_contain_text("Neighbour Per")
    mine = _item(client, walk)
    expect(mine).not_to_contain_text("Waiting to send")
    expect(mine).to_contain_text("Your change replaced what Dr Berg wrote: “Walk in the park”.")
    theirs = _item(therapist, walk)
    expect(theirs).to_contain_text("Ingrid replaced what you wrote: “Walk in the park”.")
    expect(theirs.locator("summary")).to_contain_text("Walk by the sea at dawn")

    # "Get my text back" is one tap, and both texts stay in the history.
    theirs.get_by_role("button", name="Get my text back").click()
    expect(_item(client, walk).locator("summary")).to_contain_text("Walk in the park")
    client.goto(f"{live_server.url}/plans/{plan_id}/history?section=inner_coping")
    expect(client.get_by_text("Walk by the sea at dawn").first).to_be_visible()
    expect(client.get_by_text("Walk in the park").first).to_be_visible()
