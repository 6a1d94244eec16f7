"""The HTML pages: crisis view, editor forms, invites, commitments, print/export, access log."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import update

from backend.db import session_scope, utcnow
from safety_plans.models import Invite
from support.forms import csrf_token


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/auth/login")})


def test_crisis_view_puts_the_countrys_emergency_number_first_with_call_and_text(client, sign_in, world):
    sign_in(world.owner)
    html = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    hrefs = re.findall(r'href="((?:tel|sms):[^"]*)"', html)
    assert hrefs[0] == "tel:113"
    assert "tel:+4799988777" in hrefs and "sms:+4799988777?body=Can%20you%20call%20me%3F" in hrefs
    assert "Nobody watches Trygg" in html and 'href="/grounding/"' in html
    assert html.index("Help now") < html.index("I stop answering messages")
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "style=" not in html  # no inline code


def test_crisis_view_is_in_the_users_language_with_the_plans_country(client, sign_in, world):
    sign_in(world.other_client)  # Swedish country
    html = client.get(f"/plans/{world.other_plan_id}?lang=sv").get_data(as_text=True)
    assert re.findall(r'href="(tel:[^"]*)"', html)[0] == "tel:112"
    assert "90101" in html and "116 123" not in html  # Norway's 116 line is not shown in Sweden
    assert "0771" not in html


def test_editor_form_adds_and_invalid_input_is_kept_with_status_400(client, sign_in, world):
    sign_in(world.owner)
    ok = _post(
        client,
        f"/plans/{world.plan_id}/changes",
        {"action": "add", "section": "reasons", "text": "My nephew", "op": "op-a1", "item": "it-a1"},
    )
    assert ok.status_code == 302
    again = _post(
        client,
        f"/plans/{world.plan_id}/changes",
        {"action": "add", "section": "reasons", "text": "My nephew", "op": "op-a1", "item": "it-a1"},
    )
    assert again.status_code == 302  # a double-sent form is applied once
    assert client.get(f"/plans/{world.plan_id}").get_data(as_text=True).count("My nephew") == 1
    long_text = "long " * 120
    bad = _post(
        client,
        f"/plans/{world.plan_id}/changes",
        {"action": "add", "section": "reasons", "text": long_text, "op": "op-a2", "item": "it-a2"},
    )
    assert bad.status_code == 400 and long_text.strip() in bad.get_data(as_text=True)


def test_delete_offers_restore(client, sign_in, world):
    sign_in(world.owner)
    _post(
        client,
        f"/plans/{world.plan_id}/changes",
        {"action": "add", "section": "reasons", "text": "The sea", "op": "op-b1", "item": "it-b1"},
    )
    response = _post(
        client,
        f"/plans/{world.plan_id}/changes",
        {"action": "delete", "item": "it-b1", "base_version": "1", "op": "op-b2"},
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Removed: “The sea”" in page and 'value="restore"' in page
    _post(client, f"/plans/{world.plan_id}/changes", {"action": "restore", "item": "it-b1", "op": "op-b3"})
    assert "The sea" in client.get(f"/plans/{world.plan_id}").get_data(as_text=True)


def test_editing_only_the_phone_keeps_someone_elses_new_name(client, sign_in, world):
    sign_in(world.owner)
    plan = client.get(f"/api/v1/plans/{world.plan_id}").get_json()
    kari = next(s for s in plan["sections"] if s["key"] == "support")["items"][0]
    common = {
        "action": "save",
        "item": kari["uuid"],
        "base_version": str(kari["version"]),
        "was_text": kari["text"],
        "was_phone": kari["phone"],
        "was_sms_message": kari["sms_message"],
        "was_has_agreed": "1",
        "was_agreed": "y",
        "has_agreed": "1",
        "agreed": "y",
        "sms_message": kari["sms_message"],
    }
    _post(
        client,
        f"/plans/{world.plan_id}/changes",
        {**common, "op": "e1", "text": "Kari (sister)", "phone": kari["phone"]},
    )
    sign_in(world.linked_therapist)
    _post(
        client,
        f"/plans/{world.plan_id}/changes",
        {**common, "op": "e2", "text": kari["text"], "phone": "+47 123 45 678"},
    )
    sign_in(world.owner)
    html = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert "Kari (sister)" in html and "+47 123 45 678" in html


def test_invite_shows_code_link_and_qr_and_works_once(app, client, sign_in, world, make_user):
    sign_in(world.linked_therapist)
    created = _post(client, "/clients/invites", {})
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    code = re.search(r"data-invite-code>([A-Z0-9]{4}-[A-Z0-9]{4})<", page).group(1)
    assert 'src="data:image/svg+xml' in page and f"/care/link/{code.replace('-', '')}" in page
    newcomer = make_user("client", display_name="Nils")
    sign_in(newcomer)
    assert _post(client, "/care/link", {"code": code.lower()}).status_code == 302
    assert _post(client, f"/care/link/{code.replace('-', '')}", {}).status_code == 302
    assert "Dr Berg" in client.get("/care").get_data(as_text=True)
    sign_in(world.other_client)
    assert _post(client, f"/care/link/{code.replace('-', '')}", {}).status_code == 410
    sign_in(world.linked_therapist)
    assert "Nils" in client.get("/clients").get_data(as_text=True)


def test_expired_invite_is_refused(app, client, sign_in, world):
    with session_scope(app) as db:
        db.execute(update(Invite).values(expires_at=utcnow() - timedelta(minutes=1)))
    sign_in(world.other_client)
    response = _post(client, f"/care/link/{world.invite_code}", {})
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)


def test_client_ends_access_and_the_therapist_can_no_longer_open_the_plan(client, sign_in, world):
    sign_in(world.owner)
    assert _post(client, f"/care/{world.linked_therapist_id}/end", {}).status_code == 302
    sign_in(world.linked_therapist)
    assert client.get(f"/plans/{world.plan_id}").status_code == 404
    assert client.get(f"/api/v1/plans/{world.plan_id}").status_code == 404


def test_therapist_access_is_logged_and_shown_to_the_client(client, sign_in, world):
    sign_in(world.linked_therapist)
    client.get(f"/plans/{world.plan_id}")
    client.get(f"/plans/{world.plan_id}/print")
    client.get(f"/plans/{world.plan_id}/export.json")
    _post(
        client,
        f"/plans/{world.plan_id}/changes",
        {"action": "add", "section": "reasons", "text": "Music", "op": "l1", "item": "l1"},
    )
    sign_in(world.owner)
    client.get(f"/plans/{world.plan_id}")  # the client's own visits are not logged
    html = client.get(f"/plans/{world.plan_id}/access-log").get_data(as_text=True)
    for words in ("opened your plan", "printed your plan", "downloaded your plan", "changed your plan"):
        assert words in html
    events = client.get(f"/api/v1/plans/{world.plan_id}/access-log").get_json()["events"]
    assert {e["actor"] for e in events} == {"Dr Berg"}
    assert sorted({e["action"] for e in events}) == ["change", "export", "open", "print"]


def test_commitments_are_made_marked_and_stay_visible(client, sign_in, world):
    sign_in(world.owner)
    page = client.get(f"/plans/{world.plan_id}/commitments").get_data(as_text=True)
    assert "Call Kari on Sunday" in page
    assert "Call Kari on Sunday" in client.get(f"/plans/{world.plan_id}").get_data(as_text=True)  # open: on the plan
    response = _post(
        client,
        f"/plans/{world.plan_id}/commitments/{world.commitment_id}",
        {"status": "partly", "note": "Texted her instead", "op": "r1"},
    )
    assert response.status_code == 302
    page = client.get(f"/plans/{world.plan_id}/commitments").get_data(as_text=True)
    assert "Partly kept" in page and "Texted her instead" in page
    assert _post(client, f"/plans/{world.plan_id}/commitments", {"text": "", "op": "r2"}).status_code == 400


def test_print_and_export(client, sign_in, world):
    sign_in(world.owner)
    html = client.get(f"/plans/{world.plan_id}/print").get_data(as_text=True)
    assert "sp-card" in html and "113" in html and "Sister Kari" in html
    response = client.get(f"/plans/{world.plan_id}/export.json")
    body = json.loads(response.get_data(as_text=True))
    assert body["format"] == "trygg.safety-plan" and body["version"] == 1
    assert [s["key"] for s in body["plan"]["sections"]][0] == "warning_signs"
    assert [c["op"] for c in body["history"]][:2] == ["add", "add"]
    assert "commitment_add" in [c["op"] for c in body["history"]]


def test_admin_cannot_read_plans(client, sign_in, world):
    sign_in(world.admin)
    assert client.get(f"/plans/{world.plan_id}").status_code == 403
    assert client.get(f"/api/v1/plans/{world.plan_id}").status_code == 403


def test_home_leads_clients_to_their_plan_and_therapists_to_their_clients(client, sign_in, world):
    sign_in(world.owner)
    assert client.get("/", follow_redirects=True).request.path == f"/plans/{world.plan_id}"
    sign_in(world.linked_therapist)
    assert client.get("/", follow_redirects=True).request.path == "/clients"
