"""A live Trygg server in a thread and Debian's Chromium driven by Playwright.

A missing browser is a failure, never a skip: browser tests are part of the contract.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

from backend import create_app
from backend.broker import get_broker
from backend.db import get_engine
from backend.migrate import upgrade
from support.databases import drop_database, fresh_database_url

CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # this machine has no internet; don't try
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Debian's chromium on PATH (or where the package puts it)."""
    found = shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium")
    if not found:
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")
    return found


@dataclass
class LiveServer:
    """A running app: its URL and the app object (for reading the database)."""

    url: str
    app: object


def start_live_server(tmp_dir: Path, config: dict | None = None):
    """Serve a fresh, migrated app on a free loopback port; returns (server, thread, LiveServer)."""
    db_url = fresh_database_url(tmp_dir)
    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_dir / "instance"), **(config or {})})
    upgrade(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["TRYGG_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread, LiveServer(url=app.config["TRYGG_BASE_URL"], app=app), db_url


class RestartableServer:
    """A live server a test can stop and start again on the same port and database."""

    def __init__(self, tmp_dir, config: dict | None = None):
        self.server, self.thread, self.live, self.db_url = start_live_server(tmp_dir, config)
        self.url, self.app = self.live.url, self.live.app

    def stop(self):
        """The network is gone: nothing answers on the port any more."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def start(self):
        """The network is back, same address, same data."""
        port = int(self.url.rsplit(":", 1)[1])
        self.server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        """Stop for good and drop the database."""
        try:
            self.stop()
        except Exception:  # noqa: BLE001 - already stopped
            pass
        get_broker(self.app).stop()
        get_engine(self.app).dispose()
        drop_database(self.db_url)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """A live server shared by one test module."""
    server, thread, live, db_url = start_live_server(tmp_path_factory.mktemp("live"))
    yield live
    server.shutdown()
    thread.join(timeout=5)
    get_broker(live.app).stop()
    get_engine(live.app).dispose()
    drop_database(db_url)


@pytest.fixture(scope="session")
def playwright_instance():
    """Playwright's driver, once per run. Waits for what a page should show up to 10 s: a loaded
    2-core machine (CI runs two databases' suites) can be slow to sign in (argon2 on purpose)."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    """Headless Debian Chromium."""
    browser = playwright_instance.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# A form sent back with its errors is answered 400 (or 429 when rate-limited) on purpose.
_EXPECTED_STATUS = ("status of 400 ", "status of 429 ")


def _is_problem(msg) -> bool:
    """A console error that is not one of our deliberate form answers."""
    return msg.type == "error" and not any(s in msg.text for s in _EXPECTED_STATUS)


# Every page load checks how it was reached: a reload nobody asked for (a page reloading itself,
# as the editor once did 56 times in 10 s) is reported as a console error, which fails the test.
# A test that reloads, or expects one self-reload, says so with `asked_reload` / `allow_self_reload`.
NAVIGATION_WATCH = """
(() => {
  if (window.top !== window) return;
  addEventListener('load', () => {
    const entry = performance.getEntriesByType('navigation')[0];
    if (!entry || entry.type !== 'reload') return;
    const allowed = Number(sessionStorage.getItem('trygg-test-reloads') || 0);
    if (allowed > 0) { sessionStorage.setItem('trygg-test-reloads', String(allowed - 1)); return; }
    console.error('unasked reload of ' + location.pathname);
  });
})();
"""


def allow_self_reload(page, times: int = 1) -> None:
    """The test expects the page to reload itself (e.g. a newer version of a saved page)."""
    page.evaluate("n => sessionStorage.setItem('trygg-test-reloads', String(n))", times)


def asked_reload(page, **options):
    """A reload the test asks for."""
    allow_self_reload(page, 1)
    return page.reload(**options)


def watch_navigations(target, problems: list[str]):
    """Count main-frame navigations of every page of a context and report unasked reloads."""
    target.add_init_script(NAVIGATION_WATCH)


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (like separate devices); closed after the test.

    Console errors and CSP violations fail the test: our pages must run clean. So does a page
    that reloads itself without the test asking (see NAVIGATION_WATCH).
    """
    contexts = []
    problems: list[str] = []
    expected: list[re.Pattern] = []

    def make(locale: str = "en-GB", **options):
        # The device's time zone picks the crisis number before sign-in (pwa/static/country.js):
        # UTC names no country, so a test's browser is where its language says unless it says.
        options.setdefault("timezone_id", "UTC")
        context = browser.new_context(locale=locale, **options)
        contexts.append(context)
        watch_navigations(context, problems)
        page = context.new_page()
        page.on("console", lambda msg: _is_problem(msg) and problems.append(msg.text))
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        return page

    def expect_console(pattern: str) -> None:
        """A test that cuts the network or has the server refuse on purpose expects the browser's
        own report of it ("Failed to load resource: …") and names it here."""
        expected.append(re.compile(pattern))

    make.expect_console = expect_console
    yield make
    for context in contexts:
        context.close()
    problems = [p for p in problems if not any(e.search(p) for e in expected)]
    assert not problems, f"browser console errors: {problems}"


def wait_for(page, expression, timeout=10.0):
    """Poll a JavaScript expression until it is true (wait_for_function would need 'unsafe-eval',
    which our Content-Security-Policy rightly refuses)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate(expression):
                return
        except PlaywrightError:
            pass  # the page is reloading (an update, a claim): ask the new one
        time.sleep(0.1)
    state = page.evaluate(
        "navigator.serviceWorker.getRegistration().then(r => r ? [r.installing && r.installing.state, "
        "r.waiting && r.waiting.state, r.active && r.active.state] : 'none')"
    )
    raise AssertionError(f"never true: {expression} (service worker: {state})")


def wait_controlled(page):
    """Wait until the service worker controls the page. A page whose navigation began just before
    the worker activated stays uncontrolled (clients.claim() cannot adopt it); the next load is."""
    wait_for(page, "navigator.serviceWorker.ready.then(r => r.active.state === 'activated')", 20)
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        asked_reload(page)
    wait_for(page, "navigator.serviceWorker.controller !== null")


@pytest.fixture
def server(tmp_path):
    """A fresh server per test that the test may stop and restart (offline tests)."""
    running = RestartableServer(tmp_path)
    yield running
    running.close()


@pytest.fixture
def profile(playwright_instance, tmp_path):
    """Open (and reopen) Chromium with one persistent profile, like a phone's browser."""
    contexts = []
    problems: list[str] = []

    def open_browser(offline=False, **options):
        context = playwright_instance.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=chromium_path(),
            headless=True,
            args=CHROMIUM_ARGS,
            locale="en-GB",
            **{"timezone_id": "UTC", **options},  # as in new_page: no country from the clock
        )
        contexts.append(context)
        watch_navigations(context, problems)
        context.on("page", lambda page: page.on("console", lambda msg: _is_problem(msg) and problems.append(msg.text)))
        # Set after launch: the launch option does not cover the profile's first page.
        context.set_offline(offline)
        for page in context.pages:
            page.close()
        return context

    open_browser.problems = problems
    yield open_browser
    for context in contexts:
        try:
            context.close()
        except Exception:  # noqa: BLE001 - closed by the test
            pass
    reloads = [p for p in problems if "unasked reload" in p]
    assert not reloads, f"pages reloaded without being asked: {reloads}"
