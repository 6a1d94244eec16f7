"""Headers, cookies, CSRF and error pages on real responses."""

from __future__ import annotations

import base64
import hashlib
import re

from conftest import PASSWORD

from backend import create_app
from backend.assets import INLINE_STYLES


def test_every_page_has_a_strict_content_security_policy(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "style-src 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_have_no_inline_script_and_only_the_hashed_stylesheets_inline(client, auth, make_user):
    """The sign-in page carries its stylesheet (it must paint after one round trip); the policy
    allows exactly that text by its hash, and nothing else inline."""
    for page in ("/auth/login", "/auth/register"):
        response = client.get(page)
        html = response.get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html
        styles = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
        assert len(styles) == (1 if page == "/auth/login" else 0) and html.count("<style") == len(styles)
        style_src = re.search(r"style-src ([^;]+)", response.headers["Content-Security-Policy"]).group(1).split()
        for text in styles:
            digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in style_src
        assert len(style_src) == 1 + len(INLINE_STYLES)  # 'self' and one hash per inline stylesheet


def test_session_cookie_flags_on_local_http(client, auth, make_user):
    response = auth.login(make_user("client"), PASSWORD)
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("trygg_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1 in tests


def test_cookies_are_secure_behind_https(tmp_path, monkeypatch):
    monkeypatch.setenv("TRYGG_BASE_URL", "https://trygg.example.org")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_form_post_without_csrf_token_is_refused(client, make_user):
    email = make_user("client")
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").headers["Location"].endswith("/auth/login")


def test_json_post_without_csrf_header_is_refused(client):
    response = client.post("/language", json={"lang": "nb"})
    assert response.status_code == 400


def test_unknown_page_leaks_nothing(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and "werkzeug" not in html.lower()


def test_server_error_page_leaks_nothing(app, client):
    from backend.access import public

    @public
    def boom():
        raise RuntimeError("secret detail 42")

    app.add_url_rule("/boom", "boom", boom)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret detail 42" not in response.get_data(as_text=True)


def test_health_check_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "INSTANCE_PATH": str(tmp_path)}
    first = create_app(config).config["SECRET_KEY"]
    assert len(first) >= 32 and first == create_app(config).config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_signed_in_answers_are_never_stored_by_a_cache(client, auth, make_user, world):
    auth.login(world.owner, PASSWORD)
    for url in (
        f"/plans/{world.plan_id}",
        f"/plans/{world.plan_id}/edit",
        f"/api/v1/plans/{world.plan_id}",
        "/api/v1/plans",
        f"/plans/{world.plan_id}/export.json",
        "/grounding/history",
        "/api/v1/grounding/sessions",
        "/settings/notifications",
        "/care",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"], url


def test_public_and_shell_responses_keep_their_own_caching(client):
    assert client.get("/auth/login").headers["Cache-Control"] == "private, no-cache"
    assert client.get("/sw.js").headers["Cache-Control"] == "no-cache"
    assert "no-store" not in client.get("/api/v1/crisis-lines?country=NO").headers.get("Cache-Control", "")


def test_https_turns_on_hsts_and_host_prefixed_cookies(tmp_path, monkeypatch, make_user):
    monkeypatch.setenv("TRYGG_BASE_URL", "https://trygg.example.org")
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "INSTANCE_PATH": str(tmp_path / "i")}
    )
    from backend.accounts.services import create_user
    from backend.db import Base, get_engine, session_scope

    Base.metadata.create_all(get_engine(app))
    with app.test_request_context(), session_scope(app) as db:
        create_user(db, "kari@example.org", PASSWORD)
    client = app.test_client()
    page = client.get("/auth/login", base_url="https://trygg.example.org")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post(
        "/auth/login",
        base_url="https://trygg.example.org",
        headers={"Referer": "https://trygg.example.org/auth/login"},
        data={"email": "kari@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("__Host-trygg_session=") for c in cookies)
    assert any(c.startswith("__Host-trygg_device=") for c in cookies)
    for cookie in cookies:
        if cookie.startswith("__Host-"):
            assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    get_engine(app).dispose()


def test_no_hsts_on_plain_local_http(client):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers


def test_the_sqlite_file_and_instance_folder_are_private(tmp_path):
    import os
    import stat

    os.umask(0o022)
    (tmp_path / "inst").mkdir(mode=0o755)
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/inst/trygg.sqlite3", "INSTANCE_PATH": str(tmp_path / "inst")}
    )
    from backend.db import Base, get_engine

    Base.metadata.create_all(get_engine(app))
    assert stat.S_IMODE((tmp_path / "inst").stat().st_mode) == 0o700
    for name in ("trygg.sqlite3", "trygg.sqlite3-wal"):
        path = tmp_path / "inst" / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert (tmp_path / "inst" / "trygg.sqlite3").exists()
    get_engine(app).dispose()
