"""Language choice: ?lang=, the remembered choice, the user's setting, Accept-Language."""
from __future__ import annotations

import pytest
from conftest import PASSWORD

from support.forms import csrf_token


@pytest.mark.parametrize("lang, text", [("nb", "Logg inn"), ("sv", "Logga in"), ("en", "Sign in")])
def test_lang_parameter_picks_the_language(client, lang, text):
    html = client.get(f"/auth/login?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{text}</h1>" in html


def test_accept_language_is_the_fallback(client):
    html = client.get("/auth/login", headers={"Accept-Language": "sv-SE,sv;q=0.9"}).get_data(as_text=True)
    assert '<html lang="sv">' in html


def test_unknown_language_falls_back_to_english(client):
    html = client.get("/auth/login?lang=xx", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_lang_parameter_is_remembered(client):
    client.get("/auth/login?lang=nb")
    assert '<html lang="nb">' in client.get("/auth/register").get_data(as_text=True)


def test_switcher_saves_the_choice_on_the_account(app, client, auth, make_user):
    email = make_user("client", locale="en")
    auth.login(email, PASSWORD)
    token = csrf_token(client, "/")
    response = client.post("/language", data={"csrf_token": token, "lang": "sv", "next": "/"})
    assert response.status_code == 302
    # A fresh browser of the same user gets the saved language, whatever the browser says.
    other = app.test_client()
    other_token = csrf_token(other)
    other.post("/auth/login", data={"csrf_token": other_token, "email": email, "password": PASSWORD})
    with other.session_transaction() as session:
        session.pop("lang", None)
    html = other.get("/", headers={"Accept-Language": "nb"}, follow_redirects=True).get_data(as_text=True)
    assert '<html lang="sv">' in html


def test_registration_keeps_the_language_in_use(app, client, auth):
    client.get("/auth/register?lang=nb")
    auth.register("nora@example.org", PASSWORD)
    from sqlalchemy import select

    from backend.accounts.models import User
    from backend.db import session_scope

    with session_scope(app) as db:
        user = db.scalar(select(User).where(User.email == "nora@example.org"))
        assert (user.locale, user.country) == ("nb", "NO")


def test_password_rule_message_is_translated(auth, client):
    client.get("/auth/register?lang=sv")
    html = auth.register("a@example.org", "kort").get_data(as_text=True)
    assert "Använd minst 10 tecken." in html
