"""The crisis moment over HTTP: help for everyone on every kind of page, the person's country
(not the language's), the walk-through that writes nothing, honest words, and a plan to share."""

from __future__ import annotations

import io
import re
from datetime import UTC

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from backend.access import public
from backend.accounts.services import find_user
from backend.audit import AccessEvent
from backend.db import session_scope
from grounding.models import GroundingSession
from safety_plans import ops
from safety_plans.models import Plan, PlanChange
from support.forms import AuthActions, csrf_token
from support.plans import add_op

NO = {"Accept-Language": "en-NO,en;q=0.8"}


def _html(response) -> str:
    return response.get_data(as_text=True)


def _strip_call(html: str) -> str | None:
    """The help strip's emergency link (href), if the page has one."""
    strip = re.search(r'<div class="help-strip".*?</div>', html, re.S)
    assert strip, "no help strip on the page"
    call = re.search(r'class="help-call" href="([^"]+)"', strip.group(0))
    return call.group(1) if call else None


@pytest.mark.parametrize(
    "url, status",
    [("/auth/login", 200), ("/auth/register", 200), ("/help", 200), ("/no-such-page", 404), ("/offline", 200)],
)
def test_every_public_page_has_a_one_tap_emergency_call_for_the_browsers_country(client, url, status):
    response = client.get(url, headers=NO)
    assert response.status_code == status
    html = _html(response)
    # An English page in Norway: Norway's 113 first, not the UK's 999.
    assert re.findall(r'href="tel:([^"]+)"', html)[0] == "113"
    if url == "/help":
        assert html.index('href="tel:113"') < html.index('href="tel:999"')  # the UK only under others
    else:
        assert _strip_call(html) == "tel:113" and 'href="tel:999"' not in html
    assert 'href="/help"' in html


def test_a_server_error_page_still_has_the_emergency_call(app, client):
    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("broken on purpose")

    response = client.get("/boom", headers={"Accept-Language": "sv-SE"})
    assert response.status_code == 500
    assert _strip_call(_html(response)) == "tel:112"


def test_locked_out_sign_in_shows_the_crisis_lines_it_promises(client, make_user):
    email = make_user("client")
    for _ in range(6):
        response = client.post(
            "/auth/login",
            headers=NO,
            data={"email": email, "password": "wrong password here", "csrf_token": csrf_token(client)},
        )
    assert response.status_code == 429
    html = _html(response)
    assert "call the numbers below" in html
    below = html[html.index("call the numbers below") :]
    assert 'href="tel:113"' in below and 'href="tel:116123"' in below


def test_help_page_is_public_lists_every_country_and_remembers_a_choice(client):
    html = _html(client.get("/help", headers=NO))
    assert "Crisis lines for Norway" in html
    for country in ("Sweden", "Denmark", "Finland", "United Kingdom", "United States"):
        assert f"<summary>{country}</summary>" in html
    html = _html(client.get("/help?country=SE", headers=NO))
    assert "Crisis lines for Sweden" in html and 'href="tel:90101"' in html
    # Signed out, the choice holds for the visit: the strip on the next page calls Sweden's 112.
    assert _strip_call(_html(client.get("/auth/login", headers=NO))) == "tel:112"
    assert client.get("/help?country=XX").status_code == 200  # unknown: ignored, not an error


def test_help_page_is_in_the_readers_language_for_any_country(client):
    html = _html(client.get("/help?lang=nb&country=GB"))
    assert "Hjelpetelefoner i Storbritannia" in html and "Ring 999" in html


def test_registration_asks_where_you_live_defaulting_from_the_browsers_region(app, client):
    html = _html(client.get("/auth/register", headers=NO))
    assert "Where do you live?" in html
    assert re.search(r'<option selected value="NO">|<option value="NO" selected>', html)
    data = {
        "email": "ana@example.org",
        "password": "a calm walk by the river",
        "display_name": "Ana",
        "country": "SE",
        "csrf_token": csrf_token(client, "/auth/register"),
    }
    assert client.post("/auth/register", data=data, headers=NO).status_code == 302
    AuthActions(client).login("ana@example.org", "a calm walk by the river")  # registration mails a link
    html = _html(client.get("/plans/mine", follow_redirects=True, headers=NO))
    assert "Call 112" in html and "Call 113" not in html
    with session_scope(app) as db:
        assert find_user(db, "ana@example.org").country == "SE"


def test_registration_refuses_an_unknown_country(client):
    data = {
        "email": "bo@example.org",
        "password": "a calm walk by the river",
        "country": "XX",
        "csrf_token": csrf_token(client, "/auth/register"),
    }
    response = client.post("/auth/register", data=data)
    assert response.status_code == 400 and "Not a valid choice" in _html(response)


def test_crisis_view_first_screen_order_emergency_then_my_people_then_folded_helplines(client, sign_in, world):
    sign_in(world.owner)
    html = _html(client.get(f"/plans/{world.plan_id}"))
    emergency = html.index('href="tel:113"')
    kari_call = html.index('href="tel:+4799988777"')
    kari_text = html.index('href="sms:+4799988777?body=Can%20you%20call%20me%3F"')
    folded = html.index('<details class="sp-more-lines">')
    helpline = html.index('href="tel:116123"')
    signs = html.index("I stop answering messages")
    assert emergency < kari_call < kari_text < folded < helpline < signs
    assert html.count('href="tel:+4799988777"') == 1  # the person is not listed twice
    assert 'href="https://sidetmedord.no/"' in html  # chat at the same rank as Call
    assert '>Call<span class="visually-hidden"> Sister Kari' in html
    assert '>Text<span class="visually-hidden"> Sister Kari' in html
    assert 'href="/now"' in html and "I need help now" in html
    assert "Numbers for Norway" in html and f'action="/plans/{world.plan_id}/country"' in html
    assert "<summary>More helplines" in html and "Who has seen my plan" in html
    assert f'href="/plans/{world.plan_id}/plan.pdf"' in html


def test_the_people_on_the_crisis_view_are_named_as_the_readers_or_the_clients(client, sign_in, world):
    """The client reads "My people"; their therapist reads the same people as the client's, by name."""
    sign_in(world.owner)
    mine = _html(client.get(f"/plans/{world.plan_id}"))
    assert '<h3 class="sp-people-title">My people</h3>' in mine and "People close to" not in mine
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, f"/plans/{world.plan_id}")})
    sign_in(world.linked_therapist)
    theirs = _html(client.get(f"/plans/{world.plan_id}"))
    assert '<h3 class="sp-people-title">People close to Ingrid</h3>' in theirs and "My people" not in theirs
    assert 'href="tel:+4799988777"' in theirs
    norwegian = _html(client.get(f"/plans/{world.plan_id}?lang=nb"))
    assert '<h3 class="sp-people-title">De nærmeste til Ingrid</h3>' in norwegian


def test_walkthrough_goes_in_plan_order_skips_empty_steps_and_writes_nothing(app, client, sign_in, world):
    with app.test_request_context(), session_scope(app) as db:
        owner = find_user(db, world.owner)
        plan = db.get(Plan, world.plan_id)
        ops.apply_ops(db, plan, owner, [add_op("reasons", "My cat Pus"), add_op("inner_coping", "Cold water")])
    sign_in(world.owner)

    def counts():
        with session_scope(app) as db:
            return (
                db.get(Plan, world.plan_id).revision,
                db.scalar(select(func.count()).select_from(PlanChange)),
                db.scalar(select(func.count()).select_from(AccessEvent)),
            )

    before = counts()
    html = _html(client.get("/now"))
    assert counts() == before
    titles = re.findall(r'<h2 id="step-[\w-]+-title" class="now-title" tabindex="-1">([^<]+)</h2>', html)
    assert titles == [
        "In danger now? Call 113",
        "What I can do myself",
        "People I can ask for help",
        "Helplines",
        "What matters to me",
        "You went through your plan.",
    ]
    assert "Places and people that take my mind off it" not in html  # empty: skipped
    assert html.index("Cold water") < html.index("My cat Pus")
    assert html.count('data-next') == len(titles) - 1 and "Stop here" in html
    assert f'href="/plans/{world.plan_id}"' in html  # "Stop here" leads to the plan
    assert "Step 1 of 6" in html and "Step 6 of 6" in html
    assert "<form" not in html.split('<main')[1].split('</main>')[0]  # nothing to send from here
    assert client.get(f"/plans/{world.plan_id}/now").status_code == 200


def test_walkthrough_signed_out_leads_to_the_help_page(client):
    response = client.get("/now?source=shortcut")
    assert response.status_code == 302 and response.headers["Location"].endswith("/help")


def test_therapist_going_through_the_walkthrough_is_logged(app, client, sign_in, world):
    sign_in(world.linked_therapist)
    assert client.get(f"/plans/{world.plan_id}/now").status_code == 200
    with session_scope(app) as db:
        actions = db.scalars(select(AccessEvent.action)).all()
    assert "open" in actions


def test_client_pages_say_plainly_that_nobody_watches(client, sign_in, world):
    sign_in(world.owner)
    words = ("Nobody watches Trygg, and your therapist is not alerted when you write here or rate how you feel. "
             "In an emergency, call 113.")
    for url in (f"/plans/{world.plan_id}/edit", f"/plans/{world.plan_id}/commitments", "/grounding/five-senses"):
        assert words in _html(client.get(url)), url
    sign_in(world.linked_therapist)
    assert "your therapist is not alerted" not in _html(client.get(f"/plans/{world.plan_id}/edit"))


def test_quick_exit_is_on_client_pages_only(client, sign_in, world):
    sign_in(world.owner)
    html = _html(client.get(f"/plans/{world.plan_id}"))
    assert 'data-quick-exit' in html and 'href="https://www.yr.no/"' in html and 'rel="nofollow noreferrer"' in html
    assert "quick-exit." in html  # the script that makes it replace the page
    sign_in(world.linked_therapist)
    assert 'data-quick-exit' not in _html(client.get("/clients"))
    sign_in(None)
    assert 'data-quick-exit' not in _html(client.get("/auth/login"))


def _set_clinic(client, name, phone):
    return client.post(
        "/clients/clinic",
        data={"clinic_name": name, "clinic_phone": phone, "csrf_token": csrf_token(client, "/clients/clinic")},
    )


def test_therapist_sets_clinic_details_with_a_clear_error_for_a_bad_phone(client, sign_in, world):
    sign_in(world.linked_therapist)
    response = _set_clinic(client, "DPS Nord", "call me maybe")
    assert response.status_code == 400
    html = _html(response)
    assert "Use digits, spaces and + only" in html and 'value="call me maybe"' in html
    assert _set_clinic(client, "DPS Nord", "+47 22 33 44 55").status_code == 302
    assert 'value="+47 22 33 44 55"' in _html(client.get("/clients/clinic"))


def test_print_view_carries_date_names_clinic_commitments_and_exercises(app, client, sign_in, world):
    sign_in(world.linked_therapist)
    _set_clinic(client, "DPS Nord", "+47 22 33 44 55")
    sign_in(world.owner)
    token = csrf_token(client, "/grounding/five-senses")
    client.post("/grounding/five-senses/plan", data={"add": "1", "csrf_token": token})
    html = _html(client.get(f"/plans/{world.plan_id}/print"))
    assert "Made on" in html and "Client: Ingrid" in html and "Therapist: Dr Berg" in html
    assert "DPS Nord, +47 22 33 44 55" in html
    assert "Call Kari on Sunday" in html and "data-print" in html
    assert "5-4-3-2-1" in html or "senses" in html.lower()
    assert "Reviewed together on" not in html  # no review date in the data yet


def test_pdf_has_the_plan_in_words_a_reader_can_extract(app, client, sign_in, world):
    sign_in(world.linked_therapist)
    _set_clinic(client, "Klinikk Ås", "+47 22 33 44 55")
    sign_in(world.owner)
    client.get("/help?lang=nb")
    response = client.get(f"/plans/{world.plan_id}/plan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for words in (
        "Min sikkerhetsplan",
        "I fare nå? Ring 113.",
        "Klient: Ingrid",
        "Terapeut: Dr Berg",
        "Klinikk Ås",
        "Sister Kari — +47 999 88 777",
        "Call Kari on Sunday",
        "Mine faresignaler",
        "Mental Helse Hjelpetelefonen: 116 123",
        "Ingen følger med på Trygg",
    ):
        assert words in text, words


def test_therapist_print_and_pdf_are_in_the_clients_access_log(app, client, sign_in, world):
    sign_in(world.linked_therapist)
    assert client.get(f"/plans/{world.plan_id}/print").status_code == 200
    assert client.get(f"/plans/{world.plan_id}/plan.pdf").status_code == 200
    with session_scope(app) as db:
        actions = db.scalars(select(AccessEvent.action)).all()
    assert "print" in actions and "export" in actions


def test_unlinked_therapist_gets_no_pdf(client, sign_in, world):
    sign_in(world.unlinked_therapist)
    assert client.get(f"/plans/{world.plan_id}/plan.pdf").status_code == 404


def test_manifest_shortcut_and_service_worker_keep_the_walkthrough_and_help_offline(client, sign_in, world):
    manifest = client.get("/manifest.webmanifest").get_json()
    assert manifest["shortcuts"][0]["url"].startswith("/now") and manifest["shortcuts"][0]["name"] == "I need help now"
    sw = _html(client.get("/sw.js"))
    assert '"/help"' in sw  # precached for anyone, signed in or not
    sign_in(world.owner)
    urls = client.get("/api/v1/offline").get_json()["urls"]
    assert "/now" in urls and f"/plans/{world.plan_id}" in urls


def test_what_works_for_me_never_shows_a_negative_drop(app, client, sign_in, world):
    sign_in(world.owner)
    with session_scope(app) as db:
        owner = find_user(db, world.owner)
        import uuid
        from datetime import datetime

        for before, after in ((4, 6), (5, 7)):
            db.add(
                GroundingSession(
                    user_id=owner.id,
                    exercise_slug="kind-words",
                    client_uuid=str(uuid.uuid4()),
                    started_at=datetime(2026, 11, 20, tzinfo=UTC),
                    duration_seconds=60,
                    distress_before=before,
                    distress_after=after,
                    completed=True,
                )
            )
    for url in ("/grounding/history", "/grounding/"):
        html = _html(client.get(url))
        assert "this one has not helped yet (2 sessions)" in html, url
        assert "fell by -" not in html and "fell by -2" not in html


def test_registration_defaults_to_a_country_chosen_on_the_help_page(client):
    client.get("/help?country=FI", headers=NO)
    html = _html(client.get("/auth/register", headers=NO))
    assert re.search(r'<option selected value="FI">|<option value="FI" selected>', html)


def test_quick_exit_note_is_drawn_until_understood_also_without_javascript(client, sign_in, world):
    sign_in(world.owner)
    assert "data-exit-note" in _html(client.get("/grounding/"))
    assert "data-exit-note" not in _html(client.get(f"/plans/{world.plan_id}"))  # never above the crisis view
    response = client.post("/exit-note", data={"next": "/grounding/", "csrf_token": csrf_token(client, "/grounding/")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/grounding/")
    assert "trygg_exit_note=1" in response.headers["Set-Cookie"]
    assert "data-exit-note" not in _html(client.get("/grounding/"))
    bad = client.post("/exit-note", data={"next": "//evil.example", "csrf_token": csrf_token(client, "/grounding/")})
    assert bad.headers["Location"].endswith("/")
