"""The service worker's push handlers (pwa/static/sw-push.js) in real Chromium.

Chromium cannot subscribe to a push service of our own: PushManager.subscribe() always registers
with Google's FCM (the endpoint it hands out is https://fcm.googleapis.com/...), which this
machine cannot reach; in Playwright's default (incognito-like) contexts the Push API is refused
outright. The first test pins that down. The others deliver a real `push` event through DevTools
(ServiceWorker.deliverPushMessage, the path a message from FCM takes inside the browser) and
dispatch `notificationclick` on the notification that was really shown. The server side of push
(VAPID, encryption, retries) is covered against a real local push service in
tests/integration/test_push_reminders.py.
"""
from __future__ import annotations

import json

import pytest
from flask import Response

from backend.access import public
from backend.db import get_engine
from backend.push.keys import load_keys
from support.databases import drop_database
from support.live import asked_reload, start_live_server

SCOPE = "/test-push/"
# A test-only worker that loads exactly the file the real /sw.js imports. It lives under its own
# scope so that the shell's /sw.js (registered by every page at "/") does not replace it.
# Headless Chromium has no notification centre, and it may close a shown notification at any
# moment, so the worker keeps each Notification object the moment it is shown (and notes closes).
TEST_WORKER = """
self.shownForTest = [];
self.closedForTest = [];
const show = ServiceWorkerRegistration.prototype.showNotification;
ServiceWorkerRegistration.prototype.showNotification = async function (title, options) {
  await show.call(this, title, options);
  const found = await this.getNotifications({tag: options.tag});
  self.shownForTest.push(found.length ? found[found.length - 1] : {title, ...options});
};
const close = Notification.prototype.close;
Notification.prototype.close = function () { self.closedForTest.push(this.tag); return close.call(this); };
importScripts('/assets/pwa/sw-push.js');
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
"""
TEST_PAGE = "<!doctype html><html lang=en><title>{name}</title><h1>{name}</h1></html>"


@pytest.fixture(scope="module")
def push_live(tmp_path_factory):
    """A live server with test-only routes: the worker and two plain pages in its scope."""
    server, thread, live, db_url = start_live_server(tmp_path_factory.mktemp("push-live"))

    @public
    def test_worker():
        return Response(TEST_WORKER, mimetype="text/javascript", headers={"Cache-Control": "no-store"})

    @public
    def test_page(name):
        return Response(TEST_PAGE.format(name=name), mimetype="text/html")

    live.app.add_url_rule(SCOPE + "sw.js", "test_push_sw", test_worker)
    live.app.add_url_rule(SCOPE + "<name>", "test_push_page", test_page)
    yield live
    server.shutdown()
    thread.join(timeout=5)
    get_engine(live.app).dispose()
    drop_database(db_url)


def open_with_worker(new_page, live, name="start"):
    """A page controlled by the test worker, with notifications allowed."""
    page = new_page()
    page.context.grant_permissions(["notifications"], origin=live.url)
    page.goto(f"{live.url}{SCOPE}{name}")
    page.evaluate("""async (scope) => {
        await navigator.serviceWorker.register(scope + 'sw.js', {scope});
        await navigator.serviceWorker.ready;
    }""", SCOPE)
    asked_reload(page)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    return page


def deliver_push(page, live, payload: dict) -> None:
    """Deliver a push message to the worker through DevTools, as the browser does for FCM's."""
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    scope = live.url + SCOPE
    for _ in range(200):
        if any(r["scopeURL"] == scope for r in registrations):
            break
        page.wait_for_timeout(25)
    registration_id = next(r["registrationId"] for r in registrations
                           if r["scopeURL"] == scope and not r["isDeleted"])
    cdp.send("ServiceWorker.deliverPushMessage",
             {"origin": live.url, "registrationId": registration_id, "data": json.dumps(payload)})


def worker_of(page):
    """The test worker of the page's context."""
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    return page.context.service_workers[0]


def shown_notifications(page, count: int = 1) -> list[dict]:
    """The notifications the worker showed, once there are `count`."""
    worker = worker_of(page)
    for _ in range(400):
        shown = worker.evaluate("""() => self.shownForTest.map(n => ({title: n.title, body: n.body, tag: n.tag,
            data: n.data, actions: (n.actions || []).map(a => a.action)}))""")
        if len(shown) >= count:
            return shown
        page.wait_for_timeout(25)
    raise AssertionError("no notification was shown")


def click_notification(page, action: str = "") -> None:
    """Dispatch notificationclick in the worker on the notification it really showed."""
    worker_of(page).evaluate("""(action) => {
        const notification = self.shownForTest[self.shownForTest.length - 1];
        self.dispatchEvent(new NotificationEvent('notificationclick', {notification, action}));
    }""", action)


def closed_tags(page) -> list[str]:
    """Tags of the notifications the worker closed."""
    return worker_of(page).evaluate("() => self.closedForTest")


def test_chromium_cannot_subscribe_to_a_push_service_of_our_own(push_live, browser):
    context = browser.new_context()  # console errors are expected here, so not new_page
    try:
        context.grant_permissions(["notifications"], origin=push_live.url)
        page = context.new_page()
        page.goto(f"{push_live.url}{SCOPE}start")
        outcome = page.evaluate("""async ([scope, key]) => {
            const bytes = Uint8Array.from(atob(key.replace(/-/g, '+').replace(/_/g, '/') + '='),
                                          c => c.charCodeAt(0));
            await navigator.serviceWorker.register(scope + 'sw.js', {scope});
            const reg = await navigator.serviceWorker.ready;
            try {
                const sub = await reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: bytes});
                return {endpoint: sub.endpoint};
            } catch (error) {
                return {error: error.name};
            }
        }""", [SCOPE, load_keys(push_live.app).public_key])
    finally:
        context.close()
    # Refused (no Push API off the record) — or, were FCM reachable, an FCM endpoint: never ours.
    assert outcome.get("error") == "AbortError" or outcome["endpoint"].startswith("https://fcm.googleapis.com/")


def test_push_shows_the_notification_the_server_sent(push_live, new_page):
    page = open_with_worker(new_page, push_live)
    deliver_push(page, push_live, {"title": "Trygg", "body": "Du har en påminnelse.",
                                   "url": "/plans/3", "tag": "trygg-commitment-7-before"})
    [shown] = shown_notifications(page)
    assert shown["title"] == "Trygg" and shown["body"] == "Du har en påminnelse."
    assert shown["tag"] == "trygg-commitment-7-before"
    assert shown["data"]["urls"]["default"] == push_live.url + "/plans/3"


def test_a_push_without_readable_data_still_shows_something_and_never_links_elsewhere(push_live, new_page):
    page = open_with_worker(new_page, push_live)
    deliver_push(page, push_live, {"title": "Trygg", "body": "x", "url": "https://evil.example.org/", "tag": "a"})
    [shown] = shown_notifications(page)
    assert shown["data"]["urls"]["default"] == push_live.url + "/"


def test_a_tap_moves_the_open_trygg_window_to_the_right_page(push_live, new_page):
    page = open_with_worker(new_page, push_live, "start")
    deliver_push(page, push_live, {"title": "Trygg", "body": "Du har en påminnelse.",
                                   "url": SCOPE + "commitment", "tag": "t1"})
    shown_notifications(page)
    click_notification(page)
    page.wait_for_url(f"{push_live.url}{SCOPE}commitment")
    assert page.locator("h1").inner_text() == "commitment"
    assert closed_tags(page) == ["t1"]


def test_an_action_button_leads_to_its_own_page(push_live, new_page):
    page = open_with_worker(new_page, push_live, "start")
    deliver_push(page, push_live, {
        "title": "Trygg", "body": "En stund for din krisplan?", "url": SCOPE + "plan", "tag": "daily",
        "actions": [{"action": "plan", "title": "Min plan", "url": SCOPE + "plan"},
                    {"action": "grounding", "title": "Grundning", "url": SCOPE + "grounding"}]})
    [shown] = shown_notifications(page)
    assert shown["actions"] == ["plan", "grounding"]
    click_notification(page, "grounding")
    page.wait_for_url(f"{push_live.url}{SCOPE}grounding")


def test_a_tap_on_the_page_already_open_keeps_it(push_live, new_page):
    page = open_with_worker(new_page, push_live, "plan")
    deliver_push(page, push_live, {"title": "Trygg", "body": "b", "url": SCOPE + "plan", "tag": "t2"})
    shown_notifications(page)
    page.evaluate("window.keptState = 'still here'")
    click_notification(page)
    for _ in range(400):
        if closed_tags(page):
            break
        page.wait_for_timeout(25)
    page.wait_for_timeout(200)  # room for a reload to happen, were the handler to cause one
    assert page.evaluate("window.keptState") == "still here"  # focused, not reloaded
