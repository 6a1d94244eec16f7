"""The number before sign-in is where the person is (issue 27, point 3), in real Chromium: the
device's time zone names the country before the browser's language does, the first page already
shows that country's number (put in place without a reload or a shift), the browser remembers it
for the server, registration starts from it, and the person can choose another country on the
strip (remembered) or /help. Without JavaScript the language's guess and the choice remain."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_layout_stability import CLS_OBSERVER

from support.live import asked_reload

PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
LAPTOP = dict(viewport={"width": 1280, "height": 800})
OSLO_ENGLISH = dict(locale="en-US", timezone_id="Europe/Oslo")
STOCKHOLM_GERMAN = dict(locale="de-DE", timezone_id="Europe/Stockholm")



# What of the strip (and its open country list) reaches past the right edge of the screen.
OVERFLOWING = """[...document.querySelectorAll('.help-strip, .help-strip *')]
  .filter(e => e.checkVisibility() && e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 30))"""


def strip_call(page):
    """The help strip's emergency call."""
    return page.locator(".help-strip a[data-emergency-call]")


def expect_strip_number(page, number: str) -> None:
    call = strip_call(page)
    expect(call).to_have_attribute("href", f"tel:{number}")
    expect(call).to_have_accessible_name(re.compile(rf"(Call|Ring) {number}$"))


def remembered(page) -> str | None:
    """The country this browser keeps for the server."""
    return next((c["value"] for c in page.context.cookies() if c["name"] == "trygg_country"), None)


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["390px", "1280px"])
def test_an_english_phone_in_oslo_sees_113_on_the_first_sign_in_page_without_a_shift(live_server, new_page, size):
    page = new_page(**OSLO_ENGLISH, **size)
    page.context.add_init_script(CLS_OBSERVER)
    page.goto(live_server.url + "/auth/login")
    expect_strip_number(page, "113")
    # The sign-in page's own list of lines is Norway's too, put in place on this very page.
    help_box = page.locator("#login-help")
    expect(help_box.get_by_role("heading", level=2)).to_have_text("Crisis lines for Norway")
    expect(help_box.locator('a[href="tel:113"]')).to_be_visible()
    expect(page.locator('a[href="tel:911"]')).to_have_count(0)
    expect(page.locator("[data-country-menu] summary")).to_have_accessible_name("Country: NO (Norway)")
    assert remembered(page) == "NO"
    page.wait_for_timeout(500)
    assert page.evaluate("window.__cls") == 0, page.evaluate("window.__shifts")
    # From now on the server draws it so: no script needed, no guess carried.
    asked_reload(page)
    expect_strip_number(page, "113")
    expect(page.locator("[data-country-guess]")).to_have_count(0)


def test_an_english_phone_in_oslo_sees_113_on_a_missing_page_and_norway_at_registration(live_server, new_page):
    page = new_page(**OSLO_ENGLISH, **PHONE)
    new_page.expect_console("status of 404")
    page.context.add_init_script(CLS_OBSERVER)
    page.goto(live_server.url + "/no-such-page")  # the very first page of this browser
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    expect_strip_number(page, "113")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__cls") == 0, page.evaluate("window.__shifts")

    fresh = new_page(**OSLO_ENGLISH, **PHONE)
    fresh.goto(live_server.url + "/auth/register")  # registration first: the guess fills it in
    expect(fresh.locator("select#country")).to_have_value("NO")
    expect_strip_number(fresh, "113")
    asked_reload(fresh)  # and the server pre-fills it from then on
    expect(fresh.locator("select#country")).to_have_value("NO")
    assert fresh.locator("select#country option[selected]").get_attribute("value") == "NO"


def test_an_english_phone_in_oslo_locked_out_of_sign_in_sees_113(live_server, new_page):
    page = new_page(**OSLO_ENGLISH, **PHONE)
    page.goto(live_server.url + "/auth/login")
    expect_strip_number(page, "113")
    status = None
    for _ in range(8):  # the limit is a few wrong passwords; bounded in any case
        page.locator("#email").fill("nobody-here@example.org")
        page.locator("#password").fill("not the password at all")
        with page.expect_response(lambda r: r.url.endswith("/auth/login") and r.request.method == "POST") as answer:
            page.locator("#password").press("Enter")
        status = answer.value.status
        if status == 429:
            break
    assert status == 429
    expect(page.locator("#password-error")).to_contain_text("Too many sign-in attempts")
    expect_strip_number(page, "113")
    expect(page.locator("#login-help").locator('a[href="tel:113"]')).to_be_visible()
    expect(page.locator('a[href="tel:911"]')).to_have_count(0)


def test_a_german_phone_in_stockholm_sees_112_and_swedens_lines(live_server, new_page):
    page = new_page(**STOCKHOLM_GERMAN, **PHONE)
    page.goto(live_server.url + "/auth/login")
    expect_strip_number(page, "112")
    help_box = page.locator("#login-help")
    expect(help_box.get_by_role("heading", level=2)).to_have_text("Crisis lines for Sweden")
    expect(help_box.locator('a[href="tel:1177"]')).to_be_visible()
    expect(page.locator('a[href="tel:999"]')).to_have_count(0)
    page.goto(live_server.url + "/help")
    expect(page.get_by_role("heading", name="Crisis lines for Sweden")).to_be_visible()
    expect(page.locator("#help-lines").locator('a[href="tel:90101"]')).to_be_visible()  # Mind Självmordslinjen
    expect(page.locator("select#help-choose")).to_have_value("SE")


def test_a_device_in_a_zone_we_have_no_numbers_for_keeps_the_languages_guess(live_server, new_page):
    page = new_page(locale="en-NO", timezone_id="Asia/Tokyo", **PHONE)
    page.goto(live_server.url + "/auth/login")
    expect_strip_number(page, "113")  # en-NO: the language's region
    page.wait_for_timeout(300)
    assert remembered(page) is None


def test_without_javascript_a_number_shows_and_the_country_can_be_chosen_and_is_kept(live_server, new_page):
    new_page.expect_console("status of 404")
    page = new_page(java_script_enabled=False, **OSLO_ENGLISH, **PHONE)
    page.goto(live_server.url + "/auth/login")
    expect_strip_number(page, "911")  # only the language's region (en-US) without a script
    choose = page.locator("[data-country-menu]")
    choose.locator("summary").click()
    expect(choose.get_by_role("group", name="Where are you now?")).to_be_visible()
    choose.get_by_role("button", name="Norway").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect_strip_number(page, "113")
    expect(page.locator("#login-help").get_by_role("heading", level=2)).to_have_text("Crisis lines for Norway")
    page.reload()
    expect_strip_number(page, "113")
    # /help's own choice works without a script too, and is kept.
    page.goto(live_server.url + "/help")
    page.locator("select#help-choose").select_option("FI")
    page.get_by_role("button", name="Show numbers").click()
    expect(page.get_by_role("heading", name="Crisis lines for Finland")).to_be_visible()
    page.goto(live_server.url + "/no-such-page")
    expect_strip_number(page, "112")


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["390px", "1280px"])
def test_switching_country_on_the_strip_is_remembered_after_a_reload(live_server, new_page, size):
    page = new_page(locale="en-GB", timezone_id="Europe/London", **size)
    page.goto(live_server.url + "/auth/register")
    expect_strip_number(page, "999")
    choose = page.locator("[data-country-menu]")
    summary = choose.locator("summary")
    box = summary.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    summary.click()
    sweden = choose.get_by_role("button", name="Sweden")
    expect(sweden).to_be_visible()
    target = sweden.bounding_box()
    assert target["height"] >= 44 and target["x"] >= 0 and target["x"] + target["width"] <= size["viewport"]["width"]
    sweden.click()
    expect(page).to_have_url(re.compile(r"/auth/register$"))
    expect_strip_number(page, "112")
    expect(page.locator("select#country")).to_have_value("SE")
    asked_reload(page)
    expect_strip_number(page, "112")
    expect(choose.locator("summary")).to_have_accessible_name("Country: SE (Sweden)")
    assert remembered(page) == "SE"
    # The time-zone guess never overrides a choice.
    expect(page.locator("[data-country-guess]")).to_have_count(0)


def test_the_strip_with_its_country_stays_one_row_and_reflows_at_200_percent(live_server, new_page):
    for lang, locale in (("nb", "nb-NO"), ("sv", "sv-SE"), ("en", "en-US")):
        page = new_page(locale=locale, timezone_id="Europe/Oslo", viewport={"width": 360, "height": 740})
        page.goto(f"{live_server.url}/auth/login?lang={lang}")
        expect_strip_number(page, "113")
        strip = page.locator(".help-strip").bounding_box()
        assert strip["height"] <= 56, f"{lang}: the strip took {strip['height']} px"
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert page.evaluate(OVERFLOWING) == [], lang
        page.locator("[data-country-menu] summary").click()
        expect(page.locator("[data-country-menu] button").first).to_be_visible()
        assert page.evaluate(OVERFLOWING) == [], f"{lang}, the list open"
