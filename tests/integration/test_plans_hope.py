"""Issue 12, points 4-6: My hope (plan sections, the therapist's line theirs alone), small wins and
our agreement: services, pages, access, history, the access log and a stale save."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from backend.accounts.services import find_user
from backend.db import session_scope
from grounding import services as grounding
from safety_plans import agreement, wins
from safety_plans.export import export_plan
from safety_plans.models import Plan
from support.forms import csrf_token
from support.grounding import session_payload
from support.plans import add_op


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/auth/login")})


def _ops(api, plan_id, *ops):
    return api.post(f"/api/v1/plans/{plan_id}/changes", {"ops": list(ops)})


def test_both_write_my_hope_and_only_the_therapist_writes_their_line(client, api, sign_in, world):
    sign_in(world.owner)
    assert _ops(api, world.plan_id, add_op("hope_for", "A calm home")).status_code == 200
    refused = _ops(api, world.plan_id, add_op("hope_belief", "I believe in myself"))
    assert refused.status_code == 422 and refused.get_json()["error"] == "therapist_only"
    sign_in(world.linked_therapist)
    api._token = None
    line = add_op("hope_belief", "You can get through a bad evening")
    assert _ops(api, world.plan_id, add_op("hope_different", "Sleeping through the night"), line).status_code == 200
    sign_in(world.owner)
    api._token = None
    # The client can neither change nor remove the therapist's words.
    edit = {"uuid": "op-e1", "type": "edit", "item": line["item"], "base_version": 1, "fields": {"text": "Mine"}}
    assert _ops(api, world.plan_id, edit).status_code == 422
    delete = {"uuid": "op-d1", "type": "delete", "item": line["item"], "base_version": 1}
    assert _ops(api, world.plan_id, delete).status_code == 422
    html = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert "My hope" in html and "A calm home" in html and "Sleeping through the night" in html
    assert re.search(r"You can get through a bad evening</q>\s*<span class=\"sp-byline\">— Dr Berg", html)
    editor = client.get(f"/plans/{world.plan_id}/edit").get_data(as_text=True)
    belief = editor[editor.index('id="hope_belief"'):]
    belief = belief[:belief.index("</section>")]
    assert "data-readonly" in belief and 'data-form="add"' not in belief and "Dr Berg" in belief
    history = client.get(f"/plans/{world.plan_id}/history?section=hope_belief").get_data(as_text=True)
    assert "Dr Berg" in history and "You can get through a bad evening" in history


def test_my_hope_is_in_the_walk_throughs_last_step_the_print_the_pdf_and_the_export(client, api, sign_in, world):
    sign_in(world.linked_therapist)
    _ops(api, world.plan_id, add_op("hope_belief", "You have more strength than you think"),
         add_op("hope_obstacles", "The thought that nothing changes"))
    api._token = None
    sign_in(world.owner)
    _ops(api, world.plan_id, add_op("hope_for", "Walking in the forest again"))
    now = client.get("/now").get_data(as_text=True)
    last = now[now.index('id="step-last-title"'):]
    assert "Walking in the forest again" in last and "You have more strength than you think" in last
    assert "— Dr Berg" in last
    assert "The thought that nothing changes" not in now  # obstacles are for sessions, not the worst moment
    printed = client.get(f"/plans/{world.plan_id}/print").get_data(as_text=True)
    assert "My hope" in printed and "“You have more strength than you think” — Dr Berg" in printed
    pdf = client.get(f"/plans/{world.plan_id}/plan.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "My hope\nWhat I hope for" in text and "Walking in the forest again" in text and "Dr Berg" in text
    export = client.get(f"/plans/{world.plan_id}/export.json").get_json()
    keys = [s["key"] for s in export["plan"]["sections"]]
    assert keys[-4:] == ["hope_for", "hope_different", "hope_obstacles", "hope_belief"]
    belief = next(s for s in export["plan"]["sections"] if s["key"] == "hope_belief")["items"]
    assert belief[0]["text"] == "You have more strength than you think"


def test_small_wins_gather_kept_commitments_notes_and_grounding_that_helped(app, client, sign_in, world):
    sign_in(world.owner)
    html = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert "Nothing noted yet" in html
    assert _post(client, f"/plans/{world.plan_id}/commitments/{world.commitment_id}",
                 {"status": "kept", "note": "", "op": "op-k1"}).status_code == 302
    assert _post(client, f"/plans/{world.plan_id}/wins",
                 {"text": "Went to the shop alone", "happened_on": "2026-11-02", "op": "op-w1"}).status_code == 302
    assert _post(client, f"/plans/{world.plan_id}/wins",  # a double-sent form notes it once
                 {"text": "Went to the shop alone", "happened_on": "2026-11-02", "op": "op-w1"}).status_code == 302
    with app.test_request_context(), session_scope(app) as db:
        owner = find_user(db, world.owner)
        grounding.record_session(db, owner.id, session_payload(before=8, after=3))
        grounding.record_session(db, owner.id, session_payload(before=5, after=6))  # not a win
        plan = db.get(Plan, world.plan_id)
        found = wins.small_wins(db, plan, 10, viewer=owner)
        therapist_sees = wins.small_wins(db, plan, 10, viewer=find_user(db, world.linked_therapist))
    kinds = sorted(w.kind for w in found)
    assert kinds == ["commitment", "grounding", "note"]
    assert "grounding" not in {w.kind for w in therapist_sees}  # the grounding log is not shared
    html = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert "I kept my commitment: Call Kari on Sunday" in html and html.count("Went to the shop alone") == 1
    wins_html = html[html.index("wins-title"):]
    assert "my distress went from 8 to 3" in wins_html, wins_html[:1500]
    assert "November 2, 2026" in wins_html, wins_html[:1500]
    now = client.get("/now").get_data(as_text=True)
    assert "You have got through hard days before" in now and "Went to the shop alone" in now
    history = client.get(f"/plans/{world.plan_id}/history").get_data(as_text=True)
    assert "noted a small win" in history


def test_a_therapists_small_win_is_named_and_in_the_access_log(client, sign_in, world):
    sign_in(world.linked_therapist)
    assert client.get(f"/plans/{world.plan_id}/wins").status_code == 200
    assert _post(client, f"/plans/{world.plan_id}/wins", {"text": "Asked for help at work"}).status_code == 302
    bad = _post(client, f"/plans/{world.plan_id}/wins", {"text": "  "})
    assert bad.status_code == 400 and "Please write something first." in bad.get_data(as_text=True)
    sign_in(world.owner)
    html = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert "Asked for help at work" in html and "noted by Dr Berg" in html
    log = client.get(f"/plans/{world.plan_id}/access-log").get_data(as_text=True)
    lines = re.findall(r"Dr Berg [^<]*", log)
    assert "Dr Berg opened your small wins once" in lines, lines
    assert any(line.startswith("Dr Berg noted") for line in lines), lines


def test_agreement_keeps_every_version_and_refuses_a_stale_save_keeping_the_words(client, sign_in, world):
    url = f"/plans/{world.plan_id}/agreement"
    blank = {"towards": "", "how": "", "expect": "", "focus": ""}
    sign_in(world.owner)
    assert _post(client, url, {**blank, "base_version": "0", "towards": "Fewer bad nights"}).status_code == 302
    sign_in(world.linked_therapist)
    page = client.get(url).get_data(as_text=True)
    assert "Fewer bad nights" in page and 'name="base_version" value="1"' in page
    assert _post(client, url, {**blank, "base_version": "1", "towards": "Fewer bad nights",
                               "how": "Every Tuesday, 45 minutes"}).status_code == 302
    sign_in(world.owner)
    # The client's page is from version 1; a different field merges, the same field is refused.
    merged = _post(client, url, {**blank, "base_version": "1", "towards": "Fewer bad nights", "focus": "Sleep"})
    assert merged.status_code == 302
    stale = _post(client, url, {**blank, "base_version": "1", "towards": "Fewer bad nights",
                                "how": "Every other week", "focus": "Sleep"})
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Every other week" in text and "Every Tuesday, 45 minutes" in text
    assert "Someone saved the agreement after you opened it" in text and 'name="base_version" value="3"' in text
    page = client.get(url).get_data(as_text=True)
    assert page.count("<time") == 3 and "Dr Berg" in page and "Ingrid" in page
    assert "Every other week" not in page  # the stale save changed nothing
    log = client.get(f"/plans/{world.plan_id}/access-log").get_data(as_text=True)
    assert "Dr Berg opened your agreement once" in log and "Dr Berg changed your agreement once" in log
    history = client.get(f"/plans/{world.plan_id}/history").get_data(as_text=True)
    assert history.count("saved our agreement") == 3


def test_focus_for_gives_the_latest_focus_and_when_it_was_written(app, world):
    with app.test_request_context(), session_scope(app) as db:
        plan = db.get(Plan, world.plan_id)
        owner, therapist = find_user(db, world.owner), find_user(db, world.linked_therapist)
        assert agreement.focus_for(db, plan) is None
        first = agreement.save(db, plan, owner, {"focus": "My sleep"}, 0).version
        agreement.save(db, plan, therapist, {"focus": "My sleep", "how": "Weekly"}, 1)
        assert agreement.focus_for(db, plan) == ("My sleep", first.at)
        assert not agreement.save(db, plan, owner, {"focus": "My sleep", "how": "Weekly"}, 2).changed
        agreement.save(db, plan, owner, {"focus": "Work", "how": "Weekly"}, 2)
        assert agreement.focus_for(db, plan)[0] == "Work"
        assert [v["version"] for v in export_plan(db, plan)["agreement"]] == [3, 2, 1]


def test_other_people_cannot_reach_agreement_or_wins(client, sign_in, world):
    for who in (world.other_client, world.unlinked_therapist):
        sign_in(who)
        for path in ("agreement", "wins"):
            response = client.get(f"/plans/{world.plan_id}/{path}")
            assert response.status_code == 404 and "Kari" not in response.get_data(as_text=True)
        posted = _post(client, f"/plans/{world.plan_id}/wins", {"text": "Not mine to write"})
        assert posted.status_code == 404


def test_the_hope_pages_speak_swedish_and_norwegian(client, sign_in, world):
    sign_in(world.owner)
    swedish = client.get(f"/plans/{world.plan_id}?lang=sv").get_data(as_text=True)
    assert "Mitt hopp" in swedish and "Små segrar" in swedish and "Vår överenskommelse" in swedish
    norwegian = client.get(f"/plans/{world.plan_id}/agreement?lang=nb").get_data(as_text=True)
    assert "Avtalen vår" in norwegian and "Det vi jobber mot" in norwegian


def test_a_removed_line_of_the_therapist_is_not_offered_to_the_client_to_restore(client, api, sign_in, world):
    sign_in(world.linked_therapist)
    line = add_op("hope_belief", "You can ask for help")
    _ops(api, world.plan_id, line)
    _ops(api, world.plan_id, {"uuid": "op-rm", "type": "delete", "item": line["item"], "base_version": 1})
    feed = client.get(f"/api/v1/plans/{world.plan_id}/changes?since=0").get_json()
    assert [r["uuid"] for r in feed["removed"]] == [line["item"]]
    sign_in(world.owner)
    feed = client.get(f"/api/v1/plans/{world.plan_id}/changes?since=0").get_json()
    assert feed["removed"] == []
    assert "You can ask for help" not in client.get(f"/plans/{world.plan_id}/edit").get_data(as_text=True)
