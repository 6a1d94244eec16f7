"""Links that carry a secret (registration, reset, invite), walked as people walk them over HTTP: for
the tests that check no log holds those secrets (tests/integration/test_log_redaction.py, the nginx
deploy test)."""
from __future__ import annotations

import email
import email.policy
import re
import stat
from urllib.parse import quote, urlsplit

import requests
from sqlalchemy import select

from backend import create_app
from backend.accounts.models import User
from backend.broker import get_broker
from backend.db import get_engine, session_scope
from safety_plans import invites
from support import gunicorn
from support.plans import PASSWORD


def invite_codes(seeded: gunicorn.Seeded, therapist: str, count: int) -> list[str]:
    """New invites from the therapist (made as the invite page makes them)."""
    app = create_app({"DATABASE_URL": seeded.db_url, "INSTANCE_PATH": str(seeded.instance)})
    with app.test_request_context(), session_scope(app) as db:
        berg = db.scalar(select(User).where(User.email == therapist))
        codes = [invites.create_invite(db, berg).code for _ in range(count)]
    get_broker(app).stop()
    get_engine(app).dispose()
    return codes


def csrf(html: str) -> str:
    """The CSRF token in a page's form."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def post_form(browser: requests.Session, url: str, path: str, data: dict, action: str = "") -> requests.Response:
    """Open the page, then send its form (with its CSRF token) to `action` (or the page), as a person would."""
    page = browser.get(url + path)
    return browser.post(url + (action or path), data={**data, "csrf_token": csrf(page.text)},
                        allow_redirects=False)


def last_mail_link(seeded: gunicorn.Seeded, to: str, part: str) -> str:
    """The path of the link in the newest kept mail to `to` (the .eml file, 0600)."""
    files = sorted((seeded.instance / "mail").glob("*.eml"))
    for path in reversed(files):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == to:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            for link in re.findall(r"https?://\S+", message.get_body(("plain",)).get_content()):
                if part in link:
                    found = urlsplit(link)
                    return found.path + (f"?{found.query}" if found.query else "")
    raise AssertionError(f"no {part} mail to {to}")


def journeys(url: str, seeded: gunicorn.Seeded, codes: list[str]) -> dict[str, str]:
    """Registration from an invite link, a second client typing a code (and a wrong one), a password
    reset. Returns the secrets that travelled in URLs, by name."""
    first, second = codes
    secrets = {"invite code": first, "second invite code": second, "wrong code": "XKCD7777"}

    # An invite link opened signed out: sign-in, "Create an account", the welcome link, the invite.
    newcomer = requests.Session()
    opened = newcomer.get(f"{url}/care/link/{first}")
    assert opened.url.startswith(f"{url}/auth/login?next=") and first in opened.url
    register = f"/auth/register?next={quote(f'/care/link/{first}', safe='')}"
    sent = post_form(newcomer, url, register, {"email": "nora@example.org", "password": PASSWORD,
                                                "display_name": "Nora", "country": "NO"})
    assert sent.status_code == 302, sent.text[:300]
    welcome = last_mail_link(seeded, "nora@example.org", "/auth/welcome/")
    secrets["welcome token"] = welcome.split("/auth/welcome/", 1)[1].split("?", 1)[0]
    signed_in = post_form(newcomer, url, welcome, {})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith(f"/care/link/{first}")
    assert "Dr Berg" in newcomer.get(f"{url}/care/link/{first}").text
    accepted = post_form(newcomer, url, f"/care/link/{first}", {})
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/care")

    # A signed-in client types a code (lower case, with the dash) and a wrong one.
    ingrid = gunicorn.signed_in(url, seeded.client_email)
    typed = post_form(ingrid, url, "/care", {"code": f"{second[:4].lower()}-{second[4:].lower()}"}, "/care/link")
    assert typed.headers["Location"].endswith(f"/care/link/{second}")
    assert ingrid.get(url + typed.headers["Location"]).status_code == 200
    wrong = post_form(ingrid, url, "/care", {"code": secrets["wrong code"]}, "/care/link")
    assert ingrid.get(url + wrong.headers["Location"]).status_code == 404
    assert post_form(ingrid, url, f"/care/link/{second}", {}).status_code == 302

    # Forgot the password: the reset link from the mail, then a new password.
    stranger = requests.Session()
    assert post_form(stranger, url, "/auth/forgot", {"email": seeded.client_email}).status_code == 302
    reset = last_mail_link(seeded, seeded.client_email, "/auth/reset/")
    secrets["reset token"] = reset.rsplit("/", 1)[1]
    changed = post_form(stranger, url, reset, {"password": "a brand new passphrase here"})
    assert changed.status_code == 302, changed.text[:300]
    return secrets
