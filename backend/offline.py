"""What the service worker keeps for offline use, contributed by each feature package.

Feature packages register here (they may import backend, not pwa); the pwa package reads it to
warm the cache after sign-in and to build the offline page.

Pages the service worker may keep are served through `versioned_page`: the server states each
page's version (an ETag from what the page shows, the viewer, the locale and the deploy), answers
`If-None-Match` with 304, and says with `Trygg-Keep` whether this person's device may keep the page.
Every response names the signed-in person (`Trygg-User`, an opaque key), so the service worker's
saved pages belong to one person and are dropped the moment another person (or nobody) is seen.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from backend.assets import all_assets, asset_url
from backend.extensions import current_flask_app

USER_HEADER = "Trygg-User"
KEEP_HEADER = "Trygg-Keep"
# On a kept page that is where "/" leads for this viewer: the worker keeps "/" pointing at it the
# moment it keeps the page, so the home-screen icon opens it offline from the first second.
HOME_HEADER = "Trygg-Home"
NOBODY = "-"

# fn(db, user) -> pages this user should have offline: URLs, or (URL, label) to list the page by
# that label on the offline page.
WarmUrls = Callable[[object, object], list]
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


def register_home(app: Flask, role: str, fn: HomeUrl) -> None:
    """Say where "/" leads for people of a role: the one place for it. The home page redirects
    there, and the service worker keeps that redirect so the home-screen icon works offline."""
    app.extensions.setdefault("trygg.home", {})[role] = fn


def home_url(db, user) -> str | None:
    """Where "/" leads for this user, if a package said."""
    fn = current_app.extensions.get("trygg.home", {}).get(getattr(user, "role", None))
    return fn(db, user) if fn else None


def _pages(db, user) -> list[tuple[str, str | None]]:
    pages: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for fn in current_app.extensions.get("trygg.offline.warm", []):
        for entry in fn(db, user):
            url, label = entry if isinstance(entry, tuple) else (entry, None)
            if url not in seen:
                seen.add(url)
                pages.append((url, label))
    return pages


def warm_urls(db, user) -> list[str]:
    """Every page this user should be able to open offline, without duplicates, in order."""
    return [url for url, _ in _pages(db, user)]


def labelled_pages(db, user) -> list[tuple[str, str]]:
    """The pages the offline page lists by name, when this device has them saved."""
    return [(url, str(label)) for url, label in _pages(db, user) if label]


def offline_sections(db, user, locale: str) -> list[Markup]:
    """The blocks of the offline page."""
    return [fn(db, user, locale) for fn in current_app.extensions.get("trygg.offline.sections", [])]




# -- versioned pages and whose device keeps them ----------------------------------------------------

def user_key(user) -> str:
    """An opaque, stable name for a signed-in person (no id or email leaves the server)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOBODY
    return _keyed(str(current_app.config["SECRET_KEY"]), user.id)


@functools.lru_cache(maxsize=4096)
def _keyed(secret: str, user_id: int) -> str:
    # Asked three times a request (page version, page cache, response header): remembered.
    return hmac.new(secret.encode(), f"offline-owner:{user_id}".encode(), hashlib.sha256).hexdigest()[:20]


def may_keep_offline(user) -> bool:
    """Clients keep their own pages on their device. A therapist's device keeps no client's
    plan: access can end at any time, and a clinic computer is often shared."""
    return getattr(user, "is_authenticated", False) and user.role == "client"


def deploy_version(app: Flask) -> str:
    """Changes with every deploy: the release name and every asset's content hash."""
    cached = app.extensions.get("trygg.deploy_version")
    if cached is None:
        with app.test_request_context():
            names = [asset_url(package, filename) for package, filename in all_assets(app)]
        release = app.config.get("TRYGG_RELEASE", "")
        cached = hashlib.sha256("\n".join([release, *names]).encode()).hexdigest()[:12]
        app.extensions["trygg.deploy_version"] = cached
    return cached


def page_version(*parts) -> str:
    """The version of what a page shows to this viewer: `<content>.<deploy>`. The content part
    comes from its parts (e.g. the plan's revision), the viewer, the language and the page; the
    deploy part changes with every release. Never the rendered HTML, which carries fresh form
    tokens on every render. An open page reloads only for a new content part: a deploy alone
    shows the same words, and the next open gets the new copy."""
    key = "|".join(str(p) for p in (user_key(current_user), get_locale(), request.path, *parts))
    content = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"{content}.{deploy_version(current_flask_app())}"


def versioned_page(render: Callable[[], str | tuple | Response], *parts, home: bool = False) -> Response:
    """Serve a page the service worker may keep: 304 when the browser has this version already
    (nothing is rendered), else the page with its ETag and whether this device may keep it.
    `home`: this page is where "/" leads for the viewer (see HOME_HEADER)."""
    if not may_keep_offline(current_user):
        response = make_response(render())  # kept nowhere, so no version to check
        response.headers["Cache-Control"] = "private, no-store"
        return response
    version = page_version(*parts)
    # Pending messages ("Saved.") must be shown, so a page with any is always rendered.
    if request.if_none_match.contains_weak(version) and not session.get("_flashes"):
        response = Response(status=304)
    else:
        g.page_version = version
        response = make_response(render())
    if response.status_code not in (200, 304):
        return response
    response.set_etag(version)
    # Not the browser's HTTP cache (health data, maybe a shared device): only the service worker's
    # per-person cache keeps it, and revalidates with this ETag itself.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers[KEEP_HEADER] = "1"
    if home:
        response.headers[HOME_HEADER] = "1"
    return response


def _name_the_viewer(response: Response) -> Response:
    response.headers[USER_HEADER] = user_key(current_user)
    return response


def init_app(app: Flask) -> None:
    """Name the viewer on every response, and let templates state their page's version."""
    app.after_request(_name_the_viewer)
    app.jinja_env.globals["page_version"] = lambda: g.get("page_version")
