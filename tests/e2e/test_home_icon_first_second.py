"""The home-screen icon right after sign-in (issue 27, point 1): a client signs in on their phone,
closes the app one second later, goes offline and taps the icon. Before, the worker kept "/" last
(after every grounding page), so the icon said "this page is not saved on this device". Now the
crisis view is kept as it is first shown, with "/" leading to it, before anything else."""
from __future__ import annotations

import time

from playwright.sync_api import expect
from test_crisis_browser import PASSWORD, client_with_plan
from test_pwa_offline import SAVED, wait_controlled, wait_until_saved

PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)


def test_the_icon_opens_the_plan_offline_one_second_after_sign_in(server, profile):
    email, plan_id = client_with_plan(server.app, "nb", full=False)
    context = profile(**PHONE)
    page = context.new_page()
    page.goto(server.url + "/auth/login?lang=nb")
    wait_controlled(page)  # a person takes a few seconds to type; the worker is running by then
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page).to_have_url(f"{server.url}/plans/{plan_id}")
    time.sleep(1)
    kept = set(page.evaluate(SAVED))
    context.close()  # the app is closed (and with it the browser)

    server.stop()
    context = profile(offline=True, **PHONE)
    page = context.new_page()
    page.goto(server.url + "/?source=home-screen")
    expect(page).to_have_url(f"{server.url}/plans/{plan_id}"), kept
    expect(page.get_by_role("link", name="Ring Mum")).to_have_attribute("href", "tel:+4791234567")
    expect(page.get_by_role("link", name="Ring 113").first).to_be_visible()


def test_the_icon_finds_the_kept_plan_even_without_a_kept_home(server, profile):
    """Offline, "/" falls back to the person's kept plan (a device whose "/" was never kept)."""
    email, plan_id = client_with_plan(server.app, "en", full=False)
    context = profile(**PHONE)
    page = context.new_page()
    page.goto(server.url + "/auth/login")
    wait_controlled(page)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/plans/{plan_id}")
    wait_until_saved(page, ["/offline"])  # the warming is done (the offline page comes last)
    page.evaluate("caches.open('trygg-pages').then(c => c.delete('/'))")
    assert "/" not in page.evaluate(SAVED)
    context.close()

    server.stop()
    context = profile(offline=True, **PHONE)
    page = context.new_page()
    page.goto(server.url + "/?source=home-screen")
    expect(page).to_have_url(f"{server.url}/plans/{plan_id}")
    expect(page.get_by_role("link", name="Call Mum")).to_be_visible()
