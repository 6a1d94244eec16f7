"""The security log after an account closes (ASVS V16): the person's sign-ins and failed codes stay
in the log, for the retention the setting gives, under a random pseudonym instead of the person —
no name, no email, no user id; then a prune deletes them."""
from __future__ import annotations

import re
from datetime import timedelta

import pyotp
from conftest import PASSWORD
from sqlalchemy import insert, select

from backend.accounts.models import User
from backend.accounts.services import find_user
from backend.db import session_scope, utcnow
from backend.security_log import SecurityEvent
from support.forms import AuthActions, csrf_token
from support.two_step import remember_key

ATTACKER = {"REMOTE_ADDR": "203.0.113.7"}


def _rows(app) -> list[dict]:
    """Every security-log row as column -> value (whatever columns the table has)."""
    with session_scope(app) as db:
        return [dict(row._mapping) for row in db.execute(select(SecurityEvent.__table__))]


def _with_two_step(app, email: str) -> None:
    """Give someone an authenticator app, as if they had set up two-step sign-in."""
    secret = pyotp.random_base32()
    with session_scope(app) as db:
        find_user(db, email).totp_secret = secret
    remember_key(email, secret)


def _wrong_code(client) -> None:
    """Type a wrong code on the second step of a sign-in in progress."""
    client.post("/auth/two-step", data={"code": "000000", "csrf_token": csrf_token(client, "/auth/two-step")},
                environ_base=ATTACKER)


def _close(client) -> None:
    response = client.post("/account/close",
                           data={"csrf_token": csrf_token(client, "/account/"), "password": PASSWORD})
    assert response.status_code == 302


def _attack_then_close(app, email: str) -> tuple[int, set[int]]:
    """Wrong passwords and wrong codes from an attacker's address, the owner's own sign-in, then the
    owner closes the account; returns the account's id and the ids of its events before closing."""
    _with_two_step(app, email)
    for _ in range(3):
        AuthActions(app.test_client()).login(email, "not the password at all", environ_base=ATTACKER)
    attacker = app.test_client()
    AuthActions(attacker).login(email, PASSWORD, two_step=False, environ_base=ATTACKER)
    for _ in range(2):
        _wrong_code(attacker)
    owner = app.test_client()
    assert AuthActions(owner).login(email, PASSWORD).status_code == 302
    with session_scope(app) as db:
        user_id = find_user(db, email).id
        before = set(db.scalars(select(SecurityEvent.id).where(SecurityEvent.user_id == user_id)))
        kinds = list(db.scalars(select(SecurityEvent.kind).where(SecurityEvent.user_id == user_id)))
    assert kinds.count("sign_in_failed") == 3 and kinds.count("code_failed") == 2 and "sign_in" in kinds
    _close(owner)
    return user_id, before


def test_a_closed_accounts_events_stay_under_one_pseudonym_without_name_email_or_id(app, make_user):
    first = make_user("client", display_name="Ingrid Fjellheim")
    second = make_user("client", display_name="Olle Bergström")
    staying = make_user("client", display_name="Siri Ås")
    AuthActions(app.test_client()).login(staying, PASSWORD)
    first_id, first_events = _attack_then_close(app, first)
    second_id, second_events = _attack_then_close(app, second)

    rows = _rows(app)
    by_id = {row["id"]: row for row in rows}
    # Still there (12 rows in all before closing, not 0), and grouped by one pseudonym per person.
    assert first_events and first_events <= by_id.keys() and second_events <= by_id.keys()
    first_names = {by_id[i].get("subject") for i in first_events}
    second_names = {by_id[i].get("subject") for i in second_events}
    assert len(first_names) == 1 and len(second_names) == 1, (first_names, second_names)
    (first_name,), (second_name,) = first_names, second_names
    assert re.fullmatch(r"closed-[0-9a-f]{10}", first_name or ""), first_name
    assert re.fullmatch(r"closed-[0-9a-f]{10}", second_name or ""), second_name
    assert first_name != second_name
    # Every row with the pseudonym is one of the person's: nothing else was swept in.
    assert {row["id"] for row in rows if row.get("subject") == first_name and row["kind"] != "account_deleted"} \
        == first_events
    # The attacker's address is what makes the log useful against attacks: it stays.
    assert sum(1 for i in first_events if by_id[i]["kind"] == "sign_in_failed" and by_id[i]["ip"] == "203.0.113.7") == 3

    # No trace of who they were: no user id, no email, no name, in any column of any row.
    for row in rows:
        assert row["user_id"] not in (first_id, second_id) and row["actor_id"] not in (first_id, second_id)
        text = " ".join(str(value) for value in row.values()).lower()
        for trace in (first, second, "ingrid", "fjellheim", "olle", "bergström"):
            assert trace.lower() not in text, (trace, row)
    # Someone who did not close keeps their own events, under their account.
    with session_scope(app) as db:
        staying_id = find_user(db, staying).id
    assert [(r["kind"], r.get("subject")) for r in rows if r["user_id"] == staying_id] == [("sign_in", "")]


def test_the_admin_reads_a_closed_accounts_events_under_its_pseudonym(app, make_user):
    email = make_user("client", display_name="Ingrid Fjellheim")
    _attack_then_close(app, email)
    admin_email = make_user("admin")
    _with_two_step(app, admin_email)
    admin = app.test_client()
    AuthActions(admin).login(admin_email, PASSWORD)
    html = admin.get("/admin/security?kind=sign_in_failed").get_data(as_text=True)
    (pseudonym,) = set(re.findall(r"closed-[0-9a-f]{10}", html))
    body = html.split("<tbody>")[1]
    assert body.count(pseudonym) == 3 and body.count("203.0.113.7") == 3
    assert email not in html and "Ingrid" not in html


def test_the_prune_deletes_events_older_than_the_retention_and_keeps_newer_ones(app, runner, make_user):
    from backend.security_log import prune_command

    email = make_user("client")
    with session_scope(app) as db:
        user_id = find_user(db, email).id
    days = app.config["SECURITY_LOG_RETENTION_DAYS"]
    now = utcnow()
    ages = {"old_closed": days + 1, "old_living": days + 30, "new_closed": days - 1, "new_living": 0}
    with session_scope(app) as db:
        for detail, age in ages.items():
            closed = detail.endswith("closed")
            db.execute(insert(SecurityEvent).values(
                kind="sign_in_failed", at=now - timedelta(days=age), ip="198.51.100.4", detail=detail,
                user_id=None if closed else user_id, subject="closed-00000000ab" if closed else ""))

    result = runner.invoke(prune_command)
    assert result.exit_code == 0, result.output
    assert "2" in result.output
    assert sorted(row["detail"] for row in _rows(app)) == ["new_closed", "new_living"]

    # The setting decides: a shorter retention prunes the newer ones too.
    app.config["SECURITY_LOG_RETENTION_DAYS"] = 1
    assert runner.invoke(prune_command).exit_code == 0
    assert [row["detail"] for row in _rows(app)] == ["new_living"]
    with session_scope(app) as db:
        assert db.get(User, user_id) is not None


def test_the_account_page_says_security_events_are_kept_without_name_or_email(app, make_user):
    months = round(app.config["SECURITY_LOG_RETENTION_DAYS"] / 30.44)
    expected = {
        "nb": f"Innlogginger og andre sikkerhetshendelser tas vare på i {months} måneder",
        "sv": f"Inloggningar och andra säkerhetshändelser sparas i {months} månader",
        "en": f"Sign-ins and other security events are kept for {months} months",
    }
    for locale, sentence in expected.items():
        email = make_user("client", locale=locale, locale_chosen=True)
        client = app.test_client()
        AuthActions(client).login(email, PASSWORD)
        page = client.get("/account/").get_data(as_text=True)
        section = page.split('id="close-heading"')[1]
        assert sentence in section, (locale, section[:800])


def test_my_data_download_shows_the_addresses_kept_about_me_but_not_an_administrators(app, make_user):
    admin_email = make_user("admin")
    _with_two_step(app, admin_email)
    admin = app.test_client()
    AuthActions(admin).login(admin_email, PASSWORD, environ_base={"REMOTE_ADDR": "192.0.2.50"})
    admin.post("/admin/users", data={"csrf_token": csrf_token(admin, "/admin/users"), "email": "dr.new@example.org",
                                     "display_name": "Dr New", "role": "therapist", "password": "a long first phrase"},
               environ_base={"REMOTE_ADDR": "192.0.2.50"})
    _with_two_step(app, "dr.new@example.org")
    therapist = app.test_client()
    AuthActions(therapist).login("dr.new@example.org", "a long first phrase",
                                 environ_base={"REMOTE_ADDR": "203.0.113.9"})

    events = therapist.get("/account/data.json").get_json()["account"]["security_events"]
    assert {"what": "sign_in", "from": "203.0.113.9"} in [{k: e[k] for k in ("what", "from") if k in e} for e in events]
    (created,) = [e for e in events if e["what"] == "admin_created_user"]
    assert "from" not in created and "192.0.2.50" not in str(events)
