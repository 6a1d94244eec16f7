"""The country a browser remembers (issue 27, point 3) over HTTP: the strip's choice is a form post
with a CSRF token that keeps a `trygg_country` cookie and returns to the same page; the server
draws every page from that cookie; /help's choice is kept the same way; a signed-in person's
numbers follow their plan, whatever the cookie says; only guessed pages carry the zone table."""

from __future__ import annotations

import json
import re
from html import unescape

from support.forms import AuthActions, csrf_token

US = {"Accept-Language": "en-US,en;q=0.8"}


def _html(response) -> str:
    return response.get_data(as_text=True)


def _strip_call(html: str) -> str:
    strip = re.search(r'<div class="help-strip".*?</div>', html, re.S)
    assert strip, "no help strip"
    return re.search(r'class="help-call" href="([^"]+)"', strip.group(0)).group(1)


def test_the_strips_choice_is_kept_in_a_cookie_and_returns_to_the_page(client):
    assert _strip_call(_html(client.get("/auth/register", headers=US))) == "tel:911"
    token = csrf_token(client, "/auth/register")
    response = client.post(
        "/country", data={"country": "no", "next": "/auth/register", "csrf_token": token}, headers=US
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/register")
    cookie = response.headers["Set-Cookie"]
    assert "trygg_country=NO" in cookie and "SameSite=Lax" in cookie and "HttpOnly" not in cookie
    html = _html(client.get("/auth/register", headers=US))
    assert _strip_call(html) == "tel:113"
    assert re.search(r'<option selected value="NO">|<option value="NO" selected>', html)
    assert "data-country-guess" not in html  # chosen: no guessing any more
    assert _strip_call(_html(client.get("/no-such-page", headers=US))) == "tel:113"


def test_the_choice_needs_the_csrf_token_and_a_known_country_and_stays_on_this_site(client):
    assert client.post("/country", data={"country": "SE", "next": "/help"}).status_code == 400
    token = csrf_token(client)
    unknown = client.post("/country", data={"country": "ZZ", "next": "/help", "csrf_token": token})
    assert unknown.status_code == 302 and "trygg_country" not in unknown.headers.get("Set-Cookie", "")
    away = client.post("/country", data={"country": "SE", "next": "//evil.example/", "csrf_token": token})
    assert away.headers["Location"].endswith("/help")


def test_a_guessed_page_carries_the_zone_table_and_every_countrys_call(client):
    html = _html(client.get("/auth/login", headers=US))
    match = re.search(r'data-country-guess="([^"]+)"', html)
    assert match, "a page drawn from the language alone carries the guess"
    guess = json.loads(unescape(match.group(1)))
    assert guess["country"] == "US"
    assert guess["zones"]["Europe/Oslo"] == "NO" and guess["zones"]["Europe/Stockholm"] == "SE"
    assert guess["zones"]["America/Chicago"] == "US" and "America/Sao_Paulo" not in guess["zones"]
    assert guess["calls"]["NO"][:2] == ["113", "tel:113"] and guess["calls"]["GB"][:2] == ["999", "tel:999"]
    assert re.search(r'<script type="module" src="/assets/pwa/country\.[0-9a-f]{10}\.js">', html)


def test_help_keeps_its_choice_and_a_signed_in_client_keeps_their_plans_country(client, make_user):
    html = _html(client.get("/help?country=DK", headers=US))
    assert _strip_call(html) == "tel:112" and "Crisis lines for Denmark" in html
    assert _strip_call(_html(client.get("/auth/login", headers=US))) == "tel:112"
    email = make_user("client", country="NO")
    AuthActions(client).login(email, "correct horse battery staple")
    html = _html(client.get("/grounding/", headers=US))
    assert _strip_call(html) == "tel:113"  # the plan's country, not the browser's choice
    assert "data-country-guess" not in html and "data-country-menu" not in html
