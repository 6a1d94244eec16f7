"""The installable shell: manifest, service worker, precache list and the offline page."""
from __future__ import annotations

import re

import pytest
from conftest import PASSWORD


def test_manifest_has_what_chromium_needs_to_install(client):
    response = client.get("/manifest.webmanifest?lang=nb")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    assert response.headers["Cache-Control"] == "no-cache"
    manifest = response.get_json()
    assert manifest["name"] == "Trygg – min sikkerhetsplan" and manifest["short_name"] == "Trygg"
    assert manifest["lang"] == "nb"
    assert manifest["start_url"].startswith("/") and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        width, height = int.from_bytes(image.data[16:20], "big"), int.from_bytes(image.data[20:24], "big")
        assert f"{width}x{height}" == icon["sizes"]


@pytest.mark.parametrize("lang, name", [("sv", "Trygg – min krisplan"), ("en", "Trygg – my safety plan")])
def test_manifest_is_named_in_the_users_language(client, lang, name):
    assert client.get(f"/manifest.webmanifest?lang={lang}").get_json()["name"] == name


def _precache(client) -> list[str]:
    script = client.get("/sw.js").get_data(as_text=True)
    match = re.search(r"const PRECACHE = (\[.*?\]);", script)
    assert match, "no precache list in sw.js"
    import json

    return json.loads(match.group(1))


def test_service_worker_is_served_at_the_root_uncached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    # Updates wait for the user: skipWaiting only answers the page's "Update" message.
    assert body.count("skipWaiting()") == 1 and "'skip-waiting'" in body


def test_every_precached_url_returns_200_and_hashed_assets_are_immutable(client):
    urls = _precache(client)
    assert "/offline" in urls
    assert any(re.search(r"/assets/pwa/trygg\.[0-9a-f]{10}\.css$", u) for u in urls)
    assert any(re.search(r"/assets/pwa/pwa\.[0-9a-f]{10}\.js$", u) for u in urls)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if re.search(r"\.[0-9a-f]{10}\.\w+$", url):
            assert "immutable" in response.headers["Cache-Control"], url


def test_cache_version_changes_when_a_shell_file_changes(app, client, tmp_path):
    from pathlib import Path

    before = re.search(r"const VERSION = \"(\w+)\"", client.get("/sw.js").get_data(as_text=True)).group(1)
    css = Path(app.blueprints["pwa"].static_folder) / "trygg.css"
    original = css.read_bytes()
    try:
        css.write_bytes(original + b"\n/* test */\n")
        after = re.search(r"const VERSION = \"(\w+)\"", client.get("/sw.js").get_data(as_text=True)).group(1)
    finally:
        css.write_bytes(original)
    assert before != after


def test_outdated_asset_hash_is_not_cached_for_long(client):
    response = client.get("/assets/pwa/trygg.0000000000.css")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"


def test_offline_page_works_signed_out(client):
    response = client.get("/offline?lang=sv")
    assert response.status_code == 200
    assert "Ingen uppkoppling just nu" in response.get_data(as_text=True)


def test_offline_list_needs_sign_in_and_lists_pages(client, auth, make_user):
    assert client.get("/api/v1/offline").status_code == 401
    auth.login(make_user("client"), PASSWORD)
    data = client.get("/api/v1/offline").get_json()
    assert isinstance(data["urls"], list)
    assert all(url.startswith("/") for url in data["urls"])


def test_pages_link_the_manifest_and_load_no_inline_script(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all('src="/assets/' in tag for tag in scripts)


def test_every_api_route_is_in_the_openapi_document(app, client):
    documented = set(client.get("/api/v1/openapi.json").get_json()["paths"])
    import re as _re

    routes = {_re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json"}
    assert routes - documented == set()
