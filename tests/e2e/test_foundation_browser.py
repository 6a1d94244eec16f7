"""In real Chromium: register a client, sign out, sign in, switch language."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from support.live import asked_reload
from support.mail import last_mail_to, link_in

PASSWORD = "a calm walk by the river"


def test_register_logout_login_and_switch_language(live_server, new_page):
    page = new_page(locale="en-GB")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/auth/login"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("What should we call you? (optional)").fill("Ingrid")
    page.get_by_label("Email").fill("ingrid@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(live_server.url + link_in(last_mail_to(live_server.app, "ingrid@example.org"), "/auth/welcome/"))
    page.get_by_role("button", name="Open Trygg").click()
    expect(page.get_by_role("status").first).to_contain_text("Welcome to Trygg")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".flash")).to_contain_text("You are signed out.")

    page.get_by_label("Email").fill("ingrid@example.org")
    page.get_by_label("Password").fill("the wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error").first).to_contain_text("do not match")
    expect(page.get_by_label("Email")).to_have_value("ingrid@example.org")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))

    page.get_by_role("button", name="Norsk bokmål").click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    page.get_by_role("button", name="Svenska").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    asked_reload(page)
    expect(page.locator("html")).to_have_attribute("lang", "sv")


def test_sign_in_page_is_usable_on_a_small_phone(live_server, new_page):
    page = new_page(viewport={"width": 320, "height": 640}, color_scheme="dark")
    page.goto(live_server.url + "/auth/login")
    # Nothing scrolls sideways at 320 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    # Every button and field is at least 44 px tall: easy to hit with a shaking hand.
    sizes = page.eval_on_selector_all(
        "button, input:not([type=hidden]), main a",
        "els => els.filter(e => e.getClientRects().length > 0)"  # what is hidden is no target
        ".map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect().height, e.getBoundingClientRect().width])",
    )
    small = [
        s
        for s in sizes
        if s[1] < 24 or (s[0].startswith(("<button", "<input type=\"email", "<input type=\"password")) and s[1] < 44)
    ]
    assert not small, small
    # Dark mode really changes the page.
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 23, 24)"
    # The skip link is the first thing a keyboard reaches and leads to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
