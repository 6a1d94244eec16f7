"""Session pages without JavaScript: plain forms post and redirect, a stale form keeps what was
typed, the summary, and the therapist's workspace (trend, gentle prompt, bounded queries)."""
from __future__ import annotations

import re

from sqlalchemy import event

from backend.accounts.services import find_user
from backend.db import get_engine, session_scope
from safety_plans.models import Plan
from sessions import services
from support.forms import csrf_token


def _form(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def test_start_check_in_review_check_out_and_summary_as_plain_forms(app, world, sign_in, client):
    sign_in(world.owner)
    start = _form(client, f"/plans/{world.plan_id}/sessions", {"scheduled_at": ""})
    assert start.status_code == 302
    page = start.headers["Location"]
    html = client.get(page).get_data(as_text=True)
    assert "How am I right now?" in html and "Call Kari on Sunday" in html
    assert "I stop answering messages" in html  # the plan, to review together, on the same page
    version = re.search(r'name="base_version" value="(\d+)"', html).group(1)
    saved = _form(client, page, {"step": "checkin", "base_version": version, "mood": "7", "coping": "Walks",
                                 "unsafe": "no", "unsafe_note": "", f"c-{world.commitment_id}-status": "kept",
                                 f"c-{world.commitment_id}-note": ""})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#checkin")
    html = client.get(page).get_data(as_text=True)
    assert 'id="mood-7" name="mood" value="7" checked' in html and ">Walks</textarea>" in html
    version = re.search(r'name="base_version" value="(\d+)"', html).group(1)
    reviewed = _form(client, page, {"step": "review", "base_version": version, "next_review": "2099-05-01"})
    assert reviewed.status_code == 302
    version = str(int(version) + 1)
    assert _form(client, page, {"step": "checkout", "base_version": version, "takeaway": "Slow down",
                                "new_text": "Text Kari on Friday", "new_due": "2099-01-05"}).status_code == 302
    version = str(int(version) + 1)
    assert _form(client, page, {"step": "feedback", "base_version": version, "fb_heard": "8", "fb_wanted": "7",
                                "fb_fit": "8", "fb_overall": "8", "hope": "6", "not_right": ""}).status_code == 302
    version = str(int(version) + 1)
    done = _form(client, page, {"step": "finish", "base_version": version})
    assert done.status_code == 302 and done.headers["Location"].endswith("/summary")
    html = client.get(page).get_data(as_text=True)
    for step in ("Started", "Check-in", "The plan", "Check-out", "Feedback", "Finished"):
        assert f"Ingrid · {step}</li>" in html
    summary = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Slow down" in summary and "Text Kari on Friday" in summary and "Kept" in summary
    assert "7 of 10" in summary and "We reviewed the plan together." in summary
    with app.app_context(), session_scope(app) as db:
        assert db.get(Plan, world.plan_id).next_review_on.isoformat() == "2099-05-01"
    assert "Reviewed together on" in client.get(f"/plans/{world.plan_id}/print").get_data(as_text=True)


def test_the_client_is_told_the_therapist_reads_the_feedback_and_the_therapist_cannot_edit_it(
        app, world, sign_in, client, session_id):
    page = f"/plans/{world.plan_id}/sessions/{session_id}"
    sign_in(world.owner)
    assert "Your therapist reads this" in client.get(page).get_data(as_text=True)
    sign_in(world.linked_therapist)
    html = client.get(page).get_data(as_text=True)
    assert 'name="fb_heard"' not in html and "Only Ingrid gives feedback" in html
    refused = _form(client, page, {"step": "feedback", "base_version": "1", "fb_heard": "2"})
    assert refused.status_code == 403


def test_a_stale_plain_form_is_refused_with_the_typed_words_kept(app, world, sign_in, client, session_id):
    page = f"/plans/{world.plan_id}/sessions/{session_id}"
    with app.test_request_context(), session_scope(app) as db:
        plan = db.get(Plan, world.plan_id)
        services.save(db, plan, services.get_session(db, plan, session_id), find_user(db, world.owner),
                      {"base_version": 1, "fields": {"coping": "Client's words"}}, plan.created_at.date())
    sign_in(world.linked_therapist)
    answer = _form(client, page, {"step": "checkin", "base_version": "1", "coping": "Therapist's words"})
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert "Ingrid saved this part of the session after you opened it" in html
    assert ">Therapist&#39;s words</textarea>" in html
    assert "What is saved now: <q>Client&#39;s words</q>" in html


def _session_with_feedback(db, plan, client, items, hope=6, not_right=""):
    found = services.create_session(db, plan, client)
    db.flush()
    fields = dict(zip(("fb_heard", "fb_wanted", "fb_fit", "fb_overall"), items, strict=True))
    services.save(db, plan, found, client, {"base_version": 1, "fields": {**fields, "hope": hope, "mood": 5,
                                                                          "not_right": not_right}},
                  plan.created_at.date())
    return found


def test_the_workspace_shows_the_trend_over_three_sessions_and_a_gentle_prompt(app, world, sign_in, client):
    with app.test_request_context(), session_scope(app) as db:
        plan, owner = db.get(Plan, world.plan_id), find_user(db, world.owner)
        for items in ((9, 9, 8, 9), (9, 8, 9, 9), (6, 7, 6, 6)):
            _session_with_feedback(db, plan, owner, items)
    sign_in(world.linked_therapist)
    html = client.get("/clients").get_data(as_text=True)
    assert "Ingrid&#39;s feedback dropped — worth asking about next time." in html
    assert "Feedback over the last sessions, out of 10: 8.8, 8.8, 6.2." in html
    assert html.count("<circle") == 3
    assert "@example.org" not in html  # names, never emails
    # The client never sees the prompt.
    sign_in(world.owner)
    assert "worth asking" not in client.get(f"/plans/{world.plan_id}/sessions").get_data(as_text=True)


def test_a_low_item_prompts_even_without_a_drop_and_steady_feedback_does_not(app, world, sign_in, client):
    from sessions.workspace import feedback_prompt

    assert feedback_prompt("Kari", [8.0, 8.0, 8.25], [9, 9, 9, 6], "") is None
    assert "low answer" in feedback_prompt("Kari", [8.0], [9, 4, 9, 9], "")
    assert "did not feel right" in feedback_prompt("Kari", [9.0], [9, 9, 9, 9], "Too fast")
    assert "dropped" in feedback_prompt("Kari", [9.0, 9.0, 7.5], [8, 7, 8, 7], "")


def _queries_for_workspace(app, client):
    count = [0]

    def tick(*_args):
        count[0] += 1

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", tick)
    try:
        assert client.get("/clients").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", tick)
    return count[0]


def test_the_workspace_query_count_does_not_grow_with_clients(app, world, sign_in, client, make_user):
    from backend.accounts import care
    from safety_plans import commitments, plans

    sign_in(world.linked_therapist)
    client.get("/clients")
    few = _queries_for_workspace(app, client)
    for n in range(5):
        email = make_user("client", display_name=f"Client {n}")
        with app.test_request_context(), session_scope(app) as db:
            person = find_user(db, email)
            care.link(db, world.linked_therapist_id, person.id)
            plan = plans.get_or_create_plan(db, person)
            commitments.add_commitment(db, plan, person, "Rest", due="2000-02-02")
            _session_with_feedback(db, plan, person, (8, 8, 8, 8))
    client.get("/clients")  # as before `few`: the access log's windows are open for everyone listed
    many = _queries_for_workspace(app, client)
    assert many == few, (few, many)
    assert "1 past its date" in client.get("/clients").get_data(as_text=True)


def test_an_invite_has_a_label_and_can_be_taken_back(app, world, sign_in, client):
    sign_in(world.linked_therapist)
    made = _form(client, "/clients/invites", {"label": "for Nora, Thursday"})
    assert made.status_code == 302
    html = client.get("/clients").get_data(as_text=True)
    assert "for Nora, Thursday" in html
    invite_id = int(made.headers["Location"].rsplit("/", 1)[1])
    assert _form(client, f"/clients/invites/{invite_id}/revoke", {}).status_code == 302
    assert "for Nora, Thursday" not in client.get("/clients").get_data(as_text=True)


def test_a_client_finds_their_sessions_in_the_menu(app, world, sign_in, client):
    sign_in(world.owner)
    html = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert 'href="/sessions/mine"' in html
    assert client.get("/sessions/mine").headers["Location"].endswith(f"/plans/{world.plan_id}/sessions")
    sign_in(world.linked_therapist)
    assert client.get("/sessions/mine").status_code == 403


def test_session_pages_are_only_for_the_client_and_linked_therapists(app, world, sign_in, client, session_id):
    pages = [f"/plans/{world.plan_id}/sessions", f"/plans/{world.plan_id}/sessions/{session_id}",
             f"/plans/{world.plan_id}/sessions/{session_id}/summary"]
    expected = {None: 302, world.other_client: 404, world.unlinked_therapist: 404, world.admin: 403,
                world.owner: 200, world.linked_therapist: 200}
    for who, status in expected.items():
        sign_in(who)
        for page in pages:
            assert client.get(page).status_code == status, (who, page)
    sign_in(world.other_client)
    token = csrf_token(client, "/")
    answer = client.post(pages[1], data={"step": "checkin", "base_version": "1", "coping": "x", "csrf_token": token})
    assert answer.status_code == 404


def test_the_check_in_starts_from_small_wins_and_the_focus_and_the_workspace_shows_the_focus(
        app, world, sign_in, client, session_id):
    """The seams of issue 12: small wins and "what I want to focus on" (our agreement) reach the
    session's check-in and the therapist's workspace; the workspace's read is in the client's log."""
    from safety_plans import agreement, wins

    with app.test_request_context(), session_scope(app) as db:
        plan, owner = db.get(Plan, world.plan_id), find_user(db, world.owner)
        wins.add_win(db, plan, owner, "I went to the shop alone")
        agreement.save(db, plan, owner, {"focus": "Sleeping better"}, 0)
    sign_in(world.owner)
    html = client.get(f"/plans/{world.plan_id}/sessions/{session_id}").get_data(as_text=True)
    assert "I went to the shop alone" in html and "You want to focus on: “Sleeping better”" in html
    client.get("/auth/logout")
    sign_in(world.linked_therapist)
    html = client.get(f"/plans/{world.plan_id}/sessions/{session_id}").get_data(as_text=True)
    assert "Ingrid wants to focus on: “Sleeping better”" in html and "I went to the shop alone" in html
    workspace = client.get("/clients").get_data(as_text=True)
    assert "Wants to focus on: “Sleeping better”" in workspace
    client.get("/auth/logout")
    sign_in(world.owner)
    log = client.get(f"/plans/{world.plan_id}/access-log").get_data(as_text=True)
    # Signing in lands on /clients too: each look at the list is counted.
    assert re.search(r"Dr Berg saw your last check-in, feedback and focus in their client list \d+ times", log), \
        re.findall(r"Dr Berg[^<]*", log)


def test_the_check_out_brings_my_hope_back(app, world, sign_in, client, session_id):
    """Issue 12: My hope is revisited at check-out (the lines written together in the plan)."""
    from safety_plans import ops
    from support.plans import add_op

    page = f"/plans/{world.plan_id}/sessions/{session_id}"
    sign_in(world.owner)
    html = client.get(page).get_data(as_text=True)
    assert "My hope, once more before you go" in html and "Nothing written in My hope yet" in html
    with app.test_request_context(), session_scope(app) as db:
        ops.apply_ops(db, db.get(Plan, world.plan_id), find_user(db, world.owner),
                      [add_op("hope_for", "To work again by spring")])
    html = client.get(page).get_data(as_text=True)
    checkout = html[html.index('id="checkout"'):]
    assert "To work again by spring" in checkout and "Nothing written in My hope yet" not in checkout


def _post_from(client, page, url, data):
    """Post a form that sits on `page` (its CSRF token comes from there)."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page)})


def test_the_plan_review_is_the_co_editor_and_its_plain_forms_come_back_to_the_session(
        app, world, sign_in, client, session_id):
    sign_in(world.linked_therapist)
    page = f"/plans/{world.plan_id}/sessions/{session_id}"
    html = client.get(page).get_data(as_text=True)
    assert 'id="coedit"' in html and f'name="back" value="{page}"' in html
    assert re.search(r'<h3 id="h-support">', html)  # a section under the step's own heading
    changes = f"/plans/{world.plan_id}/changes"
    added = _post_from(client, page, changes, {"op": "op-add-liv", "item": "item-liv", "section": "support",
                                               "action": "add", "text": "Aunt Liv", "back": page})
    assert added.status_code == 302 and added.headers["Location"].endswith(f"{page}#support")
    assert "Aunt Liv" in client.get(page).get_data(as_text=True)
    removed = _post_from(client, page, changes, {"op": "op-del-liv", "item": "item-liv", "action": "delete",
                                                 "base_version": "1", "back": page})
    assert removed.headers["Location"].endswith(f"{page}?deleted=item-liv#undo")
    undo = client.get(removed.headers["Location"]).get_data(as_text=True)
    assert "Removed: “Aunt Liv”." in undo and 'id="undo"' in undo
    # A refused form shows its words and the reason; saving again from there returns to the session.
    refused = _post_from(client, page, changes, {"op": "op-long", "item": "item-long", "section": "support",
                                                 "action": "add", "text": "x" * 501, "back": page})
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "x" * 501 in shown and f'name="back" value="{page}"' in shown
    # Plain forms never come back anywhere but a page of this plan.
    for elsewhere in (f"/plans/{world.other_plan_id}/edit", "https://example.net/", f"{page}?x=1"):
        moved = _post_from(client, page, changes, {"op": f"op-r-{len(elsewhere)}", "item": "item-liv",
                                                   "action": "restore", "back": elsewhere})
        assert moved.headers["Location"].startswith(f"/plans/{world.plan_id}/edit"), elsewhere


def test_a_therapist_opening_the_session_page_is_logged_as_reading_the_plan(app, world, sign_in, client, session_id):
    from sqlalchemy import select

    from backend.audit import AccessEvent

    sign_in(world.linked_therapist)
    client.get(f"/plans/{world.plan_id}/sessions/{session_id}")
    with app.app_context(), session_scope(app) as db:
        kinds = set(db.execute(select(AccessEvent.object_type, AccessEvent.object_id)).all())
    assert ("plan", world.plan_id) in kinds and ("session", session_id) in kinds
