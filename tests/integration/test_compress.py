"""Text responses are gzipped for browsers that accept it; streams and small bodies are not."""
from __future__ import annotations

import gzip

from backend.access import public


def test_pages_are_gzipped_when_the_browser_accepts_it(client):
    plain = client.get("/auth/login")
    packed = client.get("/auth/login", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 2
    # Same page, apart from the per-render CSRF token and time.
    assert gzip.decompress(packed.data).decode().count("<form") == plain.get_data(as_text=True).count("<form")


def test_static_files_are_gzipped_too(client):
    response = client.get("/assets/pwa/trygg.css", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b".pwa-bar" in gzip.decompress(response.data)


def test_streams_are_never_buffered_or_compressed(app, client):
    @public
    def stream():
        def events():
            yield "data: 1\n\n" * 200
        return app.response_class(events(), mimetype="text/event-stream")

    app.add_url_rule("/stream-test", "stream_test", stream)
    response = client.get("/stream-test", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers


def test_images_are_not_recompressed(client):
    response = client.get("/assets/pwa/icons/icon-192.png", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
