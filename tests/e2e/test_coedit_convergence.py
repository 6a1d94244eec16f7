"""A phone and a laptop edit one plan through a seeded random sequence of what people do: type and
save, add, remove, move, restore, both edit one item at once, one goes offline and back, the
server restarts. At every quiet point each page shows exactly what a fresh load shows and what the
server has, and every text anyone typed is in the plan or in its history.

Bounded by count: TRYGG_CONVERGENCE_SEEDS (comma-separated, default "11,29") and
TRYGG_CONVERGENCE_STEPS (default 36). The seed is in the test id and in every failure message:
re-run one with `TRYGG_CONVERGENCE_SEEDS=<seed> pytest tests/e2e/test_coedit_convergence.py`.
"""

from __future__ import annotations

import os
import random
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from support.coedit import (
    LAPTOP,
    PHONE,
    edit_text,
    history_texts,
    item,
    open_editor,
    open_item,
    server_plan,
    session_world,
    shown,
    wait_quiet,
)
from support.live import RestartableServer, wait_for

SEEDS = [int(s) for s in os.environ.get("TRYGG_CONVERGENCE_SEEDS", "11,29").split(",") if s.strip()]
STEPS = int(os.environ.get("TRYGG_CONVERGENCE_STEPS", "36"))
SECTIONS = ("warning_signs", "inner_coping", "distraction", "reasons")
ACTIONS = ("edit", "edit", "add", "add", "delete", "move", "restore", "race", "offline", "restart")


@pytest.fixture
def server(tmp_path):
    running = RestartableServer(tmp_path)
    yield running
    running.close()


class Run:
    """One seeded run: the two pages, the server, what was typed, and the steps taken so far."""

    def __init__(self, seed, server, pages, plan_id, typed):
        self.seed, self.server, self.pages, self.plan_id = seed, server, pages, plan_id
        self.rng = random.Random(seed)
        self.typed = set(typed)
        self.steps: list[str] = []
        self.counter = 0

    def say(self, message):
        return f"seed {self.seed}, after steps {self.steps}: {message}"

    def word(self):
        self.counter += 1
        return f"{self.rng.choice(['Walk', 'Call', 'Tea', 'Music', 'Sea', 'Dog'])} {self.seed}-{self.counter}"

    def visible_items(self, page, section=None):
        where = f"#{section} " if section else ""
        return page.locator(f"{where}ol[data-list] > li[data-item]:not([hidden])")

    # --- what people do ------------------------------------------------------------------------
    def edit(self, page):
        items = self.visible_items(page)
        if items.count() == 0:
            return self.add(page)
        uuid = items.nth(self.rng.randrange(items.count())).get_attribute("data-item")
        text = self.word()
        edit_text(page, uuid, text)
        self.typed.add(text)
        return f"edit {uuid[:4]}={text!r}"

    def add(self, page):
        section = self.rng.choice(SECTIONS)
        text = self.word()
        self.typed.add(text)
        form = page.locator(f"#{section} form[data-form='add']")
        field = form.locator("input[name='text']:not([type='hidden'])")
        field.fill(text)
        form.get_by_role("button", name=re.compile("^Add")).click()
        expect(field).to_have_value("")  # taken: sent, or kept on the device
        return f"add {section}={text!r}"

    def delete(self, page):
        uuids = self.visible_items(page).evaluate_all("els => els.map(e => e.dataset.item)")
        if len(uuids) <= 2:
            return self.add(page)
        uuid = self.rng.choice(uuids)
        try:
            item(page, uuid).get_by_role("button", name=re.compile("^Remove")).click(timeout=3000)
        except PlaywrightError:
            return f"delete {uuid[:4]} (removed by the other side first)"
        return f"delete {uuid[:4]}"

    def move(self, page):
        buttons = page.locator("ol[data-list] > li[data-item]:not([hidden]) button[value='up']:visible")
        if buttons.count() == 0:
            return self.edit(page)
        buttons.nth(self.rng.randrange(buttons.count())).click()
        return "move up"

    def restore(self, page):
        removed = page.locator("#removed li[data-removed]").evaluate_all("els => els.map(e => e.dataset.removed)")
        if page.locator("#removed").is_hidden() or not removed:
            return self.delete(page)
        uuid = self.rng.choice(removed)
        try:
            page.locator(f"#removed li[data-removed='{uuid}'] button").click(timeout=3000)
        except PlaywrightError:
            return f"restore {uuid[:4]} (restored by the other side first)"
        return f"restore {uuid[:4]}"

    def race(self, page):
        """Both type in the same item; one leaves first, the other right after."""
        other = self.pages[1] if page is self.pages[0] else self.pages[0]
        shared = [
            u
            for u in self.visible_items(page).evaluate_all("els => els.map(e => e.dataset.item)")
            if item(other, u).is_visible()
        ]
        if not shared:
            return self.edit(page)
        uuid = self.rng.choice(shared)
        first, second = self.word(), self.word()
        open_item(other, uuid)
        field = edit_text(page, uuid, first, leave=False)
        self.typed.add(first)  # from here the page saves it by itself, even if the race ends early
        edit_text(other, uuid, second)
        self.typed.add(second)
        field.press("Enter")
        return f"race {uuid[:4]} {first!r}/{second!r}"

    def offline(self, page):
        page.context.set_offline(True)
        done = [getattr(self, self.rng.choice(("edit", "add", "delete")))(page) for _ in range(self.rng.randint(1, 3))]
        page.context.set_offline(False)
        return f"offline[{'; '.join(done)}]"

    def restart(self, page):
        self.server.stop()
        done = self.edit(page)
        self.server.start()
        return f"restart[{done}]"

    # --- the rule -----------------------------------------------------------------------------
    def check(self):
        for page in self.pages:
            wait_quiet(page, 40)
        expected = server_plan(self.server.app, self.plan_id)
        revision = self.server_revision()
        for page in self.pages:
            wait_for(page, f"window.TryggEditor.revision() >= {revision}", 40)
            wait_quiet(page, 40)
        fresh = self.pages[1].context.new_page()
        fresh.goto(f"{self.server.url}/plans/{self.plan_id}/edit")
        wait_for(fresh, "window.TryggEditor !== undefined")
        fresh_load = shown(fresh)
        fresh.close()
        assert fresh_load == expected, self.say("a fresh load differs from the server")
        for name, page in zip(("phone", "laptop"), self.pages, strict=True):
            seen = shown(page)
            assert seen == expected, self.say(
                f"the {name} shows something else than a fresh load: {differences(seen, expected)}"
            )
            assert page.locator(".co-notice[data-kind='typing']").count() == 0, self.say(f"{name}: a stale notice")
        now = {i["text"] for items in expected["sections"].values() for i in items}
        lost = self.typed - now - history_texts(self.server.app, self.plan_id)
        assert not lost, self.say(f"typed but nowhere: {lost}")

    def server_revision(self):
        from backend.db import session_scope
        from safety_plans.models import Plan

        with session_scope(self.server.app) as db:
            return db.get(Plan, self.plan_id).revision


def differences(seen, expected) -> list[str]:
    """Where a page and the server part ways, section by section."""
    found = [f"removed {seen['removed']} != {expected['removed']}"] if seen["removed"] != expected["removed"] else []
    for key in expected["sections"]:
        mine, theirs = seen["sections"].get(key), expected["sections"][key]
        if mine != theirs:
            found.append(
                f"{key}: page {[(i['uuid'][:4], i['text']) for i in mine or []]} "
                f"server {[(i['uuid'][:4], i['text']) for i in theirs]}"
            )
    return found


@pytest.mark.parametrize("seed", SEEDS)
def test_two_devices_converge_whatever_people_do(server, new_page, seed):
    new_page.expect_console(r"net::ERR_")  # the network really goes away in these runs
    start = [
        ("warning_signs", "I go quiet"),
        ("inner_coping", "Walk"),
        ("inner_coping", "Shower"),
        ("distraction", "Music"),
        ("reasons", "My sister"),
    ]
    client_email, therapist_email, plan_id, _ = session_world(server.app, start)
    phone = open_editor(new_page(**PHONE), server.url, client_email, plan_id)
    laptop = open_editor(new_page(**LAPTOP), server.url, therapist_email, plan_id)
    run = Run(seed, server, [phone, laptop], plan_id, [text for _, text in start])
    print(f"convergence seed {seed}, {STEPS} steps")
    for page in (phone, laptop):
        page.set_default_timeout(5000)  # an item the other side just removed is not waited for
    for step in range(STEPS):
        page = run.rng.choice(run.pages)
        action = run.rng.choice(ACTIONS)
        who = "phone" if page is phone else "laptop"
        try:
            run.steps.append(f"{who}:{getattr(run, action)(page)}")
        except PlaywrightError as exc:  # the other side changed the page under this step
            page.context.set_offline(False)
            run.steps.append(f"{who}:{action} cut short ({str(exc).splitlines()[0][:60]})")
        if step % 6 == 5:
            run.check()
    run.check()
