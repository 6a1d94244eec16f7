"""In real Chromium: the guided player offline, the pacer, keyboard use, and the page without JS."""

from __future__ import annotations

import itertools

from playwright.sync_api import expect

from backend.accounts.services import create_user
from backend.db import session_scope

PASSWORD = "a calm walk by the river"
_numbers = itertools.count()


def signed_in_page(live_server, new_page, **options):
    """A fresh client account, signed in in a fresh browser context."""
    email = f"gr{next(_numbers)}@example.org"
    app = live_server.app
    with app.test_request_context(), session_scope(app) as db:
        create_user(db, email, PASSWORD, role="client", locale="en")
    page = new_page(**options)
    page.goto(live_server.url + "/auth/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


POST = """async (record) => {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const r = await fetch('/api/v1/grounding/sessions', {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}, body: JSON.stringify(record)});
  return r.status;
}"""


def test_offline_session_is_sent_once_when_back_online_and_rises_in_what_works(live_server, new_page):
    page = signed_in_page(live_server, new_page)
    page.goto(live_server.url + "/grounding/kind-words")
    # An earlier session of another exercise with a small drop.
    assert (
        page.evaluate(
            POST,
            {
                "client_uuid": "11111111-2222-4333-8444-555555555555",
                "exercise": "kind-words",
                "distress_before": 6,
                "distress_after": 5,
                "duration_seconds": 120,
            },
        )
        == 201
    )

    page.goto(live_server.url + "/grounding/five-senses")
    # The network is cut while the page or its service worker may still have a request under way
    # (one CI run logged it): the browser reports that request, which is no fault of the page.
    new_page.expect_console("ERR_INTERNET_DISCONNECTED")
    page.context.set_offline(True)
    expect(page.get_by_role("heading", name="How strong is your distress right now?")).to_be_visible()
    page.get_by_role("button", name="8", exact=True).click()
    live = page.locator("[data-live]")
    expect(live).to_contain_text("Step 1 of 5")
    expect(page.get_by_text("Look around and name five things you can see.", exact=True)).to_be_visible()
    for number in range(2, 6):
        page.get_by_role("button", name="Next").click()
        expect(live).to_contain_text(f"Step {number} of 5")
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_role("heading", name="How strong is your distress now?")).to_be_focused()
    page.get_by_role("button", name="4", exact=True).click()
    expect(page.locator("[data-result]")).to_have_text("Distress before: 8. After: 4.")
    expect(page.locator("[data-save-status]")).to_contain_text("Kept on this device")
    # Kept in the app's outbox (IndexedDB) until the server acknowledges it.
    pending = page.evaluate("self.TryggOutbox.pending()")
    assert len(pending) == 1 and pending[0]["body"]["distress_before"] == 8
    assert pending[0]["kind"] == "grounding-session"
    record = pending[0]["body"]

    page.context.set_offline(False)  # fires `online`: the player sends what it kept
    expect(page.locator("[data-save-status]")).to_have_text("Saved in your grounding log.")
    assert page.evaluate("self.TryggOutbox.pending()") == []
    assert page.evaluate(POST, record) == 200  # a retry on purpose: acknowledged, not duplicated

    page.goto(live_server.url + "/grounding/history")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="5-4-3-2-1")).to_have_count(1)
    expect(page.locator("svg.gr-chart g.gr-session")).to_have_count(2)
    expect(page.locator("ol.gr-ranking li").first).to_contain_text("5-4-3-2-1 with your senses")
    page.goto(live_server.url + "/grounding/")
    expect(page.locator("#gr-all ~ ul .gr-card-title").first).to_have_text("5-4-3-2-1 with your senses")


def test_pacer_animates_and_reduced_motion_shows_the_count_only(live_server, new_page):
    page = signed_in_page(live_server, new_page)
    page.goto(live_server.url + "/grounding/gentle-breathing")
    page.get_by_role("button", name="Start without rating").click()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("[data-pacer-phase]")).to_have_text("Breathe in")
    expect(page.locator("[data-pacer-count]")).to_have_text("2", timeout=3000)
    assert page.evaluate("document.querySelector('[data-pacer-shape]').getAnimations().length") == 1
    expect(page.locator("[data-pacer-phase]")).to_have_text("Breathe out", timeout=6000)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Resume")).to_have_attribute("aria-pressed", "true")

    calm = signed_in_page(live_server, new_page, reduced_motion="reduce")
    calm.goto(live_server.url + "/grounding/gentle-breathing")
    calm.get_by_role("button", name="Start without rating").click()
    calm.get_by_role("button", name="Next").click()
    expect(calm.locator("[data-pacer-phase]")).to_have_text("Breathe in")
    expect(calm.locator("[data-pacer-count]")).to_have_text("2", timeout=3000)
    assert calm.evaluate("document.getAnimations().length") == 0


def test_the_player_works_by_keyboard_and_stop_asks_for_the_after_rating(live_server, new_page):
    page = signed_in_page(live_server, new_page)
    page.goto(live_server.url + "/grounding/here-and-now")
    page.get_by_role("button", name="Start without rating").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Next")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("[data-live]")).to_contain_text("Step 2 of 5")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-live]")).to_contain_text("Step 1 of 5")
    expect(page.get_by_role("button", name="Back")).to_be_disabled()
    # Read-aloud is offered only where a voice exists; headless Chromium has none, so it is absent.
    voices = page.evaluate("speechSynthesis.getVoices().length")
    expect(page.locator("[data-action=speak]")).to_be_visible() if voices else expect(
        page.locator("[data-action=speak]")
    ).to_be_hidden()
    page.get_by_role("button", name="Stop here").click()
    expect(page.get_by_role("heading", name="How strong is your distress now?")).to_be_focused()
    page.get_by_role("button", name="Finish without rating").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved in your grounding log.")
    page.goto(live_server.url + "/grounding/history")
    expect(page.locator("table tbody tr")).to_contain_text("stopped early")


def test_without_javascript_every_step_is_a_plain_list(live_server, new_page):
    page = signed_in_page(live_server, new_page, java_script_enabled=False)
    page.goto(live_server.url + "/grounding/five-senses")
    steps = page.locator("ol.gr-steps > li")
    expect(steps).to_have_count(5)
    for index in range(5):
        expect(steps.nth(index)).to_be_visible()
    expect(page.get_by_role("button", name="Next")).to_have_count(0)


def test_player_fits_a_small_phone_in_dark_mode(live_server, new_page):
    page = signed_in_page(live_server, new_page, viewport={"width": 320, "height": 640}, color_scheme="dark")
    page.goto(live_server.url + "/grounding/five-senses")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("button", name="Start without rating").click()
    sizes = page.eval_on_selector_all(
        "#gr-player button:not([hidden])",
        "els => els.filter(e => getComputedStyle(e).visibility === 'visible')"
        ".map(e => [e.textContent.trim(), e.getBoundingClientRect().height, e.getBoundingClientRect().width])",
    )
    assert sizes and all(h >= 44 and w >= 44 for _, h, w in sizes), sizes
