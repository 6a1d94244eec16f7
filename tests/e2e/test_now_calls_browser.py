"""A call on every step of "I need help now" (issue 27, point 2), in real Chromium at 360x740 and
390x844: on each of the nine steps the emergency call and the first of the client's own people lie
on the first screen (44 px targets at least), the help strip shows the emergency number on every
page a client opens, /now says nobody is watching, and at 200 % text nothing scrolls sideways.
bench/now_calls.py prints the same positions as a table."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from backend.accounts.services import create_user
from backend.db import session_scope
from safety_plans import ops, plans
from support.plans import add_op

PASSWORD = "a calm walk by the river"
SIZES = {"360x740": (360, 740), "390x844": (390, 844)}
LOCALES = {"nb": "nb-NO", "sv": "sv-SE"}
FIRST_PERSON = "tel:+4791234567"
_numbers = itertools.count()


def client_with_full_plan(app, lang: str) -> tuple[str, int]:
    """A Norwegian client whose plan fills every step of the walk-through (nine in all)."""
    email = f"now-calls{next(_numbers)}@example.org"
    with app.test_request_context(), session_scope(app) as db:
        user = create_user(db, email, PASSWORD, role="client", locale=lang, country="NO", display_name="Ingrid")
        plan = plans.get_or_create_plan(db, user)
        ops.apply_ops(
            db,
            plan,
            user,
            [
                add_op("warning_signs", "Jeg slutter å svare på meldinger"),
                add_op("inner_coping", "Holde noe kaldt i hånden"),
                add_op("distraction", "Biblioteket på Grünerløkka"),
                add_op("support", "Mamma", phone="+47 912 34 567", agreed=True, sms_message="Kan du ringe meg?"),
                add_op("support", "Søster Kari", phone="+47 999 88 777"),
                add_op("professionals", "Fastlegen min", phone="+47 22 00 00 00"),
                add_op("safe_environment", "Kari tar vare på medisinene mine"),
                add_op("reasons", "Katten min Pus"),
                add_op("reasons", "Turen til Lofoten i sommer"),
            ],
        )
        return email, plan.id


def sign_in(page, url: str, email: str, lang: str) -> None:
    page.goto(f"{url}/auth/login?lang={lang}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r"/plans/\d+$"))


def on_first_screen(page, selector: str, height: int) -> dict:
    """The box of the step's first visible link matching `selector`; it must be whole on screen."""
    link = page.locator(f"[data-step]:visible {selector}").first
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{selector} at {box}"
    assert box["height"] >= 44 and box["width"] >= 44, f"{selector} is a small target: {box}"
    return box


@pytest.mark.parametrize("lang", ["nb", "sv"])
@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_every_step_has_the_emergency_call_and_my_first_person_on_the_first_screen(live_server, new_page, lang, size):
    width, height = SIZES[size]
    email, _ = client_with_full_plan(live_server.app, lang)
    page = new_page(locale=LOCALES[lang], viewport={"width": width, "height": height}, has_touch=True, is_mobile=True)
    sign_in(page, live_server.url, email, lang)
    page.goto(live_server.url + "/now")
    verb = {"nb": "Ring", "sv": "Ring"}[lang]
    seen = []
    for n in range(1, 10):
        step = page.locator("[data-step]:visible")
        expect(step).to_have_count(1)
        expect(step).to_have_attribute("id", f"step-{n}")
        emergency = on_first_screen(page, 'a[href="tel:113"]', height)
        person = on_first_screen(page, f'a[href="{FIRST_PERSON}"]', height)
        seen.append((n, round(emergency["y"]), round(person["y"])))
        # The strip above keeps its own call too, on every step.
        expect(page.locator(".help-strip a[data-emergency-call]")).to_have_accessible_name(re.compile(rf"{verb} 113$"))
        if n > 1:  # the first step lists every person with "Ring"; later ones name the first
            expect(step.get_by_role("link", name=f"{verb} Mamma").first).to_have_attribute("href", FIRST_PERSON)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if n < 9:
            step.locator("[data-next]").click()
    print(f"\n/now {lang} {size}: (step, y of the emergency call, y of the first own person) {seen}")
    assert [n for n, _, _ in seen] == list(range(1, 10))


def test_the_calls_reflow_at_200_percent_text_and_in_dark_mode(live_server, new_page):
    email, _ = client_with_full_plan(live_server.app, "nb")
    page = new_page(
        locale="nb-NO", viewport={"width": 360, "height": 740}, color_scheme="dark", has_touch=True, is_mobile=True
    )
    sign_in(page, live_server.url, email, "nb")
    page.goto(live_server.url + "/now#step-3")
    step = page.locator("[data-step]:visible")
    call = step.locator('a[href="tel:113"]').first
    person = step.locator(f'a[href="{FIRST_PERSON}"]').first
    # Dark mode: the buttons keep their own colours, readable on the dark page.
    colours = call.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
    assert colours[0] != colours[1]
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != colours[0]
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    for _ in range(3):  # the rest of the steps too
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        expect(call).to_be_visible()
        expect(person).to_be_visible()
        assert person.bounding_box()["x"] + person.bounding_box()["width"] <= 360
        step.locator("[data-next]").click()
        step = page.locator("[data-step]:visible")
        call, person = step.locator('a[href="tel:113"]').first, step.locator(f'a[href="{FIRST_PERSON}"]').first


@pytest.mark.parametrize("lang", ["nb", "sv"])
def test_the_strip_shows_the_emergency_number_on_every_page_a_client_opens(live_server, new_page, lang):
    email, plan_id = client_with_full_plan(live_server.app, lang)
    page = new_page(locale=LOCALES[lang], viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    sign_in(page, live_server.url, email, lang)
    for path in (f"/plans/{plan_id}", "/now", "/help", "/grounding/", f"/plans/{plan_id}/edit", "/account"):
        page.goto(live_server.url + path)
        call = page.locator(".help-strip a[data-emergency-call]")
        expect(call).to_have_attribute("href", "tel:113")
        expect(call).to_have_accessible_name(re.compile(r"(I fare|I fara)\? Ring 113$"))
        box = call.bounding_box()
        assert box["y"] + box["height"] <= 60 and box["height"] >= 44, (path, box)
        strip = page.locator(".help-strip").bounding_box()
        assert strip["height"] <= 56, f"{path}: the strip wrapped to {strip['height']} px"
    # A signed-in person's country is their plan's: no country button on the strip.
    expect(page.locator("[data-country-menu]")).to_have_count(0)


def test_now_says_nobody_watches_and_the_therapist_is_not_alerted(live_server, new_page):
    words = {
        "nb": "Ingen følger med på Trygg, og terapeuten din får ikke beskjed når du åpner denne siden.",
        "sv": "Ingen håller koll på Trygg, och din terapeut får inte veta när du öppnar den här sidan.",
    }
    for lang, line in words.items():
        email, _ = client_with_full_plan(live_server.app, lang)
        page = new_page(locale=LOCALES[lang], viewport={"width": 390, "height": 844})
        sign_in(page, live_server.url, email, lang)
        page.goto(live_server.url + "/now")
        expect(page.locator("#step-1").get_by_text(line)).to_be_visible()
