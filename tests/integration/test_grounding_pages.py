"""Grounding pages: catalog, player, log with chart, sharing, recommendations, personal exercises."""

from __future__ import annotations

import re

import pytest

from support.forms import post_form
from support.grounding import browser_for, post_json, session_payload

API = "/api/v1/grounding/sessions"


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_catalog_and_player_need_sign_in(client):
    for url in ("/grounding/", "/grounding/five-senses", "/grounding/history"):
        assert client.get(url).status_code == 302


@pytest.mark.parametrize(
    "lang, title",
    [("nb", "5-4-3-2-1 med sansene"), ("sv", "5-4-3-2-1 med sinnena"), ("en", "5-4-3-2-1 with your senses")],
)
def test_the_player_shows_every_step_in_the_users_language(client, grounding_client, lang, title):
    page = html(client.get(f"/grounding/five-senses?lang={lang}"))
    assert f"<h1 id=\"gr-title\">{title}</h1>" in page
    assert page.count('data-panel="step"') == 5
    assert 'name="csrf-token"' in page and 'type="module"' in page
    assert 'data-save-url="/api/v1/grounding/sessions"' in page
    assert " style=" not in page


def test_breathing_pacers_show_cautions_and_a_non_breathing_alternative(client, grounding_client):
    page = html(client.get("/grounding/breathing-4-7-8"))
    assert "data-pacer" in page and 'data-max-cycles="4"' in page
    assert "Take care" in page and "light-headed" in page
    assert 'href="/grounding/feet-on-the-floor"' in page


def test_an_unknown_exercise_is_404(client, grounding_client):
    assert client.get("/grounding/no-such-thing").status_code == 404


def test_the_catalog_puts_what_works_for_me_first(client, grounding_client):
    post_json(client, API, session_payload(exercise="safe-place", before=9, after=3))
    page = html(client.get("/grounding/"))
    assert "What works for me" in page
    catalog = page.split('id="gr-all"')[1]
    first = re.search(r'class="gr-card-title" href="/grounding/([a-z0-9-]+)"', catalog).group(1)
    assert first == "safe-place"


def test_history_draws_an_svg_chart_without_inline_styles(client, grounding_client):
    assert "No sessions yet" in html(client.get("/grounding/history"))
    post_json(client, API, session_payload(before=8, after=4))
    post_json(client, API, session_payload(exercise="kind-words", before=5, after=None))
    page = html(client.get("/grounding/history"))
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg
    assert svg.count('class="gr-before"') == 3  # two sessions + the legend
    assert " style=" not in page and "<script src=\"http" not in page
    assert "distress fell by 4.0 on average (1 session)" in page


def test_adding_an_exercise_to_the_plan(app, client, grounding_client):
    response = post_form(client, "/grounding/kind-words/plan", {"add": "1"}, token_page="/grounding/kind-words")
    assert response.status_code == 302
    assert "This exercise is on your plan." in html(client.get("/grounding/kind-words"))
    from backend.db import session_scope
    from grounding.services import exercises_for_client

    with session_scope(app) as db:
        assert [i["slug"] for i in exercises_for_client(db, grounding_client[1], "en")] == ["kind-words"]
    post_form(client, "/grounding/kind-words/plan", {"add": "0"}, token_page="/grounding/kind-words")
    assert "Add to my plan" in html(client.get("/grounding/kind-words"))


def test_a_client_writes_a_personal_exercise(client, grounding_client):
    bad = post_form(
        client, "/grounding/mine/new", {"title": "My walk", "steps": "  "}, token_page="/grounding/mine/new"
    )
    assert bad.status_code == 400 and 'value="My walk"' in bad.get_data(as_text=True)
    ok = post_form(
        client,
        "/grounding/mine/new",
        {"title": "My walk", "steps": "Put on shoes\nWalk slowly"},
        token_page="/grounding/mine/new",
    )
    assert ok.status_code == 302
    page = html(client.get("/grounding/custom/1"))
    assert "Put on shoes" in page and page.count('data-panel="step"') == 2


def test_sharing_rule_on_the_therapists_page(app, client, grounding_client, make_user, link_users):
    email, client_id = grounding_client
    post_json(client, API, session_payload(before=8, after=4))
    therapist_email = make_user("therapist")
    therapist = browser_for(app, therapist_email)
    # Not linked: the page does not exist for them.
    assert therapist.get(f"/grounding/clients/{client_id}").status_code == 404
    link_users(therapist_email, email)
    page = html(therapist.get(f"/grounding/clients/{client_id}"))
    assert "has not chosen to share" in page and "<svg" not in page
    # The client turns sharing on: now the therapist sees the chart.
    post_form(client, "/grounding/sharing", {"share": "on"}, token_page="/grounding/history")
    page = html(therapist.get(f"/grounding/clients/{client_id}"))
    assert "<svg" in page and "has not chosen to share" not in page
    post_form(client, "/grounding/sharing", {"share": "off"}, token_page="/grounding/history")
    assert "<svg" not in html(therapist.get(f"/grounding/clients/{client_id}"))
    # A therapist never reaches a client's own log page or API.
    assert therapist.get("/grounding/history").status_code == 403
    assert therapist.get(API).status_code == 403


def test_a_linked_therapist_recommends_and_writes_exercises(app, client, grounding_client, make_user, link_users):
    email, client_id = grounding_client
    therapist_email = make_user("therapist")
    link_users(therapist_email, email)
    therapist = browser_for(app, therapist_email)
    page_url = f"/grounding/clients/{client_id}"
    response = post_form(therapist, f"{page_url}/recommend", {"exercise": "gentle-breathing"}, token_page=page_url)
    assert response.status_code == 302
    response = post_form(
        therapist,
        f"{page_url}/custom",
        {"title": "Stone in pocket", "steps": "Hold it\nFeel it"},
        token_page=f"{page_url}/custom",
    )
    assert response.status_code == 302
    from backend.db import session_scope
    from grounding.services import exercises_for_client

    with session_scope(app) as db:
        items = exercises_for_client(db, client_id, "en")
    assert [(i["slug"], i["source"]) for i in items] == [("gentle-breathing", "recommended"), ("custom-1", "custom")]
    # The client sees the therapist's exercise and can play it; a stranger cannot.
    assert "Stone in pocket" in html(client.get("/grounding/"))
    assert "Recommended by your therapist" in html(client.get("/grounding/"))
    stranger = browser_for(app, make_user("client"))
    assert stranger.get("/grounding/custom/1").status_code == 404
    # An unlinked therapist cannot recommend.
    other = browser_for(app, make_user("therapist"))
    assert (
        post_form(other, f"{page_url}/recommend", {"exercise": "kind-words"}, token_page="/grounding/").status_code
        == 404
    )


def test_therapists_can_open_the_catalog_and_player_but_not_save(app, make_user, link_users):
    therapist = browser_for(app, make_user("therapist"))
    assert "All exercises" in html(therapist.get("/grounding/"))
    assert 'data-save-url=""' in html(therapist.get("/grounding/gentle-breathing"))


def test_the_nav_links_to_grounding(client, grounding_client):
    assert 'href="/grounding/"' in html(client.get("/grounding/history"))
