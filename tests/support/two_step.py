"""Completing the second step of sign-in in tests, as a person with an authenticator app would:
read the key from the set-up page once, then compute codes with pyotp.

Keys are remembered per email (as the app on a phone would); a code is never accepted twice, so
when this minute's codes are used up the helper waits for the next 30-second step."""
from __future__ import annotations

import html
import re
import threading
import time

import pyotp

_SECRET = re.compile(r"data-totp-secret>([A-Z2-7 ]+)<")
_KEYS: dict[str, str] = {}
_USED: dict[str, int] = {}
_LOCK = threading.Lock()


def secret_from_page(page_html: str) -> str:
    """The key shown as text on the set-up page."""
    match = _SECRET.search(page_html)
    assert match, "no key on the two-step set-up page"
    return match.group(1).replace(" ", "")


def remember_key(email: str, secret: str) -> None:
    """Keep a key, as the phone's app does."""
    with _LOCK:
        _KEYS[email.lower()] = secret
        _USED.pop(email.lower(), None)


def key_of(email: str) -> str:
    return _KEYS[email.lower()]


def fresh_code(email: str, secret: str | None = None) -> str:
    """A code for a time step not used before. The server accepts now ± one step; the code is for
    now or the next step, never the one before: a step boundary passing between this and the
    server's check would make a code for the step before too old (a flake seen in CI)."""
    email = email.lower()
    secret = secret or _KEYS[email]
    totp = pyotp.TOTP(secret)
    while True:
        with _LOCK:
            now = totp.timecode(int(time.time()))
            for step in (now, now + 1):
                if step > _USED.get(email, -1):
                    _USED[email] = step
                    return totp.generate_otp(step)
        time.sleep(1)


def complete(client, email: str, response, **kwargs):
    """Follow a sign-in response through the second step (set-up or code); returns the last one."""
    location = response.headers.get("Location", "") if response.status_code in (302, 303) else ""
    token_re = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
    if location.endswith("/auth/two-step/setup"):
        page = client.get("/auth/two-step/setup").get_data(as_text=True)
        secret = secret_from_page(html.unescape(page))
        remember_key(email, secret)
        token = token_re.search(page).group(1)
        return client.post("/auth/two-step/setup", data={"code": fresh_code(email), "csrf_token": token}, **kwargs)
    if location.endswith("/auth/two-step"):
        page = client.get("/auth/two-step").get_data(as_text=True)
        token = token_re.search(page).group(1)
        return client.post("/auth/two-step", data={"code": fresh_code(email), "csrf_token": token}, **kwargs)
    return response


def complete_in_browser(page, email: str) -> None:
    """The same in Chromium: after "Sign in", set up the app or type its code, if asked."""
    page.wait_for_url(lambda url: "/auth/login" not in url)
    if "/auth/two-step/setup" in page.url:
        secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
        remember_key(email, secret)
        page.get_by_label("Code").fill(fresh_code(email))
        page.get_by_role("button", name="Turn on").click()
        page.get_by_role("link", name="I have kept them. Continue").click()
        page.wait_for_url(lambda url: "/auth/two-step" not in url)
    elif "/auth/two-step" in page.url:
        page.get_by_label("Code").fill(fresh_code(email))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/auth/two-step" not in url)


def complete_over_http(browser, base_url: str, email: str, answer):
    """The same with a `requests` session against a live server: follow the second step, if asked."""
    location = answer.headers.get("Location", "") if answer.status_code in (302, 303) else ""
    token_re = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
    for path in ("/auth/two-step/setup", "/auth/two-step"):
        if location.endswith(path):
            page = browser.get(base_url + path).text
            if path.endswith("setup"):
                remember_key(email, secret_from_page(html.unescape(page)))
            return browser.post(base_url + path, data={"code": fresh_code(email),
                                                       "csrf_token": token_re.search(page).group(1)},
                                allow_redirects=False)
    return answer
