"""A therapist's reads and changes of a client's grounding are in the client's access log: the
chart page, a personal exercise, recommending, writing and removing exercises."""
from __future__ import annotations

from sqlalchemy import select

from backend.audit import AccessEvent
from backend.db import session_scope
from grounding.models import CustomExercise
from support.forms import csrf_token
from support.grounding import browser_for, user_id


def _events(app, client_id):
    with session_scope(app) as db:
        return [(e.action, e.object_type, e.object_id) for e in db.scalars(
            select(AccessEvent).where(AccessEvent.client_id == client_id).order_by(AccessEvent.id))]


def test_every_therapist_read_and_change_of_grounding_is_logged(app, world):
    therapist = browser_for(app, world.linked_therapist)
    client_id = user_id(app, world.owner)
    assert therapist.get(f"/grounding/clients/{client_id}").status_code == 200
    token = csrf_token(therapist, f"/grounding/clients/{client_id}")
    assert therapist.post(f"/grounding/clients/{client_id}/recommend",
                          data={"csrf_token": token, "exercise": "five-senses"}).status_code == 302
    assert therapist.post(f"/grounding/clients/{client_id}/custom",
                          data={"csrf_token": token, "title": "Cold water", "steps": "Hands under tap\nBreathe"}
                          ).status_code == 302
    with session_scope(app) as db:
        exercise_id = db.scalar(select(CustomExercise.id).where(CustomExercise.title == "Cold water"))
    assert therapist.get(f"/grounding/custom/{exercise_id}").status_code == 200
    assert therapist.post(f"/grounding/custom/{exercise_id}/delete", data={"csrf_token": token}).status_code == 302

    events = _events(app, client_id)
    assert ("open", "grounding", None) in events
    assert ("change", "grounding", None) in events
    with session_scope(app) as db:  # one calm line for the half hour, counting both: written, removed
        assert db.scalar(select(AccessEvent.count).where(
            AccessEvent.action == "change", AccessEvent.object_id == exercise_id)) == 2
    assert ("open", "grounding_exercise", exercise_id) in events

    owner = browser_for(app, world.owner)
    page = owner.get(f"/plans/{world.plan_id}/access-log").get_data(as_text=True)
    assert "opened your grounding exercises" in page and "changed your own grounding exercises" in page


def test_the_chart_is_logged_as_the_log_when_shared_and_the_clients_own_use_is_not(app, world):
    owner = browser_for(app, world.owner)
    client_id = user_id(app, world.owner)
    owner.post("/grounding/sharing", data={"csrf_token": csrf_token(owner, "/grounding/history"), "share": "on"})
    owner.get("/grounding/history")
    therapist = browser_for(app, world.linked_therapist)
    therapist.get(f"/grounding/clients/{client_id}")
    assert [e for e in _events(app, client_id) if e[1].startswith("grounding")] == [("open", "grounding_log", None)]
