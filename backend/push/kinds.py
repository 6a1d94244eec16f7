"""What a person can be reminded of, registered by the feature that knows it.

The platform delivers reminders; it does not know what a commitment or a plan is. A feature
registers its *choices* (a setting a person can turn on or off, with its label) and its *kinds*
(how each reminder is worded, how long a push service keeps it, how late it may still go out).
The settings page shows every registered choice; the worker keeps a reminder only while its
choice is on.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask, current_app


@dataclass(frozen=True)
class Choice:
    """A kind of reminder a person can turn off: its key, its label, whether it starts on."""

    key: str
    label: object  # a lazy translated string
    default: bool
    order: int = 50
    roles: tuple[str, ...] = ()  # who is offered it on the settings page; empty: everyone


@dataclass(frozen=True)
class Kind:
    """One kind of reminder.

    `words(text)` returns (title, body) in the current locale; `text` is the reminder's own words
    when the person let the lock screen show them, else None (then only "You have a reminder"
    is sent, by the platform). `actions()` may add notification buttons.
    """

    name: str
    choice: str
    ttl: int
    urgency: str
    stale_after: timedelta
    words: Callable[[str], tuple[str, str]]
    actions: Callable[[], tuple[dict, ...]] = field(default=lambda: ())


def register_choice(app: Flask, choice: Choice) -> None:
    """Add a choice to the settings page."""
    app.extensions.setdefault("trygg.push.choices", {})[choice.key] = choice


def register_kind(app: Flask, kind: Kind) -> None:
    """Add a kind of reminder (its choice must be registered too)."""
    app.extensions.setdefault("trygg.push.kinds", {})[kind.name] = kind


def choices(app: Flask | None = None, role: str | None = None) -> list[Choice]:
    """The registered choices in page order (only those offered to `role`, when given)."""
    app = app or current_app
    found = sorted(app.extensions.get("trygg.push.choices", {}).values(), key=lambda c: (c.order, c.key))
    return [c for c in found if role is None or not c.roles or role in c.roles]


def kind(app: Flask, name: str) -> Kind | None:
    """A registered kind by name, or None."""
    return app.extensions.get("trygg.push.kinds", {}).get(name)
