"""The installable shell: web app manifest, service worker, offline page, offline URL list."""
from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from backend import db
from backend.access import public, signed_in
from backend.assets import all_assets, asset_url
from backend.offline import home_url, labelled_pages, offline_sections, public_urls, warm_urls
from backend.redirects import safe_path

bp = Blueprint("pwa_shell", __name__)

THEME_COLOUR = "#2f5d62"
# The service worker's caches, named once: sw.js and the offline page are rendered with these.
CACHE_PREFIX = "trygg-"
PAGES_CACHE = CACHE_PREFIX + "pages"
# Set when a client has read what "Exit this page" does; the base template then leaves it out.
EXIT_NOTE_COOKIE = "trygg_exit_note"
BACKGROUND_COLOUR = "#f7f5f0"


@bp.route("/manifest.webmanifest")
@public
def manifest():
    """The web app manifest, named in the user's language."""
    data = {
        "id": "/",
        "name": _("Trygg – my safety plan"),
        "short_name": "Trygg",
        "description": _("Your safety plan, close at hand, also without a network."),
        "lang": str(get_locale()),
        "start_url": "/?source=home-screen",
        # A long press on the icon: straight to the step-by-step walk-through (or, signed out,
        # to the crisis lines). The icon itself opens the plan, whose first screen holds both.
        "shortcuts": [
            {"name": _("I need help now"), "short_name": _("Help now"), "url": "/now?source=shortcut",
             "icons": [{"src": asset_url("pwa", "icons/icon-192.png"), "sizes": "192x192", "type": "image/png"}]},
            {"name": _("Crisis lines"), "url": "/help?source=shortcut"},
        ],
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": asset_url("pwa", "icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": asset_url("pwa", "icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": asset_url("pwa", "icons/maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    response = current_app.response_class(json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


def precache_urls() -> list[str]:
    """The shell: every hashed static asset, plus plain names for scripts other modules import."""
    urls = []
    for package, filename in all_assets(current_app):
        urls.append(asset_url(package, filename))
        if filename.endswith(".js"):
            urls.append(url_for("assets", package=package, filename=filename))
    return sorted(set(urls)) + [url_for("pwa_shell.offline")] + public_urls()


def shell_version(urls: list[str]) -> str:
    """Changes whenever any shell file changes (hashed names are in the list) or the release
    named in TRYGG_RELEASE changes (a deploy that changes only pages)."""
    release = current_app.config.get("TRYGG_RELEASE", "")
    return hashlib.sha256("\n".join([release, *urls]).encode()).hexdigest()[:12]


@bp.route("/sw.js")
@public
def service_worker():
    """The service worker, at the root so its scope is the whole app."""
    urls = precache_urls()
    body = render_template("pwa/sw.js", version=shell_version(urls), precache=urls, prefix=CACHE_PREFIX,
                           pages_cache=PAGES_CACHE,
                           imports=[asset_url("pwa", name) for name in ("outbox-core.js", "sw-push.js")
                                    if _exists(name)])
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


def _exists(filename: str) -> bool:
    """True if the pwa package ships this static file."""
    return any(p == "pwa" and f == filename for p, f in all_assets(current_app))


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico on pages without an icon link: the app's icon."""
    return redirect(asset_url("pwa", "icons/trygg.svg"), 301)


@bp.route("/offline")
@public
def offline():
    """Shown for a page that was never saved: crisis lines first, then the saved pages."""
    user = current_user if current_user.is_authenticated else None
    sections = offline_sections(db.session(), user, str(get_locale()))
    pages = labelled_pages(db.session(), user) if user else []
    return render_template("pwa/offline.html", sections=sections, pages=pages, pages_cache=PAGES_CACHE)


OPENAPI_PATHS = {
    "/api/v1/offline": {"get": {
        "summary": "The pages the service worker keeps offline for the signed-in user, and where / leads",
        "responses": {"200": {"description": "{\"urls\": [path, ...], \"home\": path or null}",
                              "content": {"application/json": {"schema": {"type": "object", "properties": {
                                  "urls": {"type": "array", "items": {"type": "string"}},
                                  "home": {"type": "string", "nullable": True}}}}}},
                      "401": {"description": "Not signed in"}}}},
}


@bp.route("/api/v1/offline")
@signed_in
def offline_manifest():
    """What the service worker should keep for this user, and where "/" leads."""
    body = dict(urls=warm_urls(db.session(), current_user), home=home_url(db.session(), current_user))
    db.session().commit()  # a client's home (their plan) is started on first use
    return jsonify(body)


@bp.app_context_processor
def _exit_note_cookie() -> dict:
    return {"EXIT_NOTE_COOKIE": EXIT_NOTE_COOKIE}


@bp.route("/exit-note", methods=["POST"])
@signed_in
def exit_note_seen():
    """"I understand" under the quick-exit note, without JavaScript: remember it, go back."""
    response = redirect(safe_path(request.form.get("next"), url_for("core.home")))
    response.set_cookie(EXIT_NOTE_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response
