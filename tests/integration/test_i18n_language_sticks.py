"""The language a person chose sticks: the sign-in page's choice survives sign-in and becomes the
account's (unless they chose one before); create-user takes --name, --locale and --country; the
time-zone field offers the person's country's zones first."""
from __future__ import annotations

import pytest
from conftest import PASSWORD
from sqlalchemy import select

from backend.accounts.models import User
from backend.db import session_scope
from support.forms import AuthActions, csrf_token


def _account(app, email):
    with session_scope(app) as db:
        user = db.scalar(select(User).where(User.email == email))
        return {"locale": user.locale, "chosen": user.locale_chosen, "country": user.country,
                "zone": user.time_zone, "name": user.display_name}


def _create(runner, *args):
    return runner.invoke(args=["create-user", *args], input=PASSWORD + "\n")


def test_a_cli_therapist_signing_in_from_the_norwegian_page_gets_norwegian(app, client, runner):
    created = _create(runner, "--role", "therapist", "--email", "dr.berg@example.org", "--name", "Dr Kari Berg")
    assert created.exit_code == 0
    assert _account(app, "dr.berg@example.org")["chosen"] is False
    client.get("/auth/login?lang=nb")
    response = AuthActions(client).login("dr.berg@example.org", PASSWORD)
    assert response.status_code in (302, 303)
    assert '<html lang="nb">' in client.get("/", follow_redirects=True).get_data(as_text=True)
    assert _account(app, "dr.berg@example.org")["locale"] == "nb"
    assert _account(app, "dr.berg@example.org")["chosen"] is True
    # Another browser, one that asks for English, still gets the language chosen on the page.
    other = app.test_client()
    AuthActions(other).login("dr.berg@example.org", PASSWORD)
    page = other.get("/", headers={"Accept-Language": "en"}, follow_redirects=True).get_data(as_text=True)
    assert '<html lang="nb">' in page and "Mine klienter" in page


def test_a_language_chosen_before_wins_over_the_sign_in_page(app, client, make_user):
    email = make_user("client", locale="sv", locale_chosen=True)
    client.get("/auth/login?lang=nb")
    AuthActions(client).login(email, PASSWORD)
    assert '<html lang="sv">' in client.get("/", follow_redirects=True).get_data(as_text=True)
    assert _account(app, email)["locale"] == "sv"


def test_a_page_language_after_sign_in_is_still_honoured(app, client, make_user):
    email = make_user("client", locale="sv", locale_chosen=True)
    AuthActions(client).login(email, PASSWORD)
    assert '<html lang="nb">' in client.get("/help?lang=nb").get_data(as_text=True)


def test_the_switcher_marks_the_language_as_chosen(app, client, make_user):
    email = make_user("client", locale="en")
    AuthActions(client).login(email, PASSWORD)
    client.post("/language", data={"csrf_token": csrf_token(client, "/"), "lang": "sv", "next": "/"})
    assert _account(app, email)["locale"] == "sv" and _account(app, email)["chosen"] is True


def test_create_user_takes_name_locale_and_country(app, runner):
    result = _create(runner, "--role", "therapist", "--email", "kari@example.org", "--name", "Dr Kari Berg",
                     "--locale", "sv", "--country", "se")
    assert result.exit_code == 0, result.output
    assert _account(app, "kari@example.org") == {"locale": "sv", "chosen": False, "country": "SE",
                                                 "zone": "Europe/Stockholm", "name": "Dr Kari Berg"}
    # --locale alone gives that language's country and zone.
    assert _create(runner, "--role", "admin", "--email", "a@example.org", "--locale", "nb").exit_code == 0
    assert _account(app, "a@example.org")["country"] == "NO" and _account(app, "a@example.org")["zone"] == "Europe/Oslo"


@pytest.mark.parametrize("args", [["--locale", "de"], ["--country", "XX"]])
def test_create_user_refuses_unknown_languages_and_countries(app, runner, args):
    result = _create(runner, "--role", "therapist", "--email", "x@example.org", *args)
    assert result.exit_code != 0
    with session_scope(app) as db:
        assert db.scalar(select(User).where(User.email == "x@example.org")) is None


def test_the_time_zone_field_offers_the_countrys_zones_first_and_checks_the_value(app, client, make_user):
    email = make_user("client", locale="sv", country="SE", time_zone="Europe/Stockholm")
    AuthActions(client).login(email, PASSWORD)
    page = client.get("/settings/notifications?lang=sv").get_data(as_text=True)
    datalist = page[page.index('<datalist id="tz-zones">'):page.index("</datalist>")]
    first = datalist.split("<option", 2)[1]
    assert 'value="Europe/Stockholm"' in first and "Stockholm" in first
    assert datalist.count("<option") > 300 and 'list="tz-zones"' in page
    token = csrf_token(client, "/settings/notifications")
    bad = client.post("/settings/notifications", data={"csrf_token": token, "daily_time": "18:00",
                                                       "time_zone": "Mars/Olympus"})
    assert bad.status_code == 400 and "Välj en tidszon i listan" in bad.get_data(as_text=True)
    good = client.post("/settings/notifications", data={"csrf_token": token, "daily_time": "18:00",
                                                        "time_zone": "Europe/Helsinki"})
    assert good.status_code == 302 and _account(app, email)["zone"] == "Europe/Helsinki"
