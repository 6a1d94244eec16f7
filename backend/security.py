"""Security headers and CSRF for every response and every state-changing request."""
from __future__ import annotations

from flask import Flask, Response
from backend.extensions import csrf

# No inline script or style anywhere: everything comes from our own origin.
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


def security_headers(response: Response) -> Response:
    """Add the headers every page carries."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if response.mimetype == "text/html":
        # Pages carry personal data: never in a shared cache, checked with us on each visit.
        headers.setdefault("Cache-Control", "private, no-cache")
    return response


def init_app(app: Flask) -> None:
    """Turn on CSRF protection (forms and JSON, via X-CSRFToken) and the headers."""
    csrf.init_app(app)
    app.after_request(security_headers)
