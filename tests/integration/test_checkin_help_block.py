"""After a check-in with a very low mood or "yes" to unsafe behaviour, the client's page offers the
same calm help block to everyone who answers so (clinical review S1): their own people with a call
link each, the crisis lines of their plan's country with the emergency number first, and "I need
help now". After a middling answer, only "Saved.". The therapist never gets the block: it is
self-help for the person who answered, not a conclusion about them (DESIGN: display, never conclude).

Plain forms here; the page's script applies the same rule (sessions/help.py) to a check-in sent as
JSON or waiting offline (tests/e2e/test_checkin_help_browser.py)."""
from __future__ import annotations

import html as html_lib
import re

import pytest

from support.forms import csrf_token
from support.sessions import start_session

HEADING = {"nb": "Hvis du har det veldig vondt nå", "sv": "Om du har det väldigt svårt nu",
           "en": "If things are very hard right now"}
BLOCK = re.compile(r'<section id="checkin-help"([^>]*)>(.*?)</section>', re.S)


def _check_in(client, page: str, **answers) -> tuple[str, str]:
    """Save a check-in as the plain form does; (where it redirected to, the page then)."""
    html = client.get(page).get_data(as_text=True)
    version = re.search(r'name="base_version" value="(\d+)"', html).group(1)
    data = {"step": "checkin", "base_version": version, "coping": "", "unsafe_note": "",
            "csrf_token": csrf_token(client, page), **{k: str(v) for k, v in answers.items()}}
    saved = client.post(page, data=data)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:300]
    return saved.headers["Location"], client.get(saved.headers["Location"].split("#")[0]).get_data(as_text=True)


def _block(page: str) -> tuple[bool, str]:
    """(shown, its markup); the block is in an owner's page, hidden until an answer asks for it."""
    found = BLOCK.search(page)
    assert found, "no help block on the client's session page"
    return " hidden" not in found.group(1), found.group(2)


@pytest.fixture
def client_session(app, world):
    """A session on Ingrid's plan (Norway; Sister Kari +47 999 88 777 among her people)."""
    return f"/plans/{world.plan_id}/sessions/{start_session(app, world.plan_id, world.owner)}"


@pytest.mark.parametrize("lang", ["nb", "sv", "en"])
@pytest.mark.parametrize("answers", [{"mood": 0, "unsafe": "no"}, {"mood": 1}, {"mood": 6, "unsafe": "yes"}],
                         ids=["mood-0", "mood-1", "unsafe-yes"])
def test_a_very_low_mood_or_unsafe_yes_shows_the_help_block(client, sign_in, world, client_session, lang, answers):
    sign_in(world.owner)
    client.get(f"{client_session}?lang={lang}")
    location, page = _check_in(client, client_session, **answers)
    assert location.endswith("#checkin-help")  # the browser lands on the block, not on the form
    shown, block = _block(page)
    assert shown
    text = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", block)).split())
    assert HEADING[lang] in text
    people, lines = block.split('class="ss-help-lines"', 1)
    assert "tel:+4799988777" in re.findall(r'href="(tel:[^"]+)"', people)  # her own person, one tap
    assert re.findall(r'href="(tel:[^"]+)"', lines)[0] == "tel:113"  # the country's lines, emergency first
    assert 'href="/now"' in block
    own_words = " ".join(re.findall(r"<h3[^>]*>(.*?)</h3>\s*<p>(.*?)</p>", block, re.S)[0]).lower()
    # It offers help; it concludes nothing about the person.
    assert not set(re.findall(r"\w+", own_words)) & {"risk", "risiko", "fare", "fara"}


@pytest.mark.parametrize("answers", [{"mood": 5, "unsafe": "no"}, {"mood": 2, "unsafe": "no"}, {"mood": 7}],
                         ids=["mood-5", "mood-2", "mood-7-no-answer"])
def test_a_middling_answer_gets_only_saved(client, sign_in, world, client_session, answers):
    sign_in(world.owner)
    location, page = _check_in(client, client_session, **answers)
    assert location.endswith("#checkin")
    shown, _ = _block(page)
    assert not shown and "Saved." in page


def test_the_block_is_the_same_for_everyone_who_answers_so(app, client, sign_in, world, make_user):
    """Mood 0 and "yes" to unsafe behaviour give the very same block; nothing in it depends on how
    low the answer was."""
    sign_in(world.owner)
    first = f"/plans/{world.plan_id}/sessions/{start_session(app, world.plan_id, world.owner)}"
    second = f"/plans/{world.plan_id}/sessions/{start_session(app, world.plan_id, world.owner)}"
    _, low = _check_in(client, first, mood=0, unsafe="no")
    _, unsafe = _check_in(client, second, mood=8, unsafe="yes")
    assert _block(low) == _block(unsafe)


def test_a_better_answer_later_takes_the_block_away(client, sign_in, world, client_session):
    sign_in(world.owner)
    _check_in(client, client_session, mood=0)
    _, page = _check_in(client, client_session, mood=6, unsafe="no")
    assert not _block(page)[0]


def test_a_check_in_sent_as_json_shows_the_block_on_the_page(client, sign_in, world, client_session, api):
    sign_in(world.owner)
    api_url = client_session.replace("/plans/", "/api/v1/plans/")
    answer = api.patch(api_url, {"base_version": 1, "fields": {"mood": 0}})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert _block(client.get(client_session).get_data(as_text=True))[0]


def test_a_client_in_sweden_gets_sweden_s_emergency_number(app, client, sign_in, world):
    sign_in(world.other_client)
    page = f"/plans/{world.other_plan_id}/sessions/{start_session(app, world.other_plan_id, world.other_client)}"
    _, html = _check_in(client, f"{page}?lang=sv", mood=0)
    shown, block = _block(html)
    assert shown and re.findall(r'href="(tel:[^"]+)"', block)[0] == "tel:112"
    assert "tel:113" not in block


def test_the_therapist_never_gets_the_block(client, sign_in, world, client_session):
    sign_in(world.owner)
    _check_in(client, client_session, mood=0, unsafe="yes")
    sign_in(world.linked_therapist)
    assert 'id="checkin-help"' not in client.get(client_session).get_data(as_text=True)
    # ...not even when the therapist writes the check-in in session
    location, page = _check_in(client, client_session, mood=0, unsafe="yes")
    assert location.endswith("#checkin") and 'id="checkin-help"' not in page


def test_the_page_hands_its_script_the_same_rule(client, sign_in, world, client_session):
    from sessions import help as checkin_help  # the one place the rule is written

    sign_in(world.owner)
    page = client.get(client_session).get_data(as_text=True)
    assert f'data-help-mood="{checkin_help.MOOD_AT_MOST}"' in page
    assert checkin_help.offers_help(checkin_help.MOOD_AT_MOST, None)
    assert not checkin_help.offers_help(checkin_help.MOOD_AT_MOST + 1, False)
    assert checkin_help.offers_help(None, True) and not checkin_help.offers_help(None, None)
