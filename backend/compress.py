"""gzip for text responses, so a page costs few bytes on a weak mobile connection even without a
proxy in front. Streams (server-sent events) and small bodies are left alone."""
from __future__ import annotations

import gzip

from flask import Flask, Response, request

COMPRESSIBLE = {
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "application/manifest+json", "image/svg+xml", "text/plain",
}
MIN_SIZE = 600


def compress(response: Response) -> Response:
    """gzip the body when the browser accepts it and it is worth it."""
    if response.direct_passthrough and response.mimetype in COMPRESSIBLE and response.status_code == 200:
        # A static file sent as-is: read it so it can be compressed (our files are small).
        response.direct_passthrough = False
        response.get_data()
    if (
        response.is_streamed
        or response.status_code < 200
        or response.status_code in (204, 206, 304)
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
        or "gzip" not in request.headers.get("Accept-Encoding", "").lower()
    ):
        return response
    response.headers.add("Vary", "Accept-Encoding")
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask) -> None:
    """Compress after every other after_request hook has run (they run in reverse order)."""
    app.after_request_funcs.setdefault(None, []).insert(0, compress)
