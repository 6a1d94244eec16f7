"""Helpers for co-editing browser tests: a client and a therapist around one plan, the editor as
each of them opens it, and the plan as the server has it (to compare with what a page shows)."""
from __future__ import annotations

import itertools
import time

from playwright.sync_api import expect
from sqlalchemy import select

from backend.accounts import care
from backend.accounts.services import create_user
from backend.db import session_scope
from safety_plans import feed, ops, plans
from safety_plans.content import BY_KEY
from safety_plans.models import Plan, PlanItem
from support.live import wait_for
from support.plans import add_op
from support.two_step import complete_in_browser

PASSWORD = "a calm walk by the river"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1280, "height": 800}}
_numbers = itertools.count()


def session_world(app, items=(("inner_coping", "Walk"), ("distraction", "Music"))):
    """Ingrid (client) linked to Dr Berg, her plan holding `items`, written an hour ago (so no
    test starts with words someone has just saved): returns (client email, therapist email, plan
    id, item uuids in order)."""
    n = next(_numbers)
    with app.test_request_context(), session_scope(app) as db:
        client = create_user(db, f"ingrid{n}@example.org", PASSWORD, display_name="Ingrid", country="NO")
        therapist = create_user(db, f"berg{n}@example.org", PASSWORD, role="therapist", display_name="Dr Berg")
        care.link(db, therapist.id, client.id)
        plan = plans.get_or_create_plan(db, client)
        batch = [add_op(section, text) for section, text in items]
        if batch:
            ops.apply_ops(db, plan, client, batch)
            for added in db.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id)):
                versions = added.field_versions.items()
                added.field_versions = {name: [*entry[:2], entry[2] - 3600] for name, entry in versions}
        return client.email, therapist.email, plan.id, [op["item"] for op in batch]


def sign_in(page, url, email):
    """Sign in through the real form."""
    page.goto(url + "/auth/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    complete_in_browser(page, email)  # a therapist's second step
    expect(page.locator("form[data-logout]")).to_be_attached()


def open_editor(page, url, email, plan_id):
    """Sign in and open the plan's editor; returns when the live editor is running."""
    sign_in(page, url, email)
    page.goto(f"{url}/plans/{plan_id}/edit")
    wait_for(page, "window.TryggEditor !== undefined")
    return page


def item(page, uuid):
    return page.locator(f'li[data-item="{uuid}"]')


def open_item(page, uuid):
    """Open an item's edit form (a <details>), as a person taps it."""
    li = item(page, uuid)
    if not li.locator("details").evaluate("d => d.open"):
        li.locator("summary").click()
    return li


def edit_text(page, uuid, text, leave=True):
    """Type into an item's text and save it (Enter, as the Save button); `leave=False` stays
    typing (the editor then saves by itself after a pause)."""
    field = open_item(page, uuid).locator('form[data-form="edit"] input[name="text"]')
    field.fill(text)
    if leave:
        field.press("Enter")
    return field


def wait_quiet(page, timeout=20.0):
    """Until nothing of this page waits: no op without an answer, no catch-up running, nothing in
    the device's outbox."""
    wait_for(page, "window.TryggEditor.quiet() && self.TryggOutbox.pending().then(p => p.length === 0)",
             timeout)


def shown(page):
    """The plan as the page shows it (sections with their items' fields, removed items)."""
    return page.evaluate("window.TryggEditor.shown()")


def server_plan(app, plan_id):
    """The plan as the server has it, in the shape `shown` gives."""
    with app.test_request_context(), session_scope(app) as db:
        plan = db.get(Plan, plan_id)
        sections = {}
        for key, items in plans.items_by_section(db, plan).items():
            sections[key] = [{"uuid": i.uuid, "text": i.text, **(
                {"phone": i.phone, "sms_message": i.sms_message, "agreed": i.agreed} if BY_KEY[key].people else {})}
                for i in items]
        return {"sections": sections, "removed": [i.uuid for i in feed.removed_items(db, plan)]}


def latest_change(app, plan_id) -> tuple:
    """The plan's newest change: (op, its author's role, the item's text after it)."""
    with app.test_request_context(), session_scope(app) as db:
        [change] = feed.history(db, db.get(Plan, plan_id), limit=1)
        return change.op, change.author.role if change.author else None, (change.after or {}).get("text")


# What every notice on a page says it is about (coedit-view.js `notice`), and whether it shows.
_NOTICES = """() => [...document.querySelectorAll('.co-notice')].map((n) => ({
    kind: n.dataset.kind || '', field: n.dataset.field || '', offer: n.dataset.offer ?? null,
    writer: n.dataset.writer || '', item: (n.closest('li[data-item]') || {}).dataset?.item || '',
    undo: (n.closest('li[data-undo]') || {}).dataset?.undo || '',
    visible: Boolean(n.offsetParent), text: n.textContent }))"""


def notices(page) -> list[dict]:
    """The notices a page shows: kind, what they offer back (and whose words), item, text."""
    return [n for n in page.evaluate(_NOTICES) if n["visible"]]


def history_texts(app, plan_id) -> set[str]:
    """Every text the plan's history ever held."""
    with app.test_request_context(), session_scope(app) as db:
        texts = set()
        for change in feed.history(db, db.get(Plan, plan_id), limit=100000):
            for snap in (change.before, change.after):
                if snap and snap.get("text"):
                    texts.add(snap["text"])
        return texts


def eventually(check, timeout=10.0, interval=0.2):
    """Retry a check (an assertion) until it passes or the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(interval)
