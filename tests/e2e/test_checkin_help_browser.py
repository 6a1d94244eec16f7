"""In real Chromium on a phone (390 px): a client fills in the check-in at home with a very low mood
and gets the calm help block, its first call button on the first screen, without a page load (the
page's script sends the check-in); with the network off, the check-in waits in the outbox and the
block shows all the same. A middling answer takes it away again. Screenshots (390 and 1280 px) go
to $TRYGG_SHOTS27 (default /tmp/shots27) to be looked at."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from backend.accounts.services import find_user
from backend.db import session_scope
from safety_plans import ops
from safety_plans.models import Plan
from sessions import services
from sessions.models import TherapySession
from support.coedit import LAPTOP, PHONE, session_world, sign_in
from support.plans import add_op

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("TRYGG_SHOTS27", "/tmp/shots27"))
FIRST_SCREEN = PHONE["viewport"]["height"]


def shot(page, name, full=False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def _world(app):
    """Ingrid in Norway with two people on her plan (one with a phone), and an open session."""
    client_email, therapist_email, plan_id, _ = session_world(app, items=())
    with app.test_request_context(), session_scope(app) as db:
        plan, client = db.get(Plan, plan_id), find_user(db, client_email)
        ops.apply_ops(db, plan, client, [add_op("support", "Kari, søsteren min", phone="+47 999 88 777"),
                                         add_op("support", "Naboen Ola", phone="+47 400 11 222")])
        sid = services.create_session(db, plan, client).id
    return client_email, f"/plans/{plan_id}/sessions/{sid}", sid


def _mood_of(app, sid):
    with app.app_context(), session_scope(app) as db:
        return db.get(TherapySession, sid).mood


def _first_call_on_first_screen(page) -> dict:
    """The block's first call button: in view, on the first screen, a tel: link to her first person."""
    first = page.locator("#checkin-help a[href^='tel:']").first
    expect(first).to_be_in_viewport()
    box = first.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= FIRST_SCREEN, box
    return {"href": first.get_attribute("href"), "y": round(box["y"])}


def test_a_very_low_check_in_at_home_offers_help_on_the_first_screen(live_server, new_page):
    app, url = live_server.app, live_server.url
    client_email, session_path, sid = _world(app)
    phone = new_page(locale="nb-NO", **PHONE)
    sign_in(phone, url, client_email)
    phone.goto(f"{url}{session_path}?lang=nb")
    expect(phone.locator("#checkin-help")).to_be_hidden()
    expect(phone.locator("#checkin .not-watched")).to_contain_text("Ingen følger med på Trygg")
    shot(phone, "checkin-before-nb-390")

    phone.locator("label[for=mood-0]").click()
    phone.locator("label[for=unsafe-no]").click()
    phone.get_by_role("button", name="Lagre innsjekken").click()
    expect(phone.locator("[data-live-status]")).to_have_text("Lagret.")
    block = phone.locator("#checkin-help")
    expect(block).to_be_visible()
    expect(block.get_by_role("heading", name="Hvis du har det veldig vondt nå")).to_be_visible()
    first = _first_call_on_first_screen(phone)
    assert first["href"] == "tel:+4799988777", first
    expect(block.locator("a[href='tel:113']")).to_have_count(1)
    expect(block.get_by_role("link", name="Jeg trenger hjelp nå")).to_have_attribute("href", "/now")
    assert "#" not in phone.url  # the script sent it: no page load, no jump to an anchor
    assert _mood_of(app, sid) == 0
    print(f"\nonline: first call {first['href']} at y={first['y']} of {FIRST_SCREEN}")
    shot(phone, "checkin-help-nb-390")

    laptop = new_page(**LAPTOP)
    sign_in(laptop, url, client_email)
    laptop.goto(f"{url}{session_path}?lang=nb")
    expect(laptop.locator("#checkin-help")).to_be_visible()  # the saved answer: the block on the page
    laptop.locator("#checkin-help").scroll_into_view_if_needed()
    shot(laptop, "checkin-help-nb-1280")

    # A middling answer later: only "Saved.", the block goes.
    phone.locator("label[for=mood-5]").click()
    phone.get_by_role("button", name="Lagre innsjekken").click()
    expect(phone.locator("#checkin-help")).to_be_hidden()
    expect(phone.locator("[data-live-status]")).to_have_text("Lagret.")
    assert _mood_of(app, sid) == 5


def test_with_the_network_off_the_check_in_waits_and_the_block_shows(live_server, new_page):
    app, url = live_server.app, live_server.url
    client_email, session_path, sid = _world(app)
    phone = new_page(locale="sv-SE", **PHONE)
    new_page.expect_console(r"Failed to load resource|ERR_INTERNET_DISCONNECTED|EventSource")
    sign_in(phone, url, client_email)
    phone.goto(f"{url}{session_path}?lang=sv")
    expect(phone.get_by_role("heading", name="Incheckning")).to_be_visible()
    phone.context.set_offline(True)
    phone.locator("label[for=mood-7]").click()
    phone.locator("label[for=unsafe-yes]").click()  # "yes" alone is enough
    phone.get_by_role("button", name="Spara incheckningen").click()
    expect(phone.locator("[data-live-status]")).to_contain_text("Väntar på att skickas")
    block = phone.locator("#checkin-help")
    expect(block).to_be_visible()
    expect(block.get_by_role("heading", name="Om du har det väldigt svårt nu")).to_be_visible()
    first = _first_call_on_first_screen(phone)
    assert first["href"] == "tel:+4799988777", first
    expect(block.locator("a[href='tel:113']")).to_have_count(1)  # her plan is in Norway
    assert _mood_of(app, sid) is None  # nothing reached the server: the page decided by itself
    print(f"\noffline: first call {first['href']} at y={first['y']} of {FIRST_SCREEN}")
    shot(phone, "checkin-help-offline-sv-390")

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    for _ in range(100):  # up to ~20 s for the outbox to deliver
        if _mood_of(app, sid) == 7:
            break
        phone.wait_for_timeout(200)
    assert _mood_of(app, sid) == 7
    phone.wait_for_timeout(1000)  # the page hears of its own save and brings the server's page in
    expect(phone.locator("#checkin-help")).to_be_visible()  # the server agrees: still there


def test_without_script_the_page_after_the_plain_form_opens_on_the_block(live_server, new_page):
    app, url = live_server.app, live_server.url
    client_email, session_path, sid = _world(app)
    phone = new_page(locale="nb-NO", java_script_enabled=False, **PHONE)
    sign_in(phone, url, client_email)
    phone.goto(f"{url}{session_path}?lang=nb")
    phone.locator("#mood-1").check(force=True)  # the radio sits under its big label
    phone.get_by_role("button", name="Lagre innsjekken").click()
    phone.wait_for_url("**#checkin-help")
    expect(phone.locator("#checkin-help")).to_be_visible()
    first = _first_call_on_first_screen(phone)
    assert first["href"] == "tel:+4799988777" and _mood_of(app, sid) == 1
    print(f"\nplain form: first call {first['href']} at y={first['y']} of {FIRST_SCREEN}")
    shot(phone, "checkin-help-plain-form-nb-390")
