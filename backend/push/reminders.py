"""The reminder worker: which reminders are due, and sending each one at most once.

Feature packages register *sources* (`register_source`): functions `fn(db, now)` that return the
reminders due for anyone at `now`. One pass of the worker:

1. collects what the sources say is due and keeps what the person wants now: the kind is on,
   it is not their quiet hours (in their time zone), it is not stale, they have a device;
2. queues each one under its dedupe key (insert, ignoring keys already taken);
3. claims queued rows (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED; everywhere: a
   compare-and-set UPDATE from pending to sending whose row count says who won);
4. sends each claimed reminder to the person's devices, in their language.

A reminder held back by quiet hours is still due when they end (unless it went stale first), so
it goes out then. `now` is always passed in, so tests drive the clock.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from backend.accounts.models import User
from backend.db import session_scope
from backend.push.keys import load_keys
from backend.push.kinds import Choice, Kind, choices, kind, register_choice, register_kind
from backend.push.models import NotificationChoice, NotificationSettings, PushSubscription, SentReminder
from backend.push.sender import PushMessage, RetryPolicy, deliver

log = logging.getLogger(__name__)

DEFAULT_ZONE = "Europe/Oslo"
CLAIM_BATCH = 200


@dataclass(frozen=True)
class DueReminder:
    """A reminder a source says is due: for whom, what kind, its once-only key, where a tap leads,
    when it became due, and (only for the person's own eyes, if they opted in) its text."""

    user_id: int
    kind: str
    dedupe_key: str
    url: str
    due_at: datetime
    private_text: str | None = None


Source = Callable[[Session, datetime], Iterable[DueReminder]]


def register_source(app: Flask, name: str, fn: Source) -> None:
    """Add a source of due reminders (registering a name again replaces it)."""
    app.extensions.setdefault("trygg.push.sources", {})[name] = fn


def sources(app: Flask) -> dict[str, Source]:
    """The registered sources by name."""
    return dict(app.extensions.get("trygg.push.sources", {}))


# --- time zones, quiet hours, settings -----------------------------------------------------

def user_zone(user: User) -> ZoneInfo:
    """The person's time zone (an unknown name falls back to Oslo rather than failing)."""
    try:
        return ZoneInfo(user.time_zone or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time on a day in a zone, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def in_quiet_hours(at: time, start: time | None, end: time | None) -> bool:
    """True inside [start, end); the range may cross midnight (22:00-07:00)."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


def settings_for(db: Session, user_id: int) -> NotificationSettings:
    """A person's settings, or the defaults (not saved) when they never changed any."""
    found = db.get(NotificationSettings, user_id)
    if found is not None:
        return found
    defaults = {c.name: c.default.arg for c in NotificationSettings.__table__.columns
                if c.default is not None and not callable(c.default.arg)}
    return NotificationSettings(user_id=user_id, **defaults)


def chosen(db: Session, user_id: int, app: Flask | None = None) -> dict[str, bool]:
    """Which registered kinds of reminder a person wants: their choices over the defaults."""
    wanted = {choice.key: choice.default for choice in choices(app)}
    wanted.update({row.key: row.enabled for row in db.scalars(
        select(NotificationChoice).where(NotificationChoice.user_id == user_id))})
    return wanted


def daily_reminders(db: Session, now: datetime) -> list[DueReminder]:
    """The daily nudge at the time each person chose (off unless they turned it on)."""
    due = []
    rows = db.execute(
        select(NotificationSettings, User)
        .join(User, User.id == NotificationSettings.user_id)
        .join(NotificationChoice, (NotificationChoice.user_id == User.id) & (NotificationChoice.key == "daily"))
        .where(NotificationChoice.enabled.is_(True), User.active.is_(True))
    ).all()
    for settings, user in rows:
        zone = user_zone(user)
        today = now.astimezone(zone).date()
        for day in (today - timedelta(days=1), today):
            at = local_moment(day, settings.daily_time, zone)
            if at <= now:
                due.append(DueReminder(user.id, "daily", f"daily:{user.id}:{day.isoformat()}", "/", at))
    return due


# --- one pass -------------------------------------------------------------------------------

@dataclass
class PassReport:
    """What one pass did, for the log line and for tests."""

    queued: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    removed_devices: int = 0
    expired: int = 0
    held_quiet: int = 0
    keys: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the worker's log."""
        return (f"queued {self.queued}, sent {self.sent}, failed {self.failed}, "
                f"devices removed {self.removed_devices}, expired {self.expired}, "
                f"held for quiet hours {self.held_quiet}")


def collect_due(app: Flask, db: Session, now: datetime, report: PassReport) -> list[tuple[DueReminder, bool]]:
    """Due reminders the person wants now, each with whether its text may be shown."""
    wanted = []
    users: dict[int, tuple[User | None, NotificationSettings, dict[str, bool], bool]] = {}
    for name, source in sources(app).items():
        try:
            found = list(source(db, now))
        except Exception:  # noqa: BLE001 - one broken source must not stop the others
            log.exception("push: reminder source %s failed", name)
            continue
        for reminder in found:
            known = kind(app, reminder.kind)
            if known is None or reminder.due_at > now or now - reminder.due_at > known.stale_after:
                continue
            if reminder.user_id not in users:
                user = db.get(User, reminder.user_id)
                has_device = db.scalar(select(PushSubscription.id).where(
                    PushSubscription.user_id == reminder.user_id).limit(1)) is not None
                users[reminder.user_id] = (user, settings_for(db, reminder.user_id),
                                           chosen(db, reminder.user_id, app), has_device)
            user, settings, wants, has_device = users[reminder.user_id]
            if user is None or not user.active or not has_device or not wants.get(known.choice):
                continue
            local = now.astimezone(user_zone(user)).time()
            if in_quiet_hours(local, settings.quiet_start, settings.quiet_end):
                report.held_quiet += 1
                continue
            wanted.append((reminder, settings.show_text))
    return wanted


def _insert(db: Session):
    """INSERT ... ON CONFLICT DO NOTHING for the database in use."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(SentReminder)


def queue(app: Flask, wanted: list[tuple[DueReminder, bool]], now: datetime) -> int:
    """Write each reminder under its dedupe key; keys already taken are left alone."""
    queued = 0
    with session_scope(app) as db:
        for reminder, show_text in wanted:
            known = kind(app, reminder.kind)
            if known is None:  # collect_due keeps only registered kinds
                continue
            stale_after = known.stale_after
            statement = _insert(db).values(
                dedupe_key=reminder.dedupe_key, user_id=reminder.user_id, kind=reminder.kind,
                url=reminder.url, text=reminder.private_text if show_text else None,
                status="pending", due_at=reminder.due_at,
                expires_at=reminder.due_at + stale_after, created_at=now, devices=0,
            ).on_conflict_do_nothing(index_elements=["dedupe_key"])
            queued += cast(CursorResult, db.execute(statement)).rowcount or 0
    return queued


def expire(app: Flask, now: datetime) -> int:
    """Queued reminders that can no longer go out in time are marked expired (never sent late)."""
    with session_scope(app) as db:
        result = cast(CursorResult, db.execute(
            update(SentReminder)
            .where(SentReminder.status == "pending", SentReminder.expires_at < now)
            .values(status="expired", text=None)
        ))
        return result.rowcount or 0


def claim(app: Flask, now: datetime, limit: int = CLAIM_BATCH) -> list[int]:
    """Take queued reminders for this worker; a row another worker has taken is skipped."""
    with session_scope(app) as db:
        query = (select(SentReminder.id)
                 .where(SentReminder.status == "pending", SentReminder.due_at <= now,
                        SentReminder.expires_at >= now)
                 .order_by(SentReminder.id).limit(limit))
        if db.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for reminder_id in db.scalars(query).all():
            # Compare-and-set: only one worker moves a row from pending to sending.
            result = cast(CursorResult, db.execute(
                update(SentReminder)
                .where(SentReminder.id == reminder_id, SentReminder.status == "pending")
                .values(status="sending")
            ))
            if result.rowcount == 1:
                claimed.append(reminder_id)
    return claimed


def compose(app: Flask, kind_name: str, text: str | None, url: str, tag: str, locale: str) -> PushMessage:
    """The notification in the person's language, in the words its feature registered. Without
    their opt-in (no text) it says only that there is a reminder: nothing from the plan reaches
    the push service or the lock screen."""
    known = kind(app, kind_name)
    with force_locale(locale):
        if text is None or known is None:
            return PushMessage(title="Trygg", body=_("You have a reminder."), url=url, tag=tag,
                               ttl=known.ttl if known else 3600, urgency=known.urgency if known else "low")
        title, body = known.words(text)
        return PushMessage(title=title, body=body, url=url, tag=tag, ttl=known.ttl, urgency=known.urgency,
                           actions=known.actions())


def _details_text(kind: str, stored: str | None, show_text: bool) -> str | None:
    """What the opt-in shows: the stored commitment text, or "" for kinds whose detail is fixed."""
    if not show_text:
        return None
    return stored if stored is not None else ""


def send_claimed(app: Flask, reminder_id: int, now: datetime, policy: RetryPolicy, http=None,
                 report: PassReport | None = None) -> None:
    """Send one claimed reminder to every device of its person and record the outcome."""
    report = report or PassReport()
    with session_scope(app) as db:
        row = db.get(SentReminder, reminder_id)
        if row is None:  # gone since it was claimed (the account was closed): nothing to send
            return
        user = db.get(User, row.user_id)
        settings = settings_for(db, row.user_id)
        tag = "trygg-" + row.dedupe_key.replace(":", "-")
        message = compose(app, row.kind, _details_text(row.kind, row.text, settings.show_text),
                          row.url, tag, user.locale if user else "en")
        delivery = deliver(db, row.user_id, message, load_keys(app), policy, http, now)
        row.status = "sent" if delivery.sent else ("failed" if delivery.failed else "no_device")
        row.sent_at = now
        row.devices = delivery.sent
        row.text = None  # the words were needed only to send them
        report.sent += 1 if delivery.sent else 0
        report.failed += 0 if delivery.sent else 1
        report.removed_devices += delivery.removed
        report.keys.append(row.dedupe_key)


def retry_policy(app: Flask) -> RetryPolicy:
    """The retry settings from the config."""
    return RetryPolicy(
        attempts=app.config["PUSH_RETRY_ATTEMPTS"],
        base_delay=app.config["PUSH_RETRY_BASE_SECONDS"],
        max_delay=app.config["PUSH_RETRY_MAX_SECONDS"],
    )


def run_pass(app: Flask, now: datetime, policy: RetryPolicy | None = None, http=None) -> PassReport:
    """One pass of the worker at `now`: collect, queue, claim, send."""
    report = PassReport()
    policy = policy or retry_policy(app)
    with app.app_context():
        report.expired = expire(app, now)
        with session_scope(app) as db:
            wanted = collect_due(app, db, now, report)
        report.queued = queue(app, wanted, now)
        claimed = claim(app, now)
        report.claimed = len(claimed)
        for reminder_id in claimed:
            try:
                send_claimed(app, reminder_id, now, policy, http, report)
            except Exception:  # noqa: BLE001 - one reminder's failure must not stop the rest
                log.exception("push: reminder %s could not be sent", reminder_id)
                report.failed += 1
                with session_scope(app) as db:
                    db.execute(update(SentReminder).where(SentReminder.id == reminder_id)
                               .values(status="failed", text=None))
    return report


def send_test(app: Flask, db: Session, user: User, now: datetime) -> int:
    """A test notification to all of a person's devices, at once; returns the devices reached."""
    with force_locale(user.locale):
        message = PushMessage(title="Trygg", body=_("Notifications work on this device."),
                              url="/settings/notifications", tag="trygg-test", ttl=300, urgency="normal")
    delivery = deliver(db, user.id, message, load_keys(app), RetryPolicy(attempts=1), None, now)
    return delivery.sent


def register_daily(app: Flask) -> None:
    """The platform's own reminder: a daily nudge to look at the plan or ground (off by default)."""
    register_choice(app, Choice("daily", _l("A daily reminder to look at my plan or do a grounding exercise"),
                                default=False, order=90))
    register_kind(app, Kind(
        "daily", "daily", 2 * 3600, "low", timedelta(hours=2),
        words=lambda text: ("Trygg", _("A moment for your safety plan, or a grounding exercise?")),
        actions=lambda: ({"action": "plan", "title": _("My plan"), "url": "/"},
                         {"action": "grounding", "title": _("Grounding"), "url": "/grounding/"})))
    register_source(app, "daily", daily_reminders)
