"""The crisis moment in real Chromium at phone size: the first screen holds the emergency call and
the person's own people; "I need help now" steps through the plan one screen at a time (keyboard,
screen-reader names, 200 % text) and writes nothing; quick exit leaves no plan on screen; help is
on every kind of page in nb, sv and en; a hard grounding session gets a kind next step."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from backend.accounts.services import create_user
from backend.db import session_scope
from safety_plans import ops, plans
from safety_plans.models import Plan
from support.live import asked_reload
from support.plans import add_op

PASSWORD = "a calm walk by the river"
PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
LAPTOP = dict(viewport={"width": 1280, "height": 800})
LOCALES = {"nb": "nb-NO", "sv": "sv-SE", "en": "en-NO"}
_numbers = itertools.count()


def client_with_plan(app, lang="en", country="NO", full=True) -> tuple[str, int]:
    """A client whose plan has their own people and a few steps (not every section)."""
    email = f"crisis{next(_numbers)}@example.org"
    with app.test_request_context(), session_scope(app) as db:
        user = create_user(db, email, PASSWORD, role="client", locale=lang, country=country, display_name="Ingrid")
        plan = plans.get_or_create_plan(db, user)
        batch = [
            add_op("support", "Mum", phone="+47 912 34 567", agreed=True, sms_message="Can you call me?"),
            add_op("support", "Sister Kari", phone="+47 999 88 777"),
            add_op("inner_coping", "Hold something cold"),
            add_op("reasons", "My cat Pus"),
        ]
        if full:
            batch += [
                add_op("warning_signs", "I stop answering messages"),
                add_op("professionals", "My GP", phone="+47 22 00 00 00"),
                add_op("safe_environment", "Kari keeps my pills"),
            ]
        ops.apply_ops(db, plan, user, batch)
        return email, plan.id


def sign_in(page, url, email, lang="en"):
    page.goto(f"{url}/auth/login?lang={lang}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r"/plans/\d+$"))


@pytest.mark.parametrize("lang", ["en", "nb", "sv"])
def test_first_screen_holds_the_emergency_call_and_my_people(live_server, new_page, lang):
    email, plan_id = client_with_plan(live_server.app, lang)
    page = new_page(locale=LOCALES[lang], **PHONE)
    sign_in(page, live_server.url, email, lang)
    help_now = page.get_by_role("region", name={"en": "Help now", "nb": "Hjelp nå", "sv": "Hjälp nu"}[lang])
    emergency = help_now.get_by_role("link", name=re.compile(r"^(Call|Ring) 113$"))
    call_mum = page.locator('a[href="tel:+4791234567"]')
    text_mum = page.locator('a[href="sms:+4791234567?body=Can%20you%20call%20me%3F"]')
    expect(emergency).to_have_attribute("href", "tel:113")
    e_box, c_box, t_box = emergency.bounding_box(), call_mum.bounding_box(), text_mum.bounding_box()
    print(
        f"\nfirst screen {lang} 390x844: emergency call y={e_box['y']:.0f}..{e_box['y'] + e_box['height']:.0f}, "
        f"first own-person call y={c_box['y']:.0f}..{c_box['y'] + c_box['height']:.0f}"
    )
    for box in (e_box, c_box, t_box):
        assert box["y"] + box["height"] <= 844 and box["height"] >= 44 and box["width"] >= 44
    verbs = {"en": ("Call Mum", "Text Mum"), "nb": ("Ring Mum", "Send SMS Mum"), "sv": ("Ring Mum", "Skicka sms Mum")}[
        lang
    ]
    expect(call_mum).to_have_accessible_name(verbs[0])
    expect(text_mum).to_have_accessible_name(verbs[1])
    # The other helplines are folded until asked for; the plan follows.
    helpline = page.locator('a[href="tel:116123"]').first
    expect(helpline).to_be_hidden()
    page.locator("details.sp-more-lines > summary").click()
    expect(helpline).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # 200 % text: long compound words and phone numbers wrap; nothing scrolls sideways.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(call_mum).to_be_visible()


def test_walkthrough_one_step_at_a_time_keyboard_names_200_percent_and_writes_nothing(live_server, new_page):
    email, plan_id = client_with_plan(live_server.app, "en", full=False)
    page = new_page(locale="en-NO", **PHONE)
    sign_in(page, live_server.url, email)
    sent = []
    # Anything but reading: a write, or a script's request other than the shell's offline list.
    page.on(
        "request",
        lambda r: (
            (r.method != "GET" or (r.resource_type in ("fetch", "xhr") and not r.url.endswith("/api/v1/offline")))
            and sent.append(f"{r.method} {r.url}")
        ),
    )
    with session_scope(live_server.app) as db:
        revision = db.get(Plan, plan_id).revision

    page.get_by_role("link", name="I need help now").click()
    expect(page).to_have_url(f"{live_server.url}/now")
    visible = page.locator("[data-step]:visible")
    expect(visible).to_have_count(1)
    expect(visible.get_by_role("heading", level=2)).to_have_text("In danger now? Call 113")
    expect(page.get_by_role("link", name="Call 113", exact=True)).to_have_attribute("href", "tel:113")
    expect(page.get_by_role("link", name="Call Mum")).to_be_visible()
    expect(page.get_by_role("link", name="Text Mum")).to_have_attribute(
        "href", "sms:+4791234567?body=Can%20you%20call%20me%3F"
    )
    expect(page.get_by_role("link", name="Stop here")).to_have_attribute("href", f"/plans/{plan_id}")

    page.get_by_role("link", name="Next step").click()
    expect(visible.get_by_role("heading", level=2)).to_have_text("What I can do myself")
    assert page.evaluate("document.activeElement.textContent") == "What I can do myself"  # read out at once
    expect(page.get_by_text("Hold something cold")).to_be_visible()
    # Keyboard only: Tab to "Next step" and press Enter. Empty steps (distraction) are skipped.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Next step":
            break
    page.keyboard.press("Enter")
    expect(visible.get_by_role("heading", level=2)).to_have_text("People I can ask for help")
    page.get_by_role("link", name="Back").click()
    expect(visible.get_by_role("heading", level=2)).to_have_text("What I can do myself")
    page.get_by_role("link", name="Next step").click()
    page.get_by_role("link", name="Next step").click()
    expect(visible.get_by_role("heading", level=2)).to_have_text("Helplines")
    expect(page.get_by_role("link", name="Chat Mental Helse helpline")).to_be_visible()

    # 200 % text: still one column, nothing cut off, the next step still reachable.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Next step").click()
    expect(visible.get_by_role("heading", level=2)).to_have_text("What matters to me")
    expect(page.get_by_text("My cat Pus")).to_be_visible()
    page.get_by_role("link", name="Next step").click()
    expect(visible.get_by_role("heading", level=2)).to_have_text("You went through your plan.")
    assert page.evaluate("'wakeLock' in navigator") is False or page.locator("[data-walkthrough]").get_attribute(
        "data-awake"
    ) in ("true", "false")

    page.get_by_role("link", name="Stop here").click()
    expect(page).to_have_url(f"{live_server.url}/plans/{plan_id}")
    assert sent == [], f"the walk-through sent something: {sent}"
    with session_scope(live_server.app) as db:
        assert db.get(Plan, plan_id).revision == revision


def test_walkthrough_reads_as_a_list_of_sections_without_javascript(live_server, new_page):
    email, _ = client_with_plan(live_server.app, "nb", full=False)
    page = new_page(locale="nb-NO", java_script_enabled=False, **PHONE)
    sign_in(page, live_server.url, email, "nb")
    page.goto(live_server.url + "/now")
    # first screen, what I can do, people, helplines, what matters, the end (empty ones left out)
    expect(page.locator("[data-step]:visible")).to_have_count(6)
    expect(page.get_by_role("heading", name="Det jeg kan gjøre selv")).to_be_visible()
    page.get_by_role("link", name="Neste steg").first.click()
    expect(page).to_have_url(re.compile(r"/now#step-2$"))


def test_quick_exit_replaces_the_page_with_a_neutral_site_and_explains_itself_once(live_server, new_page):
    email, plan_id = client_with_plan(live_server.app)
    page = new_page(locale="en-NO", **PHONE)
    # The neutral site is out on the internet; here a stand-in answers for it.
    page.context.route(
        "https://www.yr.no/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Weather</title><h1>Weather in Oslo</h1>"
        ),
    )
    sign_in(page, live_server.url, email)
    page.goto(live_server.url + "/grounding/")
    note = page.locator("[data-exit-note]")
    expect(note).to_be_visible()
    expect(note).to_contain_text("browser history")
    page.get_by_role("button", name="I understand").click()
    expect(note).to_be_hidden()
    asked_reload(page)
    expect(note).to_be_hidden()  # once is enough

    page.goto(f"{live_server.url}/plans/{plan_id}")
    exit_button = page.get_by_role("button", name="Emergency: Exit this page")
    box = exit_button.bounding_box()
    assert box["y"] < 100 and box["height"] >= 44  # at the top, big enough
    length = page.evaluate("history.length")
    exit_button.click()
    expect(page).to_have_url("https://www.yr.no/")
    expect(page.locator("body")).not_to_contain_text("Mum")
    assert page.evaluate("history.length") == length  # replaced, not added

    # Shift three times, from the keyboard, anywhere on a client page.
    page.goto(f"{live_server.url}/grounding/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.keyboard.press("Shift")
    page.keyboard.press("a")  # typing resets the count
    for _ in range(2):
        page.keyboard.press("Shift")
    expect(page).to_have_url(re.compile(r"/grounding/$"))
    page.keyboard.press("Shift")
    expect(page).to_have_url("https://www.yr.no/")


@pytest.mark.parametrize("lang, number", [("en", "113"), ("nb", "113"), ("sv", "112")])
def test_help_strip_on_sign_in_register_help_and_offline_pages(live_server, new_page, lang, number):
    locale = {"en": "en-NO", "nb": "nb-NO", "sv": "sv-SE"}[lang]
    page = new_page(locale=locale, **PHONE)
    call = {"en": "In danger? Call", "nb": "I fare? Ring", "sv": "I fara? Ring"}[lang]
    # (404 and 500 pages: tests/integration/test_crisis_pages.py; here they would log a console error)
    for path in ("/auth/login", "/auth/register", "/offline"):
        assert page.goto(f"{live_server.url}{path}?lang={lang}").status == 200
        link = page.get_by_role(
            "region", name={"en": "Emergency help", "nb": "Akutt hjelp", "sv": "Akut hjälp"}[lang]
        ).get_by_role("link", name=f"{call} {number}")
        expect(link).to_have_attribute("href", f"tel:{number}")
        box = link.bounding_box()
        assert box["y"] < 120 and box["height"] >= 44, path
    page.get_by_role(
        "link", name={"en": "All crisis lines", "nb": "Hjelpetelefoner", "sv": "Alla stödlinjer"}[lang], exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/help$"))
    expect(page.get_by_role("link", name=re.compile(f"^(Call|Ring) {number}$"))).to_have_attribute(
        "href", f"tel:{number}"
    )
    page.get_by_label({"en": "Where do you live?", "nb": "Hvor bor du?", "sv": "Var bor du?"}[lang]).select_option("FI")
    page.get_by_role("button", name={"en": "Show numbers", "nb": "Vis numrene", "sv": "Visa numren"}[lang]).click()
    expect(page.locator('a[href="tel:+358925250112"]')).to_be_visible()


def test_help_page_at_laptop_size_keeps_the_emergency_call_in_view(live_server, new_page):
    page = new_page(locale="sv-SE", **LAPTOP)
    page.goto(live_server.url + "/help")
    box = page.get_by_role("link", name="Ring 112").first.bounding_box()
    assert box["y"] + box["height"] < 800


@pytest.mark.parametrize("before, after, kind", [(9, 9, "hard"), (6, 6, "hard"), (6, 3, "done")])
def test_grounding_player_meets_distress_with_a_next_step(live_server, new_page, before, after, kind):
    email, _ = client_with_plan(live_server.app)
    page = new_page(locale="en-NO", **PHONE)
    sign_in(page, live_server.url, email)
    page.goto(live_server.url + "/grounding/kind-words")
    before_panel = page.locator("[data-panel=before]")  # the after-rating has the same line, hidden yet
    expect(before_panel.get_by_text("Nobody watches Trygg, and your therapist is not alerted")).to_be_visible()
    page.get_by_role("button", name=str(before), exact=True).click()
    page.get_by_role("button", name="Stop here").click()
    page.get_by_role("button", name=str(after), exact=True).click()
    heading = page.locator("#gr-done-title")
    if kind == "hard":
        expect(heading).to_have_text("It is still hard right now. That is all right.")
        expect(heading).to_be_focused()
        for name in ("Try another exercise", "Open my plan", "Call my people", "Call a helpline"):
            expect(page.get_by_role("link", name=name)).to_be_visible()
        expect(page.locator("[data-next-steps]").get_by_role("link", name="Call 113")).to_have_attribute(
            "href", "tel:113"
        )
    else:
        expect(heading).to_have_text("Well done for taking this time.")
        expect(page.locator("[data-next-steps]")).to_be_hidden()
