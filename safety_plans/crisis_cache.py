"""The crisis view's plan body, rendered once per version and reused.

The page most opened in a crisis is also the one the service worker revalidates most. Its body
(help now, the sections, commitments) depends only on the plan's version (`plans.version_parts`:
revision, grounding stamp, the live care links, since a recommendation from an ended link leaves
the plan), the language, the plan's country, the kind of viewer (the owner, greeted by name, or a
linked therapist) and the deploy. So the body is rendered once per such key into a small bounded
in-process cache, and each request renders only the page around it (header, help strip, CSRF
token). A key never mixes two people's views where they differ: everything the body shows is in
it, and the owner's name too. The CSRF token of the body's one form is put in per request.
Access checks and the therapist's access log run before this, on every request, cached or not.
"""
from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from flask import Response, current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from backend.compress import PageWithHoles
from backend.db import utcnow
from backend.offline import deploy_version

# Stand for the CSRF token and the time of rendering in a cached body or page; random per
# process, so no plan text can forge them.
_TOKEN = f"trygg-csrf-{secrets.token_hex(16)}"
_NOW = f"trygg-now-{secrets.token_hex(16)}"
Kept = TypeVar("Kept")


class BodyCache(Generic[Kept]):
    """A bounded least-recently-used map from a key to what was rendered for it (a body's HTML, a
    whole page)."""

    def __init__(self, size: int = 512):
        self.size = size
        self._lock = threading.Lock()
        self._bodies: OrderedDict[tuple, Kept] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> Kept | None:
        """The body for a key, if rendered before."""
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return body

    def put(self, key: tuple, body: Kept) -> None:
        """Keep a body; the least recently used goes when full."""
        with self._lock:
            self._bodies[key] = body
            self._bodies.move_to_end(key)
            while len(self._bodies) > self.size:
                self._bodies.popitem(last=False)


def body_key(plan, viewer, locale: str, version: tuple) -> tuple:
    """Everything the crisis view's body shows depends on (the version holds the live care links)."""
    is_owner = plan.owner_id == viewer.id
    greeting = viewer.name if is_owner else None
    return (deploy_version(current_app), version, locale, plan.country,
            "owner" if is_owner else "therapist", greeting)


def page_key(key: tuple, locale: str) -> tuple | None:
    """What the whole page (the body and the shell around it) depends on beyond the body: the
    person (the shell names them and their menu), the address (the language form returns there),
    the country of the help strip. (The quick-exit note, which a cookie hides, is never drawn on
    the crisis view.) None when the page must be rendered afresh (a message such as "Saved." waits
    to be shown)."""
    if session.get("_flashes"):
        return None
    from backend.i18n import request_country
    from backend.offline import user_key

    return (key, user_key(current_user), current_user.name, current_user.role, request.full_path,
            request_country(locale))


def _cache(name: str, size: int) -> BodyCache:
    app = current_app
    return app.extensions.get(name) or app.extensions.setdefault(name, BodyCache(size))


def render_page(template_name: str, key: tuple, context: Callable[[], dict], page: Callable[[], dict],
                locale: str | None = None) -> Response:
    """The page: whole from the per-person page cache when it was rendered for this key before,
    else its `content` block from the body cache (rendered with `context()` on a miss) and the rest
    rendered now with `page()` (what the page outside the body needs). A cached page is gzipped once:
    a response only fills in its token and time."""
    whole = page_key(key, locale) if locale is not None else None
    size = int(current_app.config.get("CRISIS_PAGE_CACHE", 256))
    pages: BodyCache[PageWithHoles] = _cache("trygg.crisis_pages", size)
    cached_page = pages.get(whole) if whole is not None else None
    if cached_page is None:
        cached_page = PageWithHoles(_render(template_name, key, context, page), (_TOKEN, _NOW))
        if whole is not None:
            pages.put(whole, cached_page)
    return cached_page.answer({_TOKEN: generate_csrf(), _NOW: utcnow().isoformat(timespec="seconds")})


def _render(template_name: str, key: tuple, context: Callable[[], dict], page: Callable[[], dict]) -> str:
    app = current_app
    cache: BodyCache[str] = _cache("trygg.crisis_bodies", int(app.config.get("CRISIS_BODY_CACHE", 512)))
    template = app.jinja_env.get_template(template_name)
    body = cache.get(key)
    # The template's own imports (macros) run in its root, so the page is always rendered whole,
    # the content block being either captured on its first render or served from the cache.
    variables = {**(context() if body is None else page()), "csrf_token": lambda: _TOKEN, "rendered_at": lambda: _NOW}
    app.update_template_context(variables)
    rendered = template.new_context(variables)
    if body is None:
        render_body = rendered.blocks["content"][0]

        def capture(block_context):
            html = "".join(render_body(block_context))
            cache.put(key, html)
            yield html

        rendered.blocks["content"] = [capture]
    else:
        cached = body
        rendered.blocks["content"] = [lambda _context: iter([cached])]
    return app.jinja_env.concat(template.root_render_func(rendered))
