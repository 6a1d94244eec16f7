"""`next` and `back` lead only to a path on this site (ASVS V3.7.2), and a hostile one is never a 500.

Review L1/L2: `next="/\\t/evil.example"` sent the browser to `//evil.example` (the tab vanishes), and
CR/LF in `next` made Werkzeug refuse the header (500), on `/language`, `/exit-note` and the media form.
"""
from __future__ import annotations

import re
import uuid
from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest

from backend.redirects import safe_path
from support.forms import csrf_token

FALLBACK = "/home"
EVIL = "evil.example"

# Every way of leaving the site (or breaking the header) we know of; safe_path refuses each.
HOSTILE = [
    "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\r\n/evil.example",
    "/ok\r\nSet-Cookie: stolen=1", "/\x00/evil.example", "/\x7f/evil.example", "/\x1b/evil.example",
    "/\\evil.example", "/\\/evil.example", "\\\\evil.example", "/x\\..\\..\\evil.example",
    "//evil.example", "///evil.example", "//evil.example/%2F..",
    "http://evil.example", "https://evil.example/plans", "javascript:alert(1)", "evil.example", "",
    " //evil.example", "/\u2028/evil.example", "/\u2029/evil.example", "/\u0085/evil.example",
    "/\u200b/evil.example", "/\ufeff/evil.example", "/\u00a0/evil.example", "/\u3000/evil.example",
    "/\u202e/evil.example", "/plans/1/\r\n/evil.example", "/plans/1/\t/evil.example", "/ok ",
]
# Paths on this site, followed as they are (percent-escapes stay escapes: the browser keeps them in
# the path and never reads them as a host).
SAME_SITE = [
    "/", "/plans/1/edit#reasons", "/grounding?next=http://evil.example", "/%09/evil.example",
    "/%2F%2Fevil.example", "/%5Cevil.example", "/grounding/mine/ø", "/plans/1/edit?q=a b",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_a_hostile_target_gives_the_fallback(target):
    assert safe_path(target, FALLBACK) == FALLBACK


@pytest.mark.parametrize("target", SAME_SITE)
def test_a_path_on_this_site_is_followed(target):
    assert safe_path(target, FALLBACK) == target


@pytest.mark.parametrize("target", [None, "/\ud800/evil.example", "//[", "/[::1]x", 42, b"/bytes"])
def test_odd_input_never_raises(target):
    assert safe_path(target, FALLBACK) in (FALLBACK, target)
    assert safe_path(target, FALLBACK) == FALLBACK or target == "/[::1]x"


def where_a_browser_goes(location: str) -> str:
    """The host a browser would open for this Location on http://trygg.test/, read the way the
    URL standard reads it: tabs and newlines dropped anywhere, C0 controls and spaces stripped at the
    ends, a backslash taken as a slash."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("".join(map(chr, range(0x21)))).replace("\\", "/")
    return urlsplit(urljoin("http://trygg.test/", cleaned)).netloc


# -- the endpoints: posting each hostile `next` ------------------------------------------------------------


@pytest.fixture
def owner(app, client, sign_in, world):
    """The plan's owner, signed in; their CSRF token. An error is answered as in production (a 500
    page), not raised into the test."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    sign_in(world.owner)
    return csrf_token(client, f"/plans/{world.plan_id}/edit")


def _posts(world, token):
    """Each form that goes back to a `next` (or the editor's `back`), with `target` in it."""
    plan = world.plan_id
    yield "/language", lambda t: {"csrf_token": token, "lang": "en", "next": t}
    yield "/exit-note", lambda t: {"csrf_token": token, "next": t}
    yield f"/plans/{plan}/media", lambda t: {"csrf_token": token, "uuid": str(uuid.uuid4()), "kind": "message",
                                              "section": "reasons", "caption": "You matter", "next": t}
    yield f"/plans/{plan}/changes", lambda t: {"csrf_token": token, "action": "add", "section": "reasons",
                                               "text": "Walk", "op": str(uuid.uuid4()), "item": str(uuid.uuid4()),
                                               "back": t}


def test_no_hostile_next_leaves_the_site_or_fails(client, owner, world):
    """Every hostile target on every form: never a 5xx, and the browser stays on this site."""
    targets = HOSTILE + [f"/plans/{world.plan_id}/{t.lstrip('/')}" for t in HOSTILE[:8]]
    seen = []
    for path, form in _posts(world, owner):
        for target in targets:
            response = client.post(path, data=form(target))
            location = response.headers.get("Location", "")
            seen.append((path, target, response.status_code, location))
    server_errors = [s for s in seen if s[2] >= 500]
    off_site = [s for s in seen if s[3] and where_a_browser_goes(s[3]) not in ("", "trygg.test", "localhost")]
    assert (len(server_errors), len(off_site)) == (0, 0), (Counter(s[0] for s in server_errors), off_site[:3])
    # Each goes to its fallback, except a NUL byte, which the request guard refuses first (400).
    assert all(s[2] == (400 if "\x00" in s[1] else 302) for s in seen), [s for s in seen if s[2] != 302][:5]


def test_the_tab_trick_now_lands_on_the_fallback(client, owner, world):
    """The review's reproduction: `/\\t/evil.example` went to `//evil.example`."""
    for path, form in _posts(world, owner):
        location = client.post(path, data=form("/\t/evil.example")).headers["Location"]
        assert EVIL not in location, (path, location)


def test_a_path_on_this_site_is_still_followed(client, owner, world):
    """The forms still go back where the person was."""
    plan = world.plan_id
    for path, form in _posts(world, owner):
        target = f"/plans/{plan}/edit" if path.endswith("/changes") else f"/plans/{plan}?section=reasons"
        location = client.post(path, data=form(target)).headers["Location"]
        assert urlsplit(location).path == f"/plans/{plan}" + ("/edit" if path.endswith("/changes") else ""), location


@pytest.mark.parametrize("target", ["/ok\r\nSet-Cookie: x=1", "/\t/evil.example", "https://evil.example/"])
def test_the_sign_in_next_never_leaves_the_site_or_fails(app, make_user, target):
    """The sign-in's `next` goes through the same helper (CR/LF in it answered 500 before)."""
    from support.forms import AuthActions

    email = make_user("client")
    browser = app.test_client()
    answer = AuthActions(browser).login(email, "correct horse battery staple",
                                        query_string={"next": target})
    assert answer.status_code == 302
    assert urlsplit(answer.headers["Location"]).netloc in ("", "localhost")
    assert "evil" not in answer.headers["Location"] and "Set-Cookie" not in answer.headers["Location"]
