"""Ending a therapist's access lets go of the plan everywhere (issue 27, point 4), in real Chromium
against a real server: the therapist has the client's crisis view, sessions, history and print
open in four tabs of a laptop, the media page in a fifth tab that cannot open a live stream at all
(only the service worker can tell it), the editor on a tablet and the crisis view on a phone. The client ends the
access on her phone; every one of those pages must replace what it showed of the plan within a
second, and the therapist's workspace says who ended the access and when."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from backend.db import session_scope
from safety_plans import ops
from safety_plans.models import Plan
from support.coedit import LAPTOP, PHONE, session_world, sign_in
from support.live import wait_controlled, wait_for
from support.plans import add_op
from support.sessions import start_session

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}
KARI, KARI_PHONE = "Sister Kari", "+47 912 34 567"
PLAN_ITEMS = (("inner_coping", "Walk by the river"), ("reasons", "My garden"))

# Records the moment a page stops showing anything of the plan: none of its words, no call link,
# no list of sessions in its main content.
WATCH = """
(words) => {
  const main = document.getElementById('main');
  window.__letGoAt = null;
  const shows = () => words.some((w) => main.textContent.includes(w))
    || main.querySelector('a[href^="tel:"], .ss-list, [data-item]') !== null;
  const check = () => { if (window.__letGoAt === null && !shows()) window.__letGoAt = Date.now(); };
  new MutationObserver(check).observe(main, { childList: true, subtree: true, characterData: true });
  check();
  return shows();
}
"""
DEAF = """
Object.defineProperty(window, 'EventSource', { value: undefined });
window.__polls = 0;
const ask = window.fetch.bind(window);
window.fetch = (url, options) => {
  if (!String(url).includes('/changes?since=')) return ask(url, options);
  window.__polls += 1;
  return new Promise(() => {});
};
"""
PLAN_WORDS = ["Ingrid", KARI, "912 34 567", "Walk by the river", "My garden"]


def _with_kari(app, plan_id):
    """Sister Kari, with her phone number, among Ingrid's people."""
    with app.test_request_context(), session_scope(app) as db:
        plan = db.get(Plan, plan_id)
        ops.apply_ops(db, plan, plan.owner, [add_op("support", KARI, phone=KARI_PHONE)])


def _open(context_page, url):
    """A new tab of the same device showing `url`."""
    page = context_page.context.new_page()
    page.goto(url)
    return page


def test_every_open_page_of_the_plan_lets_go_within_a_second(live_server, new_page):
    client_email, therapist_email, plan_id, _ = session_world(live_server.app, items=PLAN_ITEMS)
    _with_kari(live_server.app, plan_id)
    start_session(live_server.app, plan_id, therapist_email)
    new_page.expect_console("status of 404")  # a page polling for news meets the ended access
    base = f"{live_server.url}/plans/{plan_id}"

    laptop = new_page(**LAPTOP)
    sign_in(laptop, live_server.url, therapist_email)
    wait_controlled(laptop)  # the service worker controls every tab of the laptop from here on
    state = laptop.context.storage_state()  # the tablet and phone signed in too (no second 2FA code)
    tabs = {
        "laptop crisis view": _open(laptop, base),
        "laptop sessions": _open(laptop, f"{base}/sessions"),
        "laptop history": _open(laptop, f"{base}/history"),
        "laptop print": _open(laptop, f"{base}/print"),
    }
    # A tab that cannot hold a live stream (as past the stream cap, or a browser without
    # EventSource) and whose own polls never come back: only the service worker can tell it.
    silent = laptop.context.new_page()
    silent.add_init_script(DEAF)
    silent.goto(f"{base}/media")
    tabs["laptop media (no stream)"] = silent
    tablet = new_page(storage_state=state, **TABLET)
    tablet.goto(f"{base}/edit")
    wait_controlled(tablet)
    wait_for(tablet, "window.TryggEditor !== undefined")
    tabs["tablet editor"] = tablet
    phone = new_page(storage_state=state, **PHONE)
    phone.goto(base)
    wait_controlled(phone)
    tabs["phone crisis view"] = phone

    expect(tabs["laptop crisis view"].get_by_role("link", name=f"Call {KARI}")).to_be_visible()
    expect(tabs["laptop sessions"].locator(".ss-list li")).to_have_count(1)
    expect(tabs["laptop history"].locator("#main")).to_contain_text(KARI)
    expect(tabs["laptop print"].locator("#main")).to_contain_text("912 34 567")
    expect(tabs["phone crisis view"].get_by_role("link", name=f"Call {KARI}")).to_be_visible()
    for name, page in tabs.items():
        wait_for(page, "document.readyState === 'complete'")
        assert page.evaluate(WATCH, PLAN_WORDS), f"{name} shows nothing of the plan before the access ends"
    for name in ("laptop crisis view", "laptop sessions", "laptop history", "laptop print", "phone crisis view"):
        wait_for(tabs[name], "document.getElementById('main').dataset.following === 'live'")

    client = new_page(**PHONE)
    sign_in(client, live_server.url, client_email)
    client.goto(f"{live_server.url}/care")
    end = client.get_by_role("button", name=re.compile(r"^End access\s*:\s*Dr Berg"))
    expect(end).to_be_visible()
    ended_at = time.time() * 1000
    end.click()

    times: dict[str, float] = {}
    deadline = time.monotonic() + 10
    while len(times) < len(tabs) and time.monotonic() < deadline:
        for name, page in tabs.items():
            at = page.evaluate("window.__letGoAt")
            if name not in times and at is not None:
                times[name] = at - ended_at
        time.sleep(0.05)
    for name in tabs:
        print(f"let go: {name}: " + (f"{times[name]:.0f} ms" if name in times else "never"))
    assert set(times) == set(tabs), f"pages still showing the plan: {set(tabs) - set(times)}"
    assert all(ms < 1000 for ms in times.values()), times
    assert silent.evaluate("window.__polls") > 0  # it asked, and was never answered: the worker told it

    for name, page in tabs.items():
        main = page.locator("#main")
        expect(main).to_contain_text("You no longer have access to this plan.")
        text = main.inner_text()
        assert not any(word in text for word in PLAN_WORDS), (name, text)
        assert main.locator('a[href^="tel:"], .ss-list, [data-item]').count() == 0, name
        assert "Ingrid" not in page.title(), name

    # The workspace says who ended the access and when, in place of her row.
    workspace = tabs["laptop crisis view"]
    workspace.goto(f"{live_server.url}/clients")
    ended = workspace.locator("tr.ss-ended")
    expect(ended).to_contain_text(re.compile(r"Ingrid ended your access on \w+ \d+"))
    expect(workspace.get_by_role("link", name=re.compile(r"Ingrid"))).to_have_count(0)
