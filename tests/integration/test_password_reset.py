"""Forgot password: a signed link by mail (real SMTP on loopback, or instance/mail without
settings), 30 minutes, once; the same answer whether or not the account exists."""
from __future__ import annotations

import time

import pytest
from conftest import PASSWORD
from itsdangerous.timed import TimestampSigner

from support.forms import AuthActions, csrf_token
from support.mail import body_of, link_in, mails_in_folder

NEW_PASSWORD = "a quiet morning by the lake"


@pytest.fixture
def smtp_app(app, smtp_sink):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_sink.port, SMTP_TLS="none",
                      MAIL_FROM="Trygg <trygg@example.org>")
    return app


def _ask(client, email):
    return client.post("/auth/forgot", data={"email": email, "csrf_token": csrf_token(client, "/auth/forgot")})


def _wait_for(sink, count):
    deadline = time.monotonic() + 5
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(sink.messages) >= count
    return sink.messages[count - 1]


def test_reset_over_smtp_works_once_and_signs_out_everywhere(smtp_app, smtp_sink, client, make_user):
    email = make_user("client")
    elsewhere = smtp_app.test_client()
    AuthActions(elsewhere).login(email, PASSWORD)
    assert elsewhere.get("/plans/mine").status_code in (200, 302)

    response = _ask(client, email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/forgot/sent")
    message = _wait_for(smtp_sink, 1)
    assert message["To"] == email and message["From"] == "Trygg <trygg@example.org>"
    link = link_in(message, "/auth/reset/")

    weak = client.post(link, data={"password": "Password1!", "csrf_token": csrf_token(client, link)})
    assert weak.status_code == 400 and "too common" in weak.get_data(as_text=True)
    done = client.post(link, data={"password": NEW_PASSWORD, "csrf_token": csrf_token(client, link)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/auth/login")

    assert client.get(link).status_code == 404  # used: the password it was made for is gone
    assert elsewhere.get("/plans/mine").headers["Location"].startswith("/auth/login")
    assert AuthActions(app_client := smtp_app.test_client()).login(email, PASSWORD).status_code == 400
    assert AuthActions(app_client).login(email, NEW_PASSWORD).status_code == 302


def test_an_unknown_address_gets_the_same_answer(smtp_app, smtp_sink, client, make_user):
    known = _ask(client, make_user("client"))
    unknown = _ask(client, "nobody@example.org")
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    message = _wait_for(smtp_sink, 2)
    assert message["To"] == "nobody@example.org" and "/auth/reset/" not in body_of(message)


def test_a_link_older_than_30_minutes_does_not_work(app, client, make_user, monkeypatch):
    email = make_user("client")
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 31 * 60)
    _ask(client, email)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    link = link_in([m for m in mails_in_folder(app) if m["To"] == email][-1], "/auth/reset/")
    assert client.get(link).status_code == 404


def test_without_smtp_settings_mail_is_kept_in_the_instance_folder(app, client, make_user, caplog):
    email = make_user("client")
    _ask(client, email)
    kept = [m for m in mails_in_folder(app) if m["To"] == email]
    assert kept and "/auth/reset/" in body_of(kept[0])
    folder = __import__("pathlib").Path(app.instance_path) / "mail"
    assert folder.stat().st_mode & 0o077 == 0
    assert all(p.stat().st_mode & 0o077 == 0 for p in folder.iterdir())
    # The log names the file and the person, never the mail's link (ASVS V16.2.5).
    [path] = folder.iterdir()
    assert f"Mail to {email} not sent" in caplog.text and str(path) in caplog.text
    assert "/auth/reset/" not in caplog.text
