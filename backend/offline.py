"""What the service worker keeps for offline use, contributed by each feature package.

Feature packages register here (they may import backend, not pwa); the pwa package reads it to
warm the cache after sign-in and to build the offline page.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, current_app
from markupsafe import Markup

# fn(db, user) -> list of same-origin page URLs this user should have offline.
WarmUrls = Callable[[object, object], list[str]]
# fn(db, user or None, locale) -> HTML for the offline page (e.g. the crisis lines).
OfflineSection = Callable[[object, object, str], Markup]
# fn(db, user) -> the URL a signed-in user's home ("/") leads to, or None.
HomeUrl = Callable[[object, object], "str | None"]


def register_warm_urls(app: Flask, fn: WarmUrls) -> None:
    """Add pages to keep offline for a signed-in user."""
    app.extensions.setdefault("trygg.offline.warm", []).append(fn)


def register_offline_section(app: Flask, fn: OfflineSection) -> None:
    """Add a block to the offline page (shown when a page was never saved)."""
    app.extensions.setdefault("trygg.offline.sections", []).append(fn)


def register_public_urls(app: Flask, fn: Callable[[], list[str]]) -> None:
    """Add pages every browser keeps from the moment the service worker installs, signed in or
    not (the public crisis lines): they go into the shell's precache."""
    app.extensions.setdefault("trygg.offline.public", []).append(fn)


def public_urls() -> list[str]:
    """Pages for everyone's precache, without duplicates."""
    urls: list[str] = []
    for fn in current_app.extensions.get("trygg.offline.public", []):
        urls += [u for u in fn() if u not in urls]
    return urls


def register_home_url(app: Flask, fn: HomeUrl) -> None:
    """Say where "/" leads for a user, so the home-screen icon opens it offline."""
    app.extensions["trygg.offline.home"] = fn


def warm_urls(db, user) -> list[str]:
    """Every page this user should be able to open offline, without duplicates, in order."""
    urls: list[str] = []
    for fn in current_app.extensions.get("trygg.offline.warm", []):
        urls += [u for u in fn(db, user) if u not in urls]
    return urls


def offline_sections(db, user, locale: str) -> list[Markup]:
    """The blocks of the offline page."""
    return [fn(db, user, locale) for fn in current_app.extensions.get("trygg.offline.sections", [])]


def home_url(db, user) -> str | None:
    """Where "/" leads for this user, if a package said."""
    fn = current_app.extensions.get("trygg.offline.home")
    return fn(db, user) if fn else None
