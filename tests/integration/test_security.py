"""Headers, cookies, CSRF and error pages on real responses."""
from __future__ import annotations

from backend import create_app
from conftest import PASSWORD


def test_every_page_has_a_strict_content_security_policy(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'", "style-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_have_no_inline_script_or_style(client, auth, make_user):
    for page in ("/auth/login", "/auth/register"):
        html = client.get(page).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html and "<style" not in html


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
