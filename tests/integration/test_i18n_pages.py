"""Every page a person reads, in nb and sv, shows dates, times and numbers in their language and
time zone: no "UTC", no ISO date (YYYY-MM-DD) and no decimal point in a number in the visible text.

The pages are walked from the app's own URL map, so a page added later is read too."""
from __future__ import annotations

import html as html_lib
import re

import pytest

from backend.accounts.services import find_user
from backend.db import session_scope
from grounding import services as grounding_services
from support.grounding import post_json, session_payload

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DECIMAL_POINT = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")
SKIP_PREFIXES = ("/api/", "/assets", "/static", "/grounding/static")
SKIP_ENDPOINTS = {"pwa_shell.service_worker", "pwa_shell.manifest", "pwa_shell.favicon", "core.healthz",
                  "safety_plans.export", "share.plan_pdf", "account.data_json", "auth.reset", "auth.welcome",
                  "safety_plans.accept"}


def visible_text(page: str) -> str:
    """What a reader sees: no scripts, styles or attributes (a <time datetime> may hold ISO)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return html_lib.unescape(page)


def page_urls(app, world, owner_id: int) -> list[str]:
    """Every GET page of the app with its arguments filled from the world around one plan."""
    values = {"plan_id": world.plan_id, "invite_id": world.invite_id, "commitment_id": world.commitment_id,
              "slug": "five-senses", "client_id": owner_id}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS or rule.rule.startswith(SKIP_PREFIXES):
            continue
        if not set(rule.arguments) <= set(values):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), url)
        urls.append(url)
    return sorted(set(urls))


@pytest.fixture
def lived_in(app, world, client, sign_in, link_users):
    """A world with a history to show: grounding sessions with a non-whole average drop, a shared
    log, a therapist visit in the access log, a commitment with a due date."""
    sign_in(world.owner)
    for before, after in ((8, 5), (7, 5)):  # an average drop of 2.5
        response = post_json(client, "/api/v1/grounding/sessions", session_payload(before=before, after=after))
        assert response.status_code in (200, 201)
    with app.test_request_context(), session_scope(app) as db:
        owner = find_user(db, world.owner)
        grounding_services.set_sharing(db, owner.id, True)
        owner_id = owner.id
    return owner_id


def _read_all(app, client, sign_in, email, lang, urls):
    problems = []
    sign_in(email)
    client.get(f"/help?lang={lang}")  # the reader's language for the pages that follow
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        page = response.get_data(as_text=True)
        assert f'<html lang="{lang}"' in page, url
        text = visible_text(page)
        for name, pattern in (("UTC", re.compile(r"\bUTC\b")), ("an ISO date", ISO_DATE),
                              ("a decimal point", DECIMAL_POINT)):
            for match in pattern.finditer(text):
                around = text[max(0, match.start() - 40):match.end() + 40].strip()
                problems.append(f"{email} {url}: {name} in “{' '.join(around.split())}”")
    return problems


@pytest.mark.parametrize("lang", ["nb", "sv"])
def test_no_page_shows_utc_iso_dates_or_decimal_points(app, world, client, sign_in, lived_in, lang):
    urls = page_urls(app, world, lived_in)
    assert {"/help", f"/plans/{world.plan_id}/commitments", "/grounding/history", "/clients"} <= set(urls)
    problems = []
    # The therapist first, so the client's access log has a visit to show.
    for email in (world.linked_therapist, world.owner, world.admin, None):
        problems += _read_all(app, client, sign_in, email, lang, urls)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang, words", [("nb", ("2,5", "1. des.")), ("sv", ("2,5", "1 dec."))])
def test_numbers_and_dates_read_as_the_language_writes_them(app, world, client, sign_in, lived_in, lang, words):
    sign_in(world.owner)
    client.get(f"/help?lang={lang}")
    history = visible_text(client.get("/grounding/history").get_data(as_text=True))
    assert words[0] in history  # the average drop, with the language's decimal comma
    commitments = visible_text(client.get(f"/plans/{world.plan_id}/commitments").get_data(as_text=True))
    assert words[1] in commitments  # due 2026-12-01


def test_the_invite_expiry_is_local_time_without_utc(app, world, client, sign_in):
    sign_in(world.linked_therapist)
    client.get("/help?lang=nb")
    text = visible_text(client.get(f"/clients/invites/{world.invite_id}").get_data(as_text=True))
    assert "Virker én gang, til" in text and " kl. " in text and "UTC" not in text
