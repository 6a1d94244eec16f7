"""Offline, for real (the server stopped and the browser offline, in a persistent profile): the
home-screen shortcut opens "I need help now" from the cache and steps through it; a person who
never signed in still gets every crisis line at /help from the service worker."""
from __future__ import annotations

import time

from playwright.sync_api import expect
from test_crisis_browser import client_with_plan
from test_pwa_offline import open_signed_in, wait_controlled, wait_for, wait_until_saved

PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)


def test_walkthrough_opens_offline_from_the_shortcut_and_steps_through(server, profile):
    email, plan_id = client_with_plan(server.app, "en", full=False)
    context, page = open_signed_in(profile, server, email)
    wait_until_saved(page, ["/now", f"/plans/{plan_id}"])
    context.close()

    server.stop()
    context = profile(offline=True, **PHONE)
    page = context.new_page()
    started = time.monotonic()
    page.goto(server.url + "/now?source=shortcut")
    heading = page.locator("[data-step]:visible").get_by_role("heading", level=2)
    expect(heading).to_have_text("In danger now? Call 113")
    wall_ms = (time.monotonic() - started) * 1000
    nav_ms = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    print(f"\nwalk-through offline open: {wall_ms:.0f} ms until the first step is visible "
          f"(DOMContentLoaded {nav_ms:.0f} ms after navigation start)")
    expect(page.get_by_role("link", name="Call Mum")).to_have_attribute("href", "tel:+4791234567")
    page.get_by_role("link", name="Next step").click()
    expect(heading).to_have_text("What I can do myself")
    page.get_by_role("link", name="Next step").click()
    expect(heading).to_have_text("People I can ask for help")
    page.get_by_role("link", name="Stop here").click()
    expect(page).to_have_url(f"{server.url}/plans/{plan_id}")
    expect(page.get_by_role("link", name="Call 113", exact=True)).to_be_visible()


def test_help_page_is_kept_for_someone_who_never_signed_in(server, profile):
    context = profile(**PHONE)
    page = context.new_page()
    page.goto(server.url + "/auth/login")
    wait_controlled(page)
    wait_for(page, "caches.match('/help').then(r => !!r)", 20)
    context.close()

    server.stop()
    context = profile(offline=True, **PHONE)
    page = context.new_page()
    page.goto(server.url + "/help")
    expect(page.get_by_role("heading", name="Help now")).to_be_visible()
    expect(page.get_by_role("link", name="Call 999", exact=True)).to_have_attribute("href", "tel:999")  # en-GB, UTC
    page.locator("#country-SE > summary").click()
    expect(page.locator('a[href="tel:90101"]')).to_be_visible()
