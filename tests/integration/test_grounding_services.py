"""Rules without HTTP: ranking by average drop, the plan's exercises, and the sharing rule."""
from __future__ import annotations

import uuid

import pytest

from backend.accounts.care import end_link, link
from backend.accounts.services import create_user
from backend.db import session_scope
from backend.errors import ServiceError
from grounding import services


@pytest.fixture
def db(app):
    with app.test_request_context(), session_scope(app) as session:
        yield session


@pytest.fixture
def people(db):
    client = create_user(db, "kari@example.org", "correct horse battery staple", role="client")
    therapist = create_user(db, "berg@example.org", "correct horse battery staple", role="therapist")
    db.flush()
    return client, therapist


def log(db, user_id, slug, before, after):
    return services.record_session(db, user_id, {
        "client_uuid": str(uuid.uuid4()), "exercise": slug, "distress_before": before,
        "distress_after": after, "duration_seconds": 60})[0]


def test_ranking_puts_the_biggest_average_drop_first(db, people):
    client, _ = people
    log(db, client.id, "kind-words", 6, 5)        # drop 1
    log(db, client.id, "five-senses", 8, 4)       # drops 4 and 2: average 3
    log(db, client.id, "five-senses", 6, 4)
    log(db, client.id, "feet-on-the-floor", 5, 7)  # rose by 2
    log(db, client.id, "safe-place", None, 3)     # not rated before: not ranked
    ranking = services.ranking(db, client.id, "en")
    assert [(r["slug"], r["avg_drop"], r["count"]) for r in ranking] == [
        ("five-senses", 3.0, 2), ("kind-words", 1.0, 1), ("feet-on-the-floor", -2.0, 1)]


def test_the_catalog_lists_what_helped_most_first_then_the_rest_in_order(db, people):
    client, _ = people
    unranked = [item["slug"] for item in services.catalog_for(db, client.id, "en")]
    log(db, client.id, "kind-words", 6, 5)
    log(db, client.id, "breathing-4-7-8", 9, 2)
    ranked = [item["slug"] for item in services.catalog_for(db, client.id, "sv")]
    assert ranked[:2] == ["breathing-4-7-8", "kind-words"]
    assert ranked[2:] == [s for s in unranked if s not in ("breathing-4-7-8", "kind-words")]


def test_ranking_is_per_client(db, people):
    client, therapist = people
    other = create_user(db, "ola@example.org", "correct horse battery staple", role="client")
    db.flush()
    log(db, other.id, "kind-words", 10, 0)
    assert services.ranking(db, client.id, "en") == []


def test_exercises_for_client_merges_chosen_recommended_and_custom_most_helpful_first(db, people):
    client, therapist = people
    link(db, therapist.id, client.id)
    services.set_chosen(db, client.id, "five-senses", True)
    services.set_chosen(db, client.id, "kind-words", True)
    services.recommend(db, therapist.id, client.id, "kind-words")  # already chosen: listed once
    services.recommend(db, therapist.id, client.id, "gentle-breathing")
    custom = services.add_custom_exercise(db, client.id, therapist.id, "Min tur", "Gå ut\nKjenn lufta")
    log(db, client.id, custom.slug, 7, 2)
    log(db, client.id, "kind-words", 7, 6)
    items = services.exercises_for_client(db, client.id, "nb")
    assert [(i["slug"], i["source"], i["avg_drop"]) for i in items] == [
        (custom.slug, "custom", 5.0), ("kind-words", "chosen", 1.0),
        ("five-senses", "chosen", None), ("gentle-breathing", "recommended", None)]
    assert items[0]["url"] == f"/grounding/custom/{custom.id}" and items[0]["kind"] == "custom"
    assert items[2] == {"slug": "five-senses", "title": "5-4-3-2-1 med sansene", "url": "/grounding/five-senses",
                        "kind": "senses", "source": "chosen", "avg_drop": None}


def test_recommendations_need_a_link_and_vanish_when_it_ends(db, people):
    client, therapist = people
    with pytest.raises(ServiceError):
        services.recommend(db, therapist.id, client.id, "kind-words")
    link(db, therapist.id, client.id)
    services.recommend(db, therapist.id, client.id, "kind-words")
    assert [i["source"] for i in services.exercises_for_client(db, client.id, "en")] == ["recommended"]
    end_link(db, therapist.id, client.id)
    assert services.exercises_for_client(db, client.id, "en") == []


def test_a_therapist_sees_the_log_only_when_linked_and_allowed(db, people):
    client, therapist = people
    assert not services.therapist_may_see_log(db, therapist.id, client.id)  # not linked, not shared
    link(db, therapist.id, client.id)
    assert not services.therapist_may_see_log(db, therapist.id, client.id)  # off by default
    services.set_sharing(db, client.id, True)
    assert services.therapist_may_see_log(db, therapist.id, client.id)
    services.set_sharing(db, client.id, False)
    assert not services.therapist_may_see_log(db, therapist.id, client.id)
    services.set_sharing(db, client.id, True)
    end_link(db, therapist.id, client.id)
    assert not services.therapist_may_see_log(db, therapist.id, client.id)


def test_personal_exercises_need_a_title_and_a_step(db, people):
    client, _ = people
    with pytest.raises(ServiceError):
        services.add_custom_exercise(db, client.id, client.id, " ", "step")
    with pytest.raises(ServiceError):
        services.add_custom_exercise(db, client.id, client.id, "Title", "\n  \n")
    exercise = services.add_custom_exercise(db, client.id, client.id, "Title", " one \n\n two ")
    assert exercise.steps == ["one", "two"]
