"""`flask --app backend demo-data` gives a newcomer a therapist and two clients with real plans,
once: running it again changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from backend.accounts import care
from backend.accounts.services import find_user
from backend.db import session_scope
from safety_plans import plans
from safety_plans.demo import PASSWORD
from safety_plans.models import PlanItem


def test_demo_data_makes_linked_people_with_plans_once(app, runner, client, auth):
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    assert "berg@demo.trygg" in first.output and PASSWORD in first.output
    with session_scope(app) as db:
        berg, ingrid = find_user(db, "berg@demo.trygg"), find_user(db, "ingrid@demo.trygg")
        assert berg.role == "therapist" and care.is_linked(db, berg.id, ingrid.id)
        plan = plans.plan_of(db, ingrid)
        items = db.scalar(select(func.count(PlanItem.id)).where(PlanItem.plan_id == plan.id))
        assert items >= 10 and ingrid.locale == "nb"
    again = runner.invoke(args=["demo-data"])
    assert again.exit_code == 0 and "already" in again.output
    with session_scope(app) as db:
        assert db.scalar(select(func.count(PlanItem.id)).where(PlanItem.plan_id == plan.id)) == items
    # A newcomer can sign in as the client and sees her plan.
    assert auth.login("ingrid@demo.trygg", PASSWORD).status_code in (302, 303)
    assert "Søster Kari" in client.get(f"/plans/{plan.id}").get_data(as_text=True)


def test_demo_data_has_past_sessions_an_agreement_and_a_feedback_dip_to_notice(app, runner, client, auth):
    from safety_plans import agreement
    from sessions import services

    assert runner.invoke(args=["demo-data"]).exit_code == 0
    with session_scope(app) as db:
        plan = plans.plan_of(db, find_user(db, "ingrid@demo.trygg"))
        listed = services.sessions_of(db, plan)
        assert [s.state for s in listed].count("done") == 3 and [s.state for s in listed].count("open") == 1
        assert agreement.focus_for(db, plan)[0].startswith("Søvnen")
    auth.login("berg@demo.trygg", PASSWORD)
    workspace = client.get("/clients?lang=en").get_data(as_text=True)
    assert "Ingrid&#39;s feedback dropped" in workspace and "Olle&#39;s feedback dropped" not in workspace
    assert "out of 10: 8.8, 8.8, 6. Hope: 4, 5, 6." in workspace
