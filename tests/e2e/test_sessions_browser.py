"""In real Chromium, a whole session on two devices: the client on a phone (390 px) checks in,
the therapist on a laptop (1280 px) sees it arrive live, presses "we reviewed the plan together",
writes the check-out with a new commitment, the client gives feedback, and both read the summary.
Then the therapist's workspace shows the feedback trend across three sessions and the gentle
prompt. Screenshots go to $TRYGG_SHOTS (default /tmp/trygg-shots) to be looked at."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from backend.accounts.services import find_user
from backend.db import session_scope
from safety_plans import commitments
from safety_plans.models import Plan
from sessions import services
from support.coedit import LAPTOP, PHONE, session_world, sign_in

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("TRYGG_SHOTS", "/tmp/trygg-shots"))


def shot(page, name, at=None):
    """A full-page screenshot; or, with `at`, the screen as a person sees it there."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    if at:
        page.locator(at).first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=not at)


def test_a_whole_session_on_two_devices(live_server, new_page):
    app, url = live_server.app, live_server.url
    client_email, therapist_email, plan_id, _items = session_world(app)
    with app.test_request_context(), session_scope(app) as db:
        plan = db.get(Plan, plan_id)
        commitments.add_commitment(db, plan, find_user(db, therapist_email), "Call Kari on Sunday")
    laptop, phone = new_page(**LAPTOP), new_page(**PHONE)
    sign_in(laptop, url, therapist_email)
    sign_in(phone, url, client_email)

    laptop.goto(f"{url}/plans/{plan_id}/sessions")
    laptop.get_by_role("button", name="Start a session").click()
    expect(laptop.locator("[data-session]")).to_be_visible()
    session_url = laptop.url.split("#")[0]
    phone.goto(f"{url}/plans/{plan_id}/sessions")
    phone.locator(".ss-list a").first.click()
    expect(phone.get_by_text("You can fill this in at home before the session.")).to_be_visible()
    laptop.wait_for_timeout(500)  # both live streams open

    # Check-in on the phone; it appears on the laptop without a reload.
    phone.locator("label[for=mood-6]").click()
    phone.get_by_label("Good coping I used since last time").fill("I walked by the river every day")
    phone.locator("label[for=unsafe-no]").click()
    phone.locator("[data-commitment] label", has_text="Partly").click()
    shot(phone, "session-checkin-phone-390")
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.locator("[data-live-status]")).to_have_text("Saved.")
    expect(laptop.locator("#mood-6")).to_be_checked()
    expect(laptop.get_by_label("Good coping I used since last time")).to_have_value("I walked by the river every day")
    expect(laptop.locator("#unsafe-no")).to_be_checked()
    shot(laptop, "session-checkin-seen-laptop-1280")

    # Plan review: the co-editor is right here, live on both devices.
    laptop_review, phone_review = laptop.locator("#review"), phone.locator("#review")
    expect(laptop.locator("#coedit")).to_be_visible()  # the live editor started inside the session
    add = laptop_review.locator('form[data-form="add"]', has=laptop.locator('input[value="support"]'))
    add.get_by_label("Name or place").fill("Aunt Liv")
    add.get_by_label("Phone (optional)").fill("+47 400 00 000")
    add.get_by_role("button", name="Add").click()
    expect(phone_review.locator('#support li[data-item]', has_text="Aunt Liv")).to_be_visible()
    phone_add = phone_review.locator('form[data-form="add"]', has=phone.locator('input[value="warning_signs"]'))
    phone_add.get_by_label("Add your own").fill("I sleep less than five hours")
    phone_add.get_by_role("button", name="Add").click()
    new_sign = laptop_review.locator("#warning_signs li[data-item]", has_text="I sleep less than five hours")
    expect(new_sign).to_be_visible()
    expect(phone.get_by_label("Good coping I used since last time")).to_have_value("I walked by the river every day")
    shot(phone, "session-review-phone-390", at="#h-review")
    laptop.evaluate("window.scrollTo(0, 0)")
    shot(laptop, "session-review-laptop-1280", at="h1")
    # On a laptop the plan sits beside the steps; on a phone, below the check-in.
    review_box, checkin_box = laptop_review.bounding_box(), laptop.locator("#checkin").bounding_box()
    assert review_box["x"] > checkin_box["x"] + checkin_box["width"] and review_box["y"] < checkin_box["y"] + 200
    assert phone_review.bounding_box()["y"] > phone.locator("#checkin").bounding_box()["y"]

    # "We reviewed it together" on the laptop; the phone hears of it.
    laptop.get_by_role("button", name="We reviewed the plan together today").click()
    expect(phone.locator('[data-show="reviewed"]')).to_contain_text("Reviewed together on")

    # Check-out with a new commitment on the laptop.
    laptop.get_by_label("What I take with me").fill("Slow down when the evening gets heavy")
    laptop.get_by_label("A new commitment (optional)").fill("Text Kari on Friday")
    laptop.get_by_role("button", name="Save check-out").click()
    expect(phone.locator('[data-show="made"]')).to_contain_text("Text Kari on Friday")
    expect(phone.get_by_label("What I take with me")).to_have_value("Slow down when the evening gets heavy")

    # The client's feedback; the therapist sees it and has no form for it.
    expect(phone.get_by_text("Your therapist reads this.")).to_be_visible()
    for name, value in (("fb_heard", 9), ("fb_wanted", 8), ("fb_fit", 8), ("fb_overall", 9), ("hope", 7)):
        phone.locator(f"label[for={name}-{value}]").click()
    phone.get_by_role("button", name="Send feedback").click()
    expect(laptop.locator('[data-show="fb_heard"]')).to_have_text("9")
    expect(laptop.locator('[data-show="hope"]')).to_have_text("7")
    assert laptop.locator('input[name="fb_heard"]').count() == 0
    shot(phone, "session-feedback-phone-390")
    shot(laptop, "session-laptop-1280")

    # Finish; both read the summary.
    laptop.get_by_role("button", name="Finish the session and show the summary").click()
    expect(laptop.get_by_role("heading", level=1)).to_contain_text("Summary")
    phone.goto(session_url.replace(url, url) + "/summary")
    for page in (laptop, phone):
        expect(page.get_by_text("Slow down when the evening gets heavy")).to_be_visible()
        expect(page.get_by_text("Text Kari on Friday")).to_be_visible()
        expect(page.get_by_text("Call Kari on Sunday")).to_be_visible()
        expect(page.get_by_text("6 of 10")).to_be_visible()
    shot(phone, "session-summary-phone-390")
    shot(laptop, "session-summary-laptop-1280")


def test_the_workspace_shows_the_trend_across_three_sessions_and_a_gentle_prompt(live_server, new_page):
    app, url = live_server.app, live_server.url
    client_email, therapist_email, plan_id, _items = session_world(app)
    with app.test_request_context(), session_scope(app) as db:
        plan, client = db.get(Plan, plan_id), find_user(db, client_email)
        for items, hope in (((9, 9, 8, 9), 5), ((9, 8, 9, 9), 6), ((6, 7, 5, 6), 6)):
            found = services.create_session(db, plan, client)
            db.flush()
            fields = dict(zip(("fb_heard", "fb_wanted", "fb_fit", "fb_overall"), items, strict=True))
            services.save(db, plan, found, client, {"base_version": 1, "fields": {**fields, "hope": hope, "mood": 5}},
                          plan.created_at.date())
    laptop = new_page(**LAPTOP)
    sign_in(laptop, url, therapist_email)
    laptop.goto(f"{url}/clients")
    row = laptop.locator("tr", has_text="Ingrid").first
    expect(row.locator("svg.ss-trend circle")).to_have_count(3)
    expect(row.locator("svg.ss-trend")).to_have_attribute(
        "aria-label", "Feedback over the last sessions, out of 10: 8.8, 8.8, 6. Hope: 5, 6, 6.")
    expect(laptop.get_by_role("heading", name="Worth a word next time")).to_be_visible()
    expect(row).to_contain_text("Ingrid's feedback dropped — worth asking about next time.")
    assert laptop.locator("tbody tr").first.evaluate("e => getComputedStyle(e).display") == "table-row"
    shot(laptop, "workspace-laptop-1280")
    phone = new_page(locale="nb-NO", color_scheme="dark", **PHONE)
    sign_in(phone, url, therapist_email)
    phone.goto(f"{url}/clients?lang=nb")
    expect(phone.get_by_role("heading", name="Mine klienter")).to_be_visible()
    prompt = "Tilbakemeldingen fra Ingrid gikk ned — verdt å spørre om neste gang."
    expect(phone.get_by_text(prompt).first).to_be_visible()
    expect(phone.locator("tr", has_text="Ingrid").first.locator("svg.ss-trend circle")).to_have_count(3)
    assert phone.locator("tbody tr").first.evaluate("e => getComputedStyle(e).display") == "block"  # cards
    shot(phone, "workspace-phone-390-nb-dark")


def test_a_check_in_made_offline_arrives_once_the_phone_is_back_online(live_server, new_page):
    app, url = live_server.app, live_server.url
    client_email, therapist_email, plan_id, _items = session_world(app)
    with app.test_request_context(), session_scope(app) as db:
        sid = services.create_session(db, db.get(Plan, plan_id), find_user(db, therapist_email)).id
    laptop, phone = new_page(**LAPTOP), new_page(locale="sv-SE", **PHONE)
    new_page.expect_console(r"Failed to load resource|ERR_INTERNET_DISCONNECTED|EventSource")
    sign_in(laptop, url, therapist_email)
    sign_in(phone, url, client_email)
    page_url = f"{url}/plans/{plan_id}/sessions/{sid}"
    laptop.goto(page_url)
    phone.goto(page_url + "?lang=sv")
    expect(phone.get_by_role("heading", name="Incheckning")).to_be_visible()
    phone.context.set_offline(True)
    phone.locator("label[for=mood-4]").click()
    phone.get_by_label("Bra sätt att hantera saker som jag har använt sedan sist").fill("Jag ringde min syster")
    phone.get_by_role("button", name="Spara incheckningen").click()
    expect(phone.locator("[data-live-status]")).to_contain_text("Väntar på att skickas")
    shot(phone, "session-offline-sv-phone-390")
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(laptop.get_by_label("Good coping I used since last time")).to_have_value("Jag ringde min syster",
                                                                                   timeout=20_000)
    expect(laptop.locator("#mood-4")).to_be_checked()
    with app.app_context(), session_scope(app) as db:
        from sessions.models import SessionChange

        assert db.query(SessionChange).filter_by(session_id=sid).count() == 2  # started, then one save


def test_two_people_writing_the_same_answer_lose_nothing(live_server, new_page):
    app, url = live_server.app, live_server.url
    client_email, therapist_email, plan_id, _items = session_world(app)
    with app.test_request_context(), session_scope(app) as db:
        sid = services.create_session(db, db.get(Plan, plan_id), find_user(db, therapist_email)).id
    laptop, phone = new_page(**LAPTOP), new_page(**PHONE)
    new_page.expect_console(r"status of 409")
    sign_in(laptop, url, therapist_email)
    sign_in(phone, url, client_email)
    page_url = f"{url}/plans/{plan_id}/sessions/{sid}"
    laptop.goto(page_url)
    phone.goto(page_url)
    laptop.get_by_label("What I take with me").fill("Therapist's words")  # typing, not saved yet
    phone.get_by_label("What I take with me").fill("Client's words")
    phone.get_by_role("button", name="Save check-out").click()
    expect(phone.locator("[data-live-status]")).to_have_text("Saved.")
    laptop.wait_for_timeout(1000)  # the live change arrives; the laptop's typed words stay
    expect(laptop.get_by_label("What I take with me")).to_have_value("Therapist's words")
    laptop.get_by_role("button", name="Save check-out").click()
    expect(laptop.locator("#checkout [data-problem]")).to_contain_text("Ingrid saved this part of the session")
    expect(laptop.locator("#checkout [data-problem]")).to_contain_text("What is saved now: Client's words")
    expect(laptop.get_by_label("What I take with me")).to_have_value("Therapist's words")
    shot(laptop, "session-stale-laptop-1280")
    laptop.get_by_role("button", name="Save check-out").click()  # having seen it, save again
    expect(laptop.locator("[data-live-status]")).to_have_text("Saved.")
    expect(phone.get_by_label("What I take with me")).to_have_value("Therapist's words")
    with app.app_context(), session_scope(app) as db:
        from sessions.models import SessionChange

        texts = [c.after.get("takeaway") for c in db.query(SessionChange).filter_by(session_id=sid)]
        assert "Client's words" in texts and "Therapist's words" in texts  # both kept in the history
