"""The journeys of this round as a person sees them, on the demo data (`flask demo-data`): the
therapist's workspace uses a laptop's width and shows names, never emails; the client's pages fit
a phone (no sideways scrolling) and keep the emergency call on the first screen, in Norwegian.

Screenshots of every page go to $TRYGG_SCREENSHOTS when it is set (for people to look at), else to
the test's temporary folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from backend.accounts.services import find_user
from backend.db import session_scope
from safety_plans import plans
from safety_plans.demo import PASSWORD, make_demo_data
from support.coedit import LAPTOP, PHONE
from support.two_step import complete_in_browser


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("TRYGG_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def demo(live_server):
    with live_server.app.test_request_context(), session_scope(live_server.app) as db:
        make_demo_data(db)
        ingrid = find_user(db, "ingrid@demo.trygg")
        return {"ingrid_plan": plans.get_or_create_plan(db, ingrid).id}


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


def test_the_therapist_workspace_uses_the_laptop_and_shows_names(live_server, new_page, demo, shots):
    page = new_page(**LAPTOP)
    page.goto(live_server.url + "/auth/login?lang=en")
    page.get_by_label("Email").fill("berg@demo.trygg")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    complete_in_browser(page, "berg@demo.trygg")
    page.goto(live_server.url + "/clients")
    table = page.locator("table.ss-clients")
    expect(table).to_be_visible()
    assert table.bounding_box()["width"] > 1000  # not a 640 px column on a 1280 px screen
    expect(table.get_by_text("Ingrid", exact=True)).to_be_visible()
    expect(table.get_by_text("Olle", exact=True)).to_be_visible()
    assert "@demo.trygg" not in page.locator("main").inner_text()
    page.screenshot(path=shots / "workspace-1280.png", full_page=True)
    page.goto(f"{live_server.url}/plans/{demo['ingrid_plan']}/sessions")
    _no_sideways_scroll(page)
    page.screenshot(path=shots / "sessions-therapist-1280.png", full_page=True)
    # The client's plan as the therapist reads it: her people are hers, by name.
    page.goto(f"{live_server.url}/plans/{demo['ingrid_plan']}")
    expect(page.get_by_role("heading", name="People close to Ingrid")).to_be_visible()
    _no_sideways_scroll(page)
    page.screenshot(path=shots / "plan-therapist-1280.png", full_page=True)


def test_the_clients_pages_fit_a_phone_in_norwegian(live_server, new_page, demo, shots):
    page = new_page(locale="nb-NO", **PHONE)
    page.goto(live_server.url + "/auth/login?lang=nb")
    page.get_by_label("E-post").fill("ingrid@demo.trygg")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
    plan = demo["ingrid_plan"]
    page.goto(f"{live_server.url}/plans/{plan}")
    call = page.locator('a[href="tel:113"]').first
    expect(call).to_be_visible()
    assert call.bounding_box()["y"] + call.bounding_box()["height"] <= 844  # on the first screen
    for name, path in (("plan", f"/plans/{plan}"), ("edit", f"/plans/{plan}/edit"), ("now", "/now"),
                       ("sessions", f"/plans/{plan}/sessions"), ("agreement", f"/plans/{plan}/agreement"),
                       ("wins", f"/plans/{plan}/wins"), ("grounding", "/grounding/")):
        page.goto(live_server.url + path)
        expect(page.locator("main")).to_be_visible()
        assert page.locator("html").get_attribute("lang") == "nb"
        _no_sideways_scroll(page)
        # The help strip (call, all lines, quick exit) is one row of the sticky top, not two.
        strip = page.locator(".help-strip").bounding_box()
        assert strip["height"] < 60, f"{path}: the help strip is {strip['height']} px high"
        page.screenshot(path=shots / f"{name}-nb-390.png", full_page=True)
    # A small phone (360 px) still has the strip on one row: two took 48 px of the first screen.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/plans/{plan}/edit")
    expect(page.locator(".help-call")).to_be_visible()
    strip = page.locator(".help-strip").bounding_box()
    assert strip["height"] < 60, f"at 360 px the help strip is {strip['height']} px high"
    _no_sideways_scroll(page)
    page.screenshot(path=shots / "edit-nb-360.png")
