"""Static files under content-hashed names, so browsers and the service worker can keep them
for a year and a deploy changes every name whose content changed."""
from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from flask import Flask, abort, current_app, send_from_directory, url_for
from markupsafe import Markup

from backend.access import public

_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")


@lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int) -> str:
    """The first 10 hex digits of a file's SHA-256 (cached per modification time)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def _static_root(package: str) -> Path:
    """The static folder of a registered blueprint."""
    blueprint = current_app.blueprints.get(package)
    if blueprint is None or blueprint.static_folder is None:
        abort(404)
    return Path(blueprint.static_folder)


def file_digest(package: str, filename: str) -> str:
    """The content hash of one static file."""
    path = _static_root(package) / filename
    if not path.is_file():
        raise FileNotFoundError(f"{package}/{filename}")
    return _digest(str(path), path.stat().st_mtime_ns)


def asset_url(package: str, filename: str) -> str:
    """/assets/<package>/<name>.<hash>.<ext> for a file in that package's static folder."""
    stem, dot, ext = filename.rpartition(".")
    hashed = f"{stem}.{file_digest(package, filename)}.{ext}" if dot else filename
    return url_for("assets", package=package, filename=hashed)


def all_assets(app: Flask) -> list[tuple[str, str]]:
    """Every (package, filename) that can be served as an asset."""
    found = []
    for name, blueprint in app.blueprints.items():
        if blueprint.static_folder and Path(blueprint.static_folder).is_dir():
            root = Path(blueprint.static_folder)
            found += [(name, p.relative_to(root).as_posix()) for p in sorted(root.rglob("*")) if p.is_file()]
    return found


@public
def serve_asset(package: str, filename: str):
    """Serve a hashed asset; an outdated hash still gets today's file, but not cached for long."""
    match = _HASHED.match(filename)
    plain = f"{match['stem']}{match['ext']}" if match else filename
    root = _static_root(package)
    response = send_from_directory(root, plain)
    if match and match["digest"] == file_digest(package, plain):
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response


# The stylesheets the two pages that must paint first (the crisis view and the sign-in) carry in
# their HTML: a linked stylesheet blocks the first paint for a round trip of its own, which on a
# slow phone network is what kept the largest paint over 1 s. Only these may be inlined, and the
# Content-Security-Policy allows exactly their text by hash (never 'unsafe-inline').
INLINE_STYLES = (("pwa", "trygg.css"), ("safety_plans", "plans.css"))


@lru_cache(maxsize=16)
def _style_text(path: str, mtime_ns: int) -> str:
    return Path(path).read_text(encoding="utf-8")


def _inline_text(package: str, filename: str) -> str:
    if (package, filename) not in INLINE_STYLES:
        raise ValueError(f"{package}/{filename} is not an inline style: add it to INLINE_STYLES")
    path = _static_root(package) / filename
    return _style_text(str(path), path.stat().st_mtime_ns)


def inline_style(package: str, filename: str) -> Markup:
    """A stylesheet as a <style> element (one of INLINE_STYLES, allowed by its hash)."""
    return Markup("<style>") + Markup(_inline_text(package, filename)) + Markup("</style>")


def inline_style_hashes() -> list[str]:
    """CSP sources for the inline styles: 'sha256-…' of each one's exact text."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(_inline_text(*style).encode()).digest()).decode()}'"
            for style in INLINE_STYLES]


def init_app(app: Flask) -> None:
    """Register /assets/... and make asset_url() and inline_style() available to templates."""
    app.add_url_rule("/assets/<package>/<path:filename>", "assets", serve_asset)
    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["inline_style"] = inline_style
