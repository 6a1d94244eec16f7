"""No secret in any log (ASVS V16.2.5; review M2, L3): the server as `make run` starts it prints its
access and error logs, and after registration, a password reset and two invites neither holds a
registration or reset token or an invite code. A mail written to instance/mail (no SMTP) is named in
the log by its path, never shown."""
from __future__ import annotations

import os
import re
import runpy
import subprocess
import time
from pathlib import Path

import pytest
import requests

from support import gunicorn, secret_links
from support.databases import drop_database, fresh_database_url

ROOT = Path(__file__).resolve().parents[2]
THERAPIST = "berg@example.org"
CONFIG = runpy.run_path(str(ROOT / "deploy/gunicorn.conf.py"))
redact = CONFIG.get("redact", lambda line: line)  # (no rule at all before issue 26)


# -- the rule --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, kept", [
    ('"GET /auth/welcome/eyJ1Ijo0fQ.aBc-_9 HTTP/1.1" 200', '"GET /auth/welcome/[redacted] HTTP/1.1" 200'),
    ('"POST /auth/reset/eyJ1Ijo0fQ.Zz9?x=1 HTTP/1.1" 302', '"POST /auth/reset/[redacted]?x=1 HTTP/1.1" 302'),
    ('"GET /care/link/ABCD2345 HTTP/1.1" 404 "-"', '"GET /care/link/[redacted] HTTP/1.1" 404 "-"'),
    ('"GET /CARE/LINK/abcd%20efgh/x HTTP/1.1"', '"GET /CARE/LINK/[redacted]/x HTTP/1.1"'),
    ('"GET /auth/login?next=%2Fcare%2Flink%2FABCD2345 HTTP/1.1" 200',
     '"GET /auth/login?next=%2Fcare%2Flink%2F[redacted] HTTP/1.1" 200'),
    ('"GET /auth/welcome/tok.en?next=%2fcare%2flink%2fABCD2345&lang=nb HTTP/1.1"',
     '"GET /auth/welcome/[redacted]?next=%2fcare%2flink%2f[redacted]&lang=nb HTTP/1.1"'),
    ('"GET /x HTTP/1.1" 200 5 "https://t.example/auth/reset/eyJ.abc" "Firefox"',
     '"GET /x HTTP/1.1" 200 5 "https://t.example/auth/reset/[redacted]" "Firefox"'),
    ("Error handling request GET /care/link/QWER7890", "Error handling request GET /care/link/[redacted]"),
    ('"GET /auth/login?next=%252Fauth%252Freset%252Fsecret HTTP/1.1"',
     '"GET /auth/login?next=%252Fauth%252Freset%252F[redacted] HTTP/1.1"'),
    # What holds no secret is left alone: the pages around them, an empty segment.
    ('"GET /care/link HTTP/1.1" 405', '"GET /care/link HTTP/1.1" 405'),
    ('"POST /care/link HTTP/1.1" 302', '"POST /care/link HTTP/1.1" 302'),
    ('"GET /auth/forgot HTTP/1.1" 200', '"GET /auth/forgot HTTP/1.1" 200'),
    ('"GET /auth/reset/ HTTP/1.1" 404', '"GET /auth/reset/ HTTP/1.1" 404'),
    ('"GET /plans/12/edit?section=reasons HTTP/1.1" 200', '"GET /plans/12/edit?section=reasons HTTP/1.1" 200'),
])
def test_the_rule_cuts_out_the_secret_and_keeps_the_line(line, kept):
    assert redact(line) == kept


def test_gunicorn_uses_the_redacting_logger():
    assert getattr(CONFIG.get("logger_class"), "__name__", None) == "RedactingLogger"
    assert CONFIG["accesslog"] in ("-", None) or os.environ.get("ACCESS_LOG")


# -- the real server, as `make run` starts it --------------------------------------------------------------

def _start(seeded: gunicorn.Seeded, log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn exactly as `make run` runs it (the access log on stdout, the error log and the app's
    log on stderr), both captured in one file as a terminal would show them."""
    port = gunicorn.free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("ACCESS_LOG", "TRYGG_SMTP_HOST")}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "--config", str(gunicorn.CONFIG), "backend:create_app()"], cwd=ROOT,
            env={**env, "DATABASE_URL": seeded.db_url, "TRYGG_INSTANCE_PATH": str(seeded.instance),
                 "TRYGG_BASE_URL": url, "PORT": str(port), "HOST": "127.0.0.1", "PYTHONPATH": str(ROOT)},
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return process, url
        except requests.RequestException:
            time.sleep(0.1)
    gunicorn.stop(process)
    pytest.fail(f"gunicorn did not start: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture
def server(tmp_path):
    """A migrated database with a client (Ingrid) and a therapist, two invites, and the server."""
    seeded = gunicorn.seed(fresh_database_url(tmp_path), tmp_path / "instance", therapist=THERAPIST)
    codes = secret_links.invite_codes(seeded, THERAPIST, 2)
    log = tmp_path / "make-run.log"
    process, url = _start(seeded, log)
    yield {"url": url, "seeded": seeded, "codes": codes, "log": log, "process": process}
    gunicorn.stop(process)
    drop_database(seeded.db_url)


def test_the_server_log_holds_no_token_and_no_invite_code(server):
    secrets = secret_links.journeys(server["url"], server["seeded"], server["codes"])
    gunicorn.stop(server["process"])  # everything written and flushed
    log = server["log"].read_text(errors="replace")
    # A mail printed whole would be quoted-printable: its link broken by soft line breaks ("=\n").
    unwrapped = log.replace("=\n", "")
    found = {name: len(re.findall(re.escape(secret), unwrapped, re.IGNORECASE)) for name, secret in secrets.items()}
    assert sum(found.values()) == 0, found
    # The lines are still there, useful, with the secret cut out.
    assert re.search(r"GET /auth/welcome/\[redacted\]\?next=(/|%2F)care\1link\1\[redacted\] ", log)
    for redacted in ("POST /auth/welcome/[redacted]", "GET /auth/reset/[redacted] ", "POST /auth/reset/[redacted] ",
                     "GET /care/link/[redacted] ", "POST /care/link/[redacted] ",
                     "GET /auth/login?next=%2Fcare%2Flink%2F[redacted] ", "POST /care/link HTTP/1.1\" 302"):
        assert redacted in log, redacted
    # Mail without SMTP: the log says where it was kept and to whom, never what it says.
    assert re.search(r"Mail to nora@example\.org not sent \(no TRYGG_SMTP_HOST\); kept in \S+/mail/\S+\.eml", log)
    assert "Open this link" not in log and "Hello," not in log
