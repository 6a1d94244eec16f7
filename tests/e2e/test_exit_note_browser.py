"""The quick-exit note (issue 27, point 9), in real Chromium: one short line at the top of a
client's pages (it took about 270 px of a 390 px phone), in nb, sv and en at 360 px; nothing
moves while the page loads (CLS 0, measured as tests/e2e/test_layout_stability.py does); the
explanation opens under "About …"; "I understand" hides it for good."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect
from test_layout_stability import CLS_OBSERVER

from backend.accounts.services import create_user
from backend.db import session_scope
from safety_plans import plans
from support.live import asked_reload

PASSWORD = "a calm walk by the river"
LOCALES = {"nb": "nb-NO", "sv": "sv-SE", "en": "en-NO"}
# One line of text beside a 44 px button, with the note's own padding and border.
ONE_LINE = 56
_numbers = itertools.count()

# What of the note reaches past the right edge of the screen.
OVERFLOWING = """[...document.querySelectorAll('[data-exit-note], [data-exit-note] *')]
  .filter(e => e.checkVisibility() && e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 30))"""
WORDS = {
    "nb": ("Om «Forlat siden»", "nettleserloggen", "Jeg forstår"),
    "sv": ("Om ”Lämna sidan”", "webbläsarens historik", "Jag förstår"),
    "en": ("About “Exit this page”", "browser history", "I understand"),
}


def signed_in_client(live_server, new_page, lang: str, width: int, height: int):
    email = f"exit-note{next(_numbers)}@example.org"
    with live_server.app.test_request_context(), session_scope(live_server.app) as db:
        user = create_user(db, email, PASSWORD, role="client", locale=lang, country="NO", display_name="Ingrid")
        plans.get_or_create_plan(db, user)
    page = new_page(locale=LOCALES[lang], viewport={"width": width, "height": height}, has_touch=True, is_mobile=True)
    page.context.add_init_script(CLS_OBSERVER)
    page.goto(f"{live_server.url}/auth/login?lang={lang}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url("**/plans/*")
    return page


@pytest.mark.parametrize("lang", ["nb", "sv", "en"])
def test_the_note_is_one_short_line_at_360_px_that_moves_nothing(live_server, new_page, lang):
    page = signed_in_client(live_server, new_page, lang, 360, 740)
    page.goto(live_server.url + "/grounding/")
    note = page.locator("[data-exit-note]")
    expect(note).to_be_visible()
    summary, longer, understood = WORDS[lang]
    more = note.locator("summary")
    expect(more).to_have_text(summary)
    box = note.bounding_box()
    print(f"\nquick-exit note {lang} at 360 px: {box['height']:.0f} px high")
    assert box["height"] <= ONE_LINE, f"the note takes {box['height']} px"
    line = more.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length; }"
    )
    assert line == 1, f"the note's words wrap onto {line} lines"
    for target in (more, note.get_by_role("button", name=understood)):
        target_box = target.bounding_box()
        assert target_box["height"] >= 44 and target_box["x"] + target_box["width"] <= 360
    expect(note.get_by_text(longer)).to_be_hidden()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__cls") == 0, page.evaluate("window.__shifts")
    # 200 % text: it wraps, never reaches past the screen's edge (open too).
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate(OVERFLOWING) == []
    more.click()
    expect(note.get_by_text(longer)).to_be_visible()
    assert page.evaluate(OVERFLOWING) == []


def test_more_opens_the_explanation_and_i_understand_hides_it_for_good(live_server, new_page):
    page = signed_in_client(live_server, new_page, "nb", 390, 844)
    page.goto(live_server.url + "/grounding/")
    note = page.locator("[data-exit-note]")
    summary, longer, understood = WORDS["nb"]
    note.get_by_text(summary).click()
    expect(note.get_by_text(longer)).to_be_visible()
    expect(note).to_contain_text("Shift")
    note.get_by_role("button", name=understood).click()
    expect(note).to_be_hidden()
    asked_reload(page)
    expect(note).to_be_hidden()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__cls") == 0, page.evaluate("window.__shifts")


def test_without_javascript_the_note_is_one_line_and_i_understand_still_works(live_server, new_page):
    email = f"exit-note{next(_numbers)}@example.org"
    with live_server.app.test_request_context(), session_scope(live_server.app) as db:
        user = create_user(db, email, PASSWORD, role="client", locale="sv", country="SE", display_name="Olle")
        plans.get_or_create_plan(db, user)
    page = new_page(locale="sv-SE", java_script_enabled=False, viewport={"width": 360, "height": 740})
    page.goto(f"{live_server.url}/auth/login?lang=sv")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url("**/plans/*")
    page.goto(live_server.url + "/grounding/")
    note = page.locator("[data-exit-note]")
    assert note.bounding_box()["height"] <= ONE_LINE
    note.locator("summary").click()  # a native disclosure: no script needed
    expect(note.get_by_text("webbläsarens historik")).to_be_visible()
    note.get_by_role("button", name="Jag förstår").click()
    expect(page).to_have_url(f"{live_server.url}/grounding/")
    expect(page.locator("[data-exit-note]")).to_have_count(0)
