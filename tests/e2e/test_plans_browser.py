"""In real Chromium: a therapist invites, a client accepts in a second browser context, both fill
in the plan, the crisis view calls and texts the right numbers, and the client ends access."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from backend.accounts.services import create_user
from backend.db import session_scope
from support.mail import last_mail_to, link_in
from support.two_step import complete_in_browser

PASSWORD = "a calm walk by the river"


def _therapist(live_server, email):
    with live_server.app.test_request_context(), session_scope(live_server.app) as db:
        create_user(db, email, PASSWORD, role="therapist", display_name="Dr Berg")


def _sign_in(page, url, email):
    page.goto(url + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    complete_in_browser(page, email)


def open_menu(page, name):
    """On a phone the main links sit behind the one-line menu: open it as a person would."""
    menu = page.locator("details.menu")
    if not menu.evaluate("d => d.open"):
        page.get_by_text(name, exact=True).click()


def test_invite_accept_edit_crisis_view_and_end_access(live_server, new_page):
    _therapist(live_server, "berg@example.org")
    therapist = new_page(locale="en-GB")
    _sign_in(therapist, live_server.url, "berg@example.org")
    expect(therapist.get_by_role("heading", level=1)).to_have_text("My clients")
    therapist.get_by_role("button", name="Create invite").click()
    link = therapist.locator("[data-invite-link]").get_attribute("href")
    expect(therapist.get_by_role("img", name="QR code for the invitation link")).to_be_visible()

    # The client opens the link on their phone, registers in Norwegian, and accepts.
    client = new_page(locale="nb-NO", viewport={"width": 375, "height": 740})
    client.goto(link + "?lang=nb")
    expect(client).to_have_url(re.compile(r"/auth/login"))
    client.get_by_role("link", name="Opprett en konto").click()
    client.get_by_label("Hva vil du at vi skal kalle deg? (valgfritt)").fill("Ingrid")
    client.get_by_label("E-post").fill("ingrid@example.org")
    client.get_by_label("Passord").fill(PASSWORD)
    client.get_by_role("button", name="Opprett konto").click()
    expect(client.get_by_role("heading", name="Sjekk e-posten din")).to_be_visible()
    client.goto(live_server.url + link_in(last_mail_to(live_server.app, "ingrid@example.org"), "/auth/welcome/"))
    client.get_by_role("button", name="Åpne Trygg").click()
    expect(client.get_by_text("Dr Berg inviterer deg")).to_be_visible()
    client.get_by_role("button", name="Godta").click()
    expect(client.get_by_role("status")).to_contain_text("Dr Berg kan nå se")

    # The client fills in a person to ask for help, with a pre-written text message.
    open_menu(client, "Meny")
    client.get_by_role("navigation").get_by_role("link", name="Endre planen").click()
    support = client.locator("#support")
    support.get_by_label("Navn eller sted").fill("Søster Kari")
    support.get_by_label("Telefon (valgfritt)").fill("+47 999 88 777")
    support.get_by_label("Har sagt ja til å stå i planen min").check()
    support.get_by_label("SMS du kan sende (valgfritt)").fill("Kan du ringe meg?")
    support.get_by_role("button", name=re.compile("^Legg til")).click()
    client.locator("#inner_coping").get_by_role("button", name="+ Ta en varm dusj").click()

    # The therapist sees the client and adds a warning sign.
    therapist.goto(live_server.url + "/clients")
    expect(therapist.get_by_text("Ingrid", exact=True)).to_be_visible()
    therapist.get_by_role("link", name=re.compile(r"^Edit\s*:\s*Ingrid")).click()
    signs = therapist.locator("#warning_signs")
    signs.get_by_label("Add your own").fill("Stops answering messages")
    signs.get_by_role("button", name=re.compile("^Add")).click()
    expect(therapist.get_by_role("status")).to_contain_text("Saved.")

    # The crisis view: Norway's emergency number first, working tel: and sms: links.
    open_menu(client, "Meny")
    client.get_by_role("navigation").get_by_role("link", name="Planen min").click()
    help_now = client.get_by_role("region", name="Hjelp nå")
    first_call = help_now.get_by_role("link", name=re.compile("^Ring 113"))
    expect(first_call).to_have_attribute("href", "tel:113")
    expect(client.get_by_text("Stops answering messages")).to_be_visible()
    expect(client.get_by_text("Ta en varm dusj")).to_be_visible()
    kari_call = client.get_by_role("link", name="Ring Søster Kari")
    kari_text = client.get_by_role("link", name="Send SMS Søster Kari")
    expect(kari_call).to_have_attribute("href", "tel:+4799988777")
    expect(kari_text).to_have_attribute("href", "sms:+4799988777?body=Kan%20du%20ringe%20meg%3F")
    box = kari_call.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # big enough for a shaking hand
    assert client.evaluate("document.documentElement.scrollWidth") <= 375

    # Who has seen my plan: the therapist's visits are there.
    client.get_by_role("link", name="Hvem har sett planen min").click()
    expect(client.get_by_role("listitem").filter(has_text="Dr Berg").first).to_be_visible()

    # The client ends the therapist's access; the therapist can no longer open the plan.
    open_menu(client, "Meny")
    client.get_by_role("navigation").get_by_role("link", name="Mine terapeuter").click()
    client.get_by_role("button", name=re.compile(r"^Avslutt tilgang\s*:\s*Dr Berg")).click()
    expect(client.get_by_text("Ingen terapeut kan se planen din.")).to_be_visible()
    plan_url = therapist.url.split("/edit")[0]
    response = therapist.request.get(plan_url)
    assert response.status == 404
    therapist.goto(live_server.url + "/clients")
    expect(therapist.get_by_text("No clients yet.")).to_be_visible()
