"""Wherever a client writes or rates, one line says plainly that nobody watches Trygg and that their
therapist is not alerted (clinical review S4): the session's check-in, check-out and feedback, our
agreement, small wins, the grounding log and the rating after an exercise. One message from one
macro (pwa/templates/_notice.html), so the words are the same on every page; the therapist, who is
not the one writing about themselves, does not get it."""
from __future__ import annotations

import html as html_lib
import re

import pytest

# The line as a client in Norway reads it (the plan's country gives the emergency number, 113).
LINE = {
    "nb": "Ingen følger med på Trygg, og terapeuten din får ikke beskjed når du skriver her eller sier hvordan "
          "du har det. Er det akutt, ring 113.",
    "sv": "Ingen håller koll på Trygg, och din terapeut får inte veta när du skriver här eller svarar på hur du "
          "mår. Ring 113 om det är akut.",
    "en": "Nobody watches Trygg, and your therapist is not alerted when you write here or rate how you feel. "
          "In an emergency, call 113.",
}
NOT_WATCHED = re.compile(r'<p class="not-watched">(.*?)</p>', re.S)


def _lines(page: str) -> list[str]:
    return [" ".join(html_lib.unescape(m).split()) for m in NOT_WATCHED.findall(page)]


def _section(page: str, step: str) -> str:
    """One step of the session page, up to the next (steps hold sections of their own)."""
    start = page.index(f'<section id="{step}" class="ss-step"')
    end = page.find('class="ss-step"', start + 40)
    return page[start:end if end > 0 else None]


def _get(client, url: str, lang: str) -> str:
    response = client.get(f"{url}?lang={lang}")
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _pages(world, session_id: int) -> list[str]:
    return [f"/plans/{world.plan_id}/sessions/{session_id}", f"/plans/{world.plan_id}/agreement",
            f"/plans/{world.plan_id}/wins", "/grounding/history", "/grounding/five-senses"]


@pytest.mark.parametrize("lang", ["nb", "sv", "en"])
def test_every_page_where_a_client_writes_or_rates_says_nobody_watches(client, sign_in, world, session_id, lang):
    sign_in(world.owner)
    for url in _pages(world, session_id):
        assert LINE[lang] in _lines(_get(client, url, lang)), url


@pytest.mark.parametrize("lang", ["nb", "sv"])
def test_the_session_says_it_at_each_step_the_client_writes_in(client, sign_in, world, session_id, lang):
    sign_in(world.owner)
    page = _get(client, f"/plans/{world.plan_id}/sessions/{session_id}", lang)
    for step in ("checkin", "checkout", "feedback"):
        assert _lines(_section(page, step)) == [LINE[lang]], step


def test_the_grounding_player_says_it_where_distress_is_rated_after_the_exercise_too(client, sign_in, world):
    sign_in(world.owner)
    page = _get(client, "/grounding/five-senses", "nb")
    after = re.search(r'data-panel="after"(.*?)</section>', page, re.S).group(1)
    assert _lines(after) == [LINE["nb"]]


def test_the_check_in_hint_no_longer_says_only_that_the_therapist_sees_it(client, sign_in, world, session_id):
    sign_in(world.owner)
    checkin = _section(_get(client, f"/plans/{world.plan_id}/sessions/{session_id}", "nb"), "checkin")
    assert "Terapeuten din ser det." not in checkin
    assert "Terapeuten din ser det kanskje ikke før dere møtes." in checkin


def test_the_therapist_does_not_get_the_line(client, sign_in, world, session_id):
    sign_in(world.linked_therapist)
    for url in (f"/plans/{world.plan_id}/sessions/{session_id}", f"/plans/{world.plan_id}/agreement",
                f"/plans/{world.plan_id}/wins"):
        assert _lines(_get(client, url, "nb")) == [], url
