"""Two-step sign-in as people use it, in Chromium (issue 26): a therapist sets up the app on a
laptop; someone with only the password on a phone gets no further than the code, however they try;
the therapist moves to a new phone from the account page (password and a code first); wrong codes
make the next one wait, in the person's language; an admin resets a lost factor.

Screenshots go to $TRYGG_SCREENSHOTS when it is set, else to the test's temporary folder."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from backend.accounts.services import create_user
from backend.db import session_scope
from support.coedit import LAPTOP, PHONE
from support.mail import body_of, last_mail_to
from support.two_step import complete_in_browser, fresh_code, remember_key

PASSWORD = "a calm walk by the river"


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("TRYGG_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _make(live_server, email, role, name, locale="en"):
    with live_server.app.test_request_context(), session_scope(live_server.app) as db:
        create_user(db, email, PASSWORD, role=role, display_name=name, locale=locale)


def _password(page, url, email):
    page.goto(url + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_only_password_and_code_change_a_factor_and_guessing_waits(live_server, new_page, shots):
    url, email = live_server.url, "kari.berg@example.org"
    _make(live_server, email, "therapist", "Dr Kari Berg")
    laptop = new_page(**LAPTOP)
    _password(laptop, url, email)
    complete_in_browser(laptop, email)
    expect(laptop.get_by_role("button", name="Sign out")).to_be_visible()

    # Someone with the password on a phone: the set-up page is no way in.
    phone = new_page(**PHONE)
    _password(phone, url, email)
    expect(phone.get_by_role("heading", name="Your code")).to_be_visible()
    phone.goto(url + "/auth/two-step/setup")
    expect(phone).to_have_url(re.compile(r"/auth/two-step$"))
    expect(phone.locator("[data-totp-secret]")).to_have_count(0)
    # Guessing: five wrong codes are looked at, then the next one waits, and nothing typed is lost.
    for _ in range(5):
        phone.get_by_label("Code").fill("123456")
        phone.get_by_role("button", name="Sign in").click()
        expect(phone.locator(".error").first).to_contain_text("did not work")
    phone.get_by_label("Code").fill("654321")
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.locator(".error").first).to_contain_text("wait 15 minutes")
    expect(phone.get_by_label("Code")).to_have_value("654321")
    phone.screenshot(path=shots / "two-step-wait-390.png", full_page=True)
    assert "wrong codes" in body_of(last_mail_to(live_server.app, email))

    # The owner, on the laptop they signed in with, moves to a new phone's app.
    laptop.goto(url + "/account/")
    laptop.get_by_role("link", name="Use another authenticator app").click()
    expect(laptop.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    laptop.get_by_label("Your password").fill(PASSWORD)
    laptop.get_by_label("Code from your app, or a recovery code").fill("000000")
    laptop.get_by_role("button", name="Continue").click()
    expect(laptop.locator(".error").first).to_contain_text("do not match")
    laptop.screenshot(path=shots / "two-step-confirm-1280.png", full_page=True)
    laptop.get_by_label("Your password").fill(PASSWORD)
    laptop.get_by_label("Code from your app, or a recovery code").fill(fresh_code(email))
    laptop.get_by_role("button", name="Continue").click()
    expect(laptop.get_by_text("Your old app keeps working")).to_be_visible()
    secret = laptop.locator("[data-totp-secret]").inner_text().replace(" ", "")
    remember_key(email, secret)
    laptop.get_by_label("Code").fill(fresh_code(email))
    laptop.get_by_role("button", name="Turn on").click()
    expect(laptop.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert "another authenticator app" in body_of(last_mail_to(live_server.app, email))
    laptop.get_by_role("link", name="I have kept them. Continue").click()
    expect(laptop.get_by_role("heading", name="My account")).to_be_visible()


def test_a_client_confirms_in_norwegian_on_a_phone(live_server, new_page, shots):
    url, email = live_server.url, "ingrid.nb@example.org"
    _make(live_server, email, "client", "Ingrid", locale="nb")
    phone = new_page(locale="nb-NO", **PHONE)
    phone.goto(url + "/auth/login")
    phone.get_by_label("E-post").fill(email)
    phone.get_by_label("Passord").fill(PASSWORD)
    phone.get_by_role("button", name="Logg inn").click()
    expect(phone).not_to_have_url(re.compile(r"/auth/login"))
    phone.goto(url + "/account/")
    phone.get_by_role("link", name="Slå på innlogging i to trinn").click()
    expect(phone.get_by_role("heading", name="Bekreft at det er deg")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=shots / "two-step-confirm-nb-390.png", full_page=True)
    phone.get_by_label("Passordet ditt").fill("feil passord her")
    phone.get_by_role("button", name="Fortsett").click()
    expect(phone.locator(".error").first).to_be_visible()
    phone.get_by_label("Passordet ditt").fill(PASSWORD)
    phone.get_by_role("button", name="Fortsett").click()
    expect(phone.locator("[data-totp-secret]")).to_be_visible()


def test_an_admin_resets_a_lost_factor(live_server, new_page, shots):
    url = live_server.url
    _make(live_server, "lost.phone@example.org", "therapist", "Dr Lars Holm")
    _make(live_server, "admin@example.org", "admin", "Admin Astrid")
    secret = pyotp.random_base32(32)
    with session_scope(live_server.app) as db:  # the therapist had set up an app, then lost the phone
        from sqlalchemy import update

        from backend.accounts.models import User

        db.execute(update(User).where(User.email == "lost.phone@example.org").values(totp_secret=secret))
    admin = new_page(**LAPTOP)
    _password(admin, url, "admin@example.org")
    complete_in_browser(admin, "admin@example.org")
    admin.goto(url + "/admin/users")
    admin.get_by_role("link", name="Reset lost.phone@example.org").click()
    expect(admin.get_by_role("heading", name="Reset two-step sign-in for Dr Lars Holm")).to_be_visible()
    admin.screenshot(path=shots / "admin-reset-two-step-1280.png", full_page=True)
    admin.get_by_label("Your password").fill(PASSWORD)
    admin.get_by_role("button", name="Reset two-step sign-in").click()
    expect(admin.locator(".flash")).to_contain_text("Two-step sign-in is reset for Dr Lars Holm")
    assert "administrator reset" in body_of(last_mail_to(live_server.app, "lost.phone@example.org"))

    therapist = new_page(**PHONE)
    _password(therapist, url, "lost.phone@example.org")
    expect(therapist.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    therapist.screenshot(path=shots / "two-step-setup-after-reset-390.png", full_page=True)
