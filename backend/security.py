"""Security headers and CSRF for every response and every state-changing request."""
from __future__ import annotations

from flask import Flask, Response, current_app, has_request_context
from flask_login import current_user

from backend.assets import inline_style_hashes
from backend.extensions import csrf

# No inline script anywhere, and no inline style but the few stylesheets allowed by hash (see
# `content_security_policy`): everything comes from our own origin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def content_security_policy() -> str:
    """The policy, with the hashes of the few stylesheets pages may carry inline
    (`backend.assets.INLINE_STYLES`; their text changes only with a deploy)."""
    policy = current_app.extensions.get("trygg.csp")
    if policy is None:
        styles = " ".join(["'self'", *inline_style_hashes()])
        policy = CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src {styles}")
        current_app.extensions["trygg.csp"] = policy
    return policy


def security_headers(response: Response) -> Response:
    """Add the headers every page carries."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if "Cache-Control" not in headers:  # assets, the service worker and streams set their own
        if _signed_in():
            # Anything answered to a signed-in person may carry health data: no cache keeps it
            # (the service worker keeps what it chooses in its own per-person caches).
            headers["Cache-Control"] = "no-store"
        elif response.mimetype == "text/html":
            headers["Cache-Control"] = "private, no-cache"
    return response


def _signed_in() -> bool:
    """True when this request came from a signed-in person (never loads anyone otherwise)."""
    return bool(has_request_context() and current_user and current_user.is_authenticated)


def init_app(app: Flask) -> None:
    """Turn on CSRF protection (forms and JSON, via X-CSRFToken) and the headers."""
    csrf.init_app(app)
    app.after_request(security_headers)
