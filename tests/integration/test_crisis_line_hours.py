"""Every listing of a crisis line shows its hours (issue 27, point 7): the sign-in page and the
locked-out sign-in, /help, the crisis view and the print. The locked-out page no longer promises
that the lines below are "always open": Sweden's Jourhavande medmänniska answers only at night."""

from __future__ import annotations

import html as html_lib
import re

from safety_plans import crisis_lines
from support.forms import csrf_token

SWEDEN = {"Accept-Language": "sv-SE,sv;q=0.9"}


def _html(response) -> str:
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _in_sweden(client) -> None:
    """A signed-out visitor who chose Sweden on /help (remembered for the visit)."""
    assert client.get("/help?country=SE&lang=sv", headers=SWEDEN).status_code == 200


def _login_list(html: str) -> str:
    return html[html.index('<ul class="login-lines">'):html.index("</ul>", html.index('<ul class="login-lines">'))]


def test_the_sign_in_page_shows_each_lines_hours(client):
    _in_sweden(client)
    listed = _login_list(_html(client.get("/auth/login", headers=SWEDEN)))
    items = re.findall(r"<li>(.*?)</li>", listed, re.S)
    assert len(items) == 4  # 112 and the first three helplines
    assert all('class="line-hours"' in item for item in items), items
    assert "Jourhavande medmänniska" in listed and "Varje natt kl. 21–06" in _text(listed)


def test_the_locked_out_page_says_the_numbers_work_without_trygg_and_never_always_open(client, make_user):
    email = make_user("client")
    _in_sweden(client)
    wrong = {"email": email, "password": "wrong password here"}
    for _ in range(6):
        response = client.post("/auth/login", headers=SWEDEN, data={**wrong, "csrf_token": csrf_token(client)})
    assert response.status_code == 429
    html = _html(response)
    text = _text(html)
    assert "Behöver du hjälp nu kan du ringa numren nedan – de fungerar utan Trygg." in text
    assert "alltid öppna" not in text and "För din säkerhet" not in text
    below = _login_list(html)
    assert 'href="tel:112"' in below and "Varje natt kl. 21–06" in _text(below)
    client.get("/help?lang=en")
    english = _text(_html(client.post("/auth/login", headers=SWEDEN, data={**wrong, "csrf_token": csrf_token(client)})))
    assert "If you need help now, you can call the numbers below: they work without Trygg." in english
    assert "always open" not in english and "Every night 21–06" in english


def test_the_help_page_shows_hours_beside_every_line_of_every_country(client):
    html = _html(client.get("/help?lang=nb&country=FI"))
    listed = sum(len(crisis_lines.lines_for(country, "nb")) for country in crisis_lines.countries())
    emergency_buttons = 1  # Finland's 112 is the big button, not in the list
    assert html.count('class="line-hours"') == listed - emergency_buttons
    assert "09 2525 0116" in html and "Bare fredager kl. 9–13; sjekk tidene" in html
    assert "09 2525 0113" not in html


def test_the_crisis_view_lists_hours_and_puts_police_and_fire_last(client, sign_in, world):
    sign_in(world.owner)
    html = _html(client.get(f"/plans/{world.plan_id}?lang=nb"))
    folded = html[html.index('<details class="sp-more-lines">'):]
    folded = folded[:folded.index("</details>")]
    calls = re.findall(r'href="tel:([^"]+)"', folded)
    assert calls[0] == "116117" and calls[-2:] == ["112", "110"]  # police and fire after the helplines
    assert folded.count('class="line-hours"') == len(calls)
    assert "Ettermiddag og kveld; sjekk tidene" in folded
    assert "Du kan fortsatt ringe de andre numrene her" in folded  # Kirkens SOS's weekly limit, said gently


def test_the_print_shows_hours_beside_the_lines_and_on_the_wallet_card(client, sign_in, world):
    sign_in(world.owner)
    html = _html(client.get(f"/plans/{world.plan_id}/print?lang=nb"))
    card = _text(html[html.index('class="sp-card"'):])
    assert "Legevakt: 116 117 (Åpen hele døgnet)" in card
    top = _text(html[html.index('class="sp-print-help"'):html.index('class="sp-print-grid"')])
    assert "Kirkens SOS: 22 40 00 40 (Åpen hele døgnet)" in top
    assert "Kors på halsen, Røde Kors (under 18 år): 800 33 321 (Ettermiddag og kveld; sjekk tidene)" in top
