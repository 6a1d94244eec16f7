"""Layout stability: nothing on our pages moves after it is drawn (CLS 0), at phone and laptop
size, signed out and signed in, including what appears late (the install button, the offline and
update bar, notices). Measured as Lighthouse does, with Chromium's layout-shift entries
(PerformanceObserver, shifts right after input excluded)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from backend.accounts.services import create_user
from backend.db import session_scope
from safety_plans import ops, plans
from support.coedit import PASSWORD, sign_in
from support.plans import add_op

PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
LAPTOP = dict(viewport={"width": 1280, "height": 800})

# Sums every layout shift of the page's life that no input caused (the cumulative layout shift).
CLS_OBSERVER = """
window.__cls = 0; window.__shifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__cls += entry.value;
    window.__shifts.push({value: entry.value, nodes: (entry.sources || []).map(s => s.node ?
      (s.node.id || s.node.className || s.node.nodeName) + '' : '?')});
  }
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.fixture(scope="module")
def plan_owner(live_server):
    """A client with a plan that has something in most sections."""
    app = live_server.app
    with app.test_request_context(), session_scope(app) as db:
        user = create_user(db, "steady@example.org", PASSWORD, role="client", country="NO", display_name="Ingrid")
        plan = plans.get_or_create_plan(db, user)
        ops.apply_ops(db, plan, user, [
            add_op("warning_signs", "I stop answering messages"),
            add_op("support", "Mum", phone="+47 912 34 567", agreed=True),
            add_op("inner_coping", "Hold something cold"),
            add_op("reasons", "My cat Pus"),
        ])
        return "steady@example.org", plan.id


def layout_shift(page, url: str) -> tuple[float, list]:
    """CLS of one page load, after it settled (late elements had time to appear)."""
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(1500)
    return page.evaluate("window.__cls"), page.evaluate("window.__shifts")


@pytest.mark.e2e
@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["390px", "1280px"])
def test_no_page_moves_after_it_is_drawn(live_server, new_page, plan_owner, size):
    page = new_page(**size)
    page.context.add_init_script(CLS_OBSERVER)
    url = live_server.url
    shifts = {}
    for path in ("/auth/login", "/help", "/auth/register"):
        shifts[path] = layout_shift(page, url + path)
    email, plan_id = plan_owner
    sign_in(page, url, email)
    for path in (f"/plans/{plan_id}", f"/plans/{plan_id}/edit", "/now", "/grounding/", "/account",
                 f"/plans/{plan_id}/commitments", f"/plans/{plan_id}", "/auth/login"):
        shifts[path + " (signed in)"] = layout_shift(page, url + path)
    # The browser offers installation late (beforeinstallprompt): the button appears in its place.
    before = page.evaluate("window.__cls")
    page.evaluate("window.dispatchEvent(new Event('beforeinstallprompt', {cancelable: true}))")
    expect(page.locator("[data-install]")).to_be_visible()
    page.wait_for_timeout(300)
    shifts["install button appears"] = (page.evaluate("window.__cls") - before, page.evaluate("window.__shifts"))
    moved = {path: found for path, found in shifts.items() if found[0] > 0}
    assert not moved, f"layout shifts: {moved}"
