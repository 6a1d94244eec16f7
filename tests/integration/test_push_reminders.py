"""The reminder worker against a real (local) push service: right message, right time, once."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from backend.accounts.data_rights import close_client_account
from backend.accounts.models import User
from backend.db import session_scope
from backend.push import services
from backend.push.models import PushSubscription, SentReminder
from backend.push.reminders import (
    DueReminder,
    PassReport,
    claim,
    collect_due,
    queue,
    register_source,
    run_pass,
    send_claimed,
)
from backend.push.sender import RetryPolicy

UTC = UTC


def person(app, make_user, time_zone="Europe/Oslo", locale="en", **settings):
    """A client with notification settings; returns their id."""
    email = make_user("client", time_zone=time_zone, locale=locale)
    with app.test_request_context(), session_scope(app) as db:
        user = db.scalar(select(User).where(User.email == email))
        if settings:
            services.save_settings(db, user, **settings)
        return user.id


def add_device(app, user_id, sub):
    """Store a browser subscription for someone, as the API would."""
    with app.test_request_context(), session_scope(app) as db:
        services.add_subscription(db, db.get(User, user_id), sub.info(),
                                  "Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile", None, app.config)


def at(zone: str, *args) -> datetime:
    """A wall-clock moment in a zone, as UTC."""
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


class Recorder:
    """A sleep that only remembers how long it was asked to wait."""

    def __init__(self):
        self.waits = []

    def __call__(self, seconds):
        self.waits.append(seconds)


def policy(sleep=None, attempts=4):
    return RetryPolicy(attempts=attempts, base_delay=1.0, max_delay=30.0, sleep=sleep or Recorder())


def fixed_source(app, *reminders):
    """A source that says these reminders are due (whenever `now` has reached them)."""
    register_source(app, "test", lambda db, now: [r for r in reminders if r.due_at <= now])


def test_daily_reminder_comes_at_the_local_time_chosen_in_each_time_zone(push_app, push_service, make_user):
    oslo = person(push_app, make_user, "Europe/Oslo", "nb", daily=True, daily_time=time(8, 30))
    new_york = person(push_app, make_user, "America/New_York", "sv", daily=True, daily_time=time(8, 30))
    oslo_phone, ny_phone = push_service.subscribe(), push_service.subscribe()
    add_device(push_app, oslo, oslo_phone)
    add_device(push_app, new_york, ny_phone)

    run_pass(push_app, at("Europe/Oslo", 2026, 3, 10, 8, 29), policy())
    assert push_service.messages() == []

    run_pass(push_app, at("Europe/Oslo", 2026, 3, 10, 8, 31), policy())
    [message] = push_service.messages(oslo_phone)
    assert message.payload["body"] == "Du har en påminnelse."  # Norwegian, and nothing more
    assert message.payload["title"] == "Trygg" and message.payload["url"] == "/"
    assert push_service.messages(ny_phone) == []

    # A second pass in the same minute sends nothing again.
    run_pass(push_app, at("Europe/Oslo", 2026, 3, 10, 8, 35), policy())
    assert len(push_service.messages(oslo_phone)) == 1

    run_pass(push_app, at("America/New_York", 2026, 3, 10, 8, 31), policy())
    [message] = push_service.messages(ny_phone)
    assert message.payload["body"] == "Du har en påminnelse."  # Swedish happens to say it the same way
    assert message.urgency == "low" and message.ttl > 0

    # The next day it comes again, once.
    run_pass(push_app, at("Europe/Oslo", 2026, 3, 11, 8, 30), policy())
    assert len(push_service.messages(oslo_phone)) == 2


def test_daily_reminder_is_off_by_default(push_app, push_service, make_user):
    someone = person(push_app, make_user)
    add_device(push_app, someone, push_service.subscribe())
    for hour in range(0, 24, 2):
        run_pass(push_app, at("Europe/Oslo", 2026, 5, 4, hour, 0), policy())
    assert push_service.messages() == []


def test_quiet_hours_hold_a_reminder_until_they_end_in_the_persons_time_zone(push_app, push_service, make_user):
    tokyo = person(push_app, make_user, "Asia/Tokyo", quiet_start=time(22, 0), quiet_end=time(7, 0))
    phone = push_service.subscribe()
    add_device(push_app, tokyo, phone)
    fixed_source(push_app, DueReminder(tokyo, "commitment", "commitment:1:before", "/plans/1",
                                       at("Asia/Tokyo", 2026, 6, 1, 23, 0)))

    report = run_pass(push_app, at("Asia/Tokyo", 2026, 6, 1, 23, 1), policy())
    assert push_service.messages() == [] and report.held_quiet == 1
    run_pass(push_app, at("Asia/Tokyo", 2026, 6, 2, 6, 59), policy())
    assert push_service.messages() == []

    run_pass(push_app, at("Asia/Tokyo", 2026, 6, 2, 7, 0), policy())
    [message] = push_service.messages(phone)
    assert message.payload["url"] == "/plans/1"


def test_a_reminder_too_late_to_be_useful_is_dropped(push_app, push_service, make_user):
    someone = person(push_app, make_user)
    add_device(push_app, someone, push_service.subscribe())
    fixed_source(push_app, DueReminder(someone, "daily", "daily:x", "/", at("UTC", 2026, 1, 1, 8, 0)))
    run_pass(push_app, at("UTC", 2026, 1, 1, 12, 0), policy())
    assert push_service.messages() == []


def test_no_plan_text_leaves_the_server_unless_the_person_opted_in(push_app, push_service, make_user):
    secret = "Ring Mia når suget kommer"
    shy = person(push_app, make_user, quiet_start=None, quiet_end=None)
    open_ = person(push_app, make_user, quiet_start=None, quiet_end=None, show_text=True)
    shy_phone, open_phone = push_service.subscribe(), push_service.subscribe()
    add_device(push_app, shy, shy_phone)
    add_device(push_app, open_, open_phone)
    due = at("UTC", 2026, 2, 2, 17, 0)
    fixed_source(push_app,
                 DueReminder(shy, "commitment", "commitment:7:before", "/plans/3", due, private_text=secret),
                 DueReminder(open_, "commitment", "commitment:8:before", "/plans/4", due,
                             private_text=secret + " " + "x" * 3000))

    run_pass(push_app, due + timedelta(minutes=1), policy())
    [hidden] = push_service.messages(shy_phone)
    assert secret not in hidden.raw.decode() and "Mia" not in hidden.raw.decode()
    assert hidden.payload == {"title": "Trygg", "body": "You have a reminder.", "url": "/plans/3",
                              "tag": "trygg-commitment-7-before"}
    assert hidden.ttl > 0 and hidden.urgency == "normal"

    [shown] = push_service.messages(open_phone)
    assert shown.payload["body"].startswith(secret) and shown.payload["body"].endswith("…")
    assert len(shown.raw) <= 1024
    with session_scope(push_app) as db:  # the words are not kept once sent
        assert db.scalars(select(SentReminder.text)).all() == [None, None]


def test_kinds_turned_off_and_people_without_devices_get_nothing(push_app, push_service, make_user):
    no_commitments = person(push_app, make_user, commitments=False, quiet_start=None, quiet_end=None)
    no_device = person(push_app, make_user, quiet_start=None, quiet_end=None)
    phone = push_service.subscribe()
    add_device(push_app, no_commitments, phone)
    due = at("UTC", 2026, 2, 2, 12, 0)
    fixed_source(push_app, DueReminder(no_commitments, "commitment", "c:1", "/", due),
                 DueReminder(no_device, "commitment", "c:2", "/", due))
    report = run_pass(push_app, due, policy())
    assert push_service.messages() == [] and report.queued == 0


def test_two_workers_racing_send_each_reminder_once(push_app, push_service, make_user):
    phones = []
    due = at("UTC", 2026, 4, 4, 10, 0)
    reminders = []
    for n in range(6):
        someone = person(push_app, make_user, quiet_start=None, quiet_end=None)
        phone = push_service.subscribe()
        add_device(push_app, someone, phone)
        phones.append(phone)
        reminders.append(DueReminder(someone, "commitment", f"commitment:{n}:before", "/", due))
    fixed_source(push_app, *reminders)

    for minute in range(3):  # several rounds of two workers starting at the same moment
        start = threading.Barrier(2)
        errors = []

        def worker(start=start, minute=minute, errors=errors):
            try:
                start.wait()
                run_pass(push_app, due + timedelta(minutes=minute), policy())
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []

    assert [len(push_service.messages(p)) for p in phones] == [1] * 6
    with session_scope(push_app) as db:
        assert sorted(db.scalars(select(SentReminder.status)).all()) == ["sent"] * 6


def test_a_gone_subscription_is_removed_and_the_other_device_still_gets_it(push_app, push_service, make_user):
    someone = person(push_app, make_user, quiet_start=None, quiet_end=None)
    old_phone, new_phone = push_service.subscribe(), push_service.subscribe()
    add_device(push_app, someone, old_phone)
    add_device(push_app, someone, new_phone)
    push_service.unsubscribe(old_phone)
    due = at("UTC", 2026, 4, 4, 10, 0)
    fixed_source(push_app, DueReminder(someone, "commitment", "c:1", "/", due))

    report = run_pass(push_app, due, policy())
    assert report.removed_devices == 1
    assert len(push_service.messages(new_phone)) == 1
    with session_scope(push_app) as db:
        assert db.scalars(select(PushSubscription.endpoint)).all() == [new_phone.endpoint]


def test_503_and_429_are_retried_with_backoff_honouring_retry_after(push_app, push_service, make_user):
    someone = person(push_app, make_user, quiet_start=None, quiet_end=None)
    phone = push_service.subscribe()
    add_device(push_app, someone, phone)
    push_service.answer(phone, 503, 503)
    push_service.answer(phone, 429, retry_after="7")
    due = at("UTC", 2026, 4, 4, 10, 0)
    fixed_source(push_app, DueReminder(someone, "commitment", "c:1", "/", due))
    sleep = Recorder()

    run_pass(push_app, due, policy(sleep))
    assert len(push_service.messages(phone)) == 1
    assert sleep.waits == [1.0, 2.0, 7.0]  # exponential, then what the service asked for


def test_retries_are_bounded_and_one_failing_device_never_blocks_others(push_app, push_service, make_user):
    unlucky = person(push_app, make_user, quiet_start=None, quiet_end=None)
    lucky = person(push_app, make_user, quiet_start=None, quiet_end=None)
    broken, down, fine = push_service.subscribe(), push_service.subscribe(), push_service.subscribe()
    add_device(push_app, unlucky, broken)
    add_device(push_app, unlucky, down)
    add_device(push_app, lucky, fine)
    push_service.answer(broken, 400)
    push_service.answer(down, *[503] * 10)
    due = at("UTC", 2026, 4, 4, 10, 0)
    fixed_source(push_app, DueReminder(unlucky, "commitment", "c:1", "/", due),
                 DueReminder(lucky, "commitment", "c:2", "/", due))
    sleep = Recorder()

    report = run_pass(push_app, due, policy(sleep, attempts=3))
    assert len(push_service.messages(fine)) == 1
    assert [a.status for a in push_service.attempts if a.token == broken.token] == [400]  # not retried
    assert [a.status for a in push_service.attempts if a.token == down.token] == [503, 503, 503]
    assert report.sent == 1 and report.failed == 1
    with session_scope(push_app) as db:  # failing devices are kept: they may work tomorrow
        assert db.scalar(select(PushSubscription).where(PushSubscription.endpoint == down.endpoint))


def test_a_broken_source_does_not_stop_the_others(push_app, push_service, make_user):
    someone = person(push_app, make_user, quiet_start=None, quiet_end=None)
    phone = push_service.subscribe()
    add_device(push_app, someone, phone)
    due = at("UTC", 2026, 4, 4, 10, 0)

    def broken(db, now):
        raise RuntimeError("boom")

    register_source(push_app, "broken", broken)
    fixed_source(push_app, DueReminder(someone, "commitment", "c:1", "/", due))
    run_pass(push_app, due, policy())
    assert len(push_service.messages(phone)) == 1


def test_the_cli_runs_one_pass(push_app, push_service, make_user):
    runner = push_app.test_cli_runner()
    result = runner.invoke(args=["send-due-reminders"])
    assert result.exit_code == 0, result.output
    assert "send-due-reminders: queued 0" in result.output
    result = runner.invoke(args=["vapid-keys"])
    assert result.exit_code == 0 and push_service.expected_key in result.output


def test_a_claimed_reminder_whose_account_was_closed_meanwhile_is_dropped_not_failed(push_app, push_service,
                                                                                   make_user):
    someone = person(push_app, make_user, daily=True, daily_time=time(8, 30))
    add_device(push_app, someone, push_service.subscribe())
    now = at("Europe/Oslo", 2026, 3, 10, 8, 31)
    with push_app.app_context():
        with session_scope(push_app) as db:
            wanted = collect_due(push_app, db, now, PassReport())
        queue(push_app, wanted, now)
        [claimed] = claim(push_app, now)
        with session_scope(push_app) as db:  # the person closes their account before it is sent
            close_client_account(db, db.get(User, someone))
        report = PassReport()
        send_claimed(push_app, claimed, now, policy(), report=report)
    assert (report.sent, report.failed, report.keys) == (0, 0, []) and push_service.messages() == []
