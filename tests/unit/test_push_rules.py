"""Small rules of push delivery: quiet hours, payload size, Retry-After, device names, keys."""

from __future__ import annotations

import json
import time as clock
from datetime import UTC, datetime, time

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from py_vapid import Vapid

from backend import create_app
from backend.push.keys import PRIVATE_FILE, default_subject, load_keys, new_private_pem, public_key_of
from backend.push.reminders import in_quiet_hours
from backend.push.sender import MAX_PAYLOAD, PushMessage, retry_after_seconds
from backend.push.services import device_label
from support.push_service import verify_vapid


@pytest.mark.parametrize(
    "at, quiet",
    [
        (time(21, 59), False),
        (time(22, 0), True),
        (time(23, 30), True),
        (time(0, 0), True),
        (time(6, 59), True),
        (time(7, 0), False),
        (time(12, 0), False),
    ],
)
def test_quiet_hours_across_midnight(at, quiet):
    assert in_quiet_hours(at, time(22, 0), time(7, 0)) is quiet


def test_quiet_hours_within_a_day_and_switched_off():
    assert in_quiet_hours(time(13, 0), time(12, 0), time(14, 0))
    assert not in_quiet_hours(time(14, 0), time(12, 0), time(14, 0))
    assert not in_quiet_hours(time(3, 0), None, None)
    assert not in_quiet_hours(time(3, 0), time(5, 0), time(5, 0))


def test_payload_is_small_json_and_long_text_is_shortened():
    short = json.loads(PushMessage("Trygg", "You have a reminder.", "/plans/1", "t").payload())
    assert short == {"title": "Trygg", "body": "You have a reminder.", "url": "/plans/1", "tag": "t"}
    long = PushMessage("Trygg", "æøå " * 1000, "/", "t").payload()
    assert len(long) <= MAX_PAYLOAD and json.loads(long)["body"].endswith("…")


def test_retry_after_in_seconds_or_as_a_date():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_device_names_people_recognise(app):
    with app.test_request_context():
        assert (
            device_label(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit "
                "Version/17.0 Mobile/15E148 Safari/604.1"
            )
            == "Safari on iPhone"
        )
        assert (
            device_label("Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0") == "Firefox on Windows"
        )
        assert device_label("") == "Unknown device"


def test_vapid_key_is_made_once_and_kept_private(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/a.sqlite3"})
    first = load_keys(app).public_key
    key_file = tmp_path / PRIVATE_FILE
    assert key_file.stat().st_mode & 0o077 == 0
    again = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/a.sqlite3"})
    assert load_keys(again).public_key == first and len(first) == 87


def test_vapid_key_from_the_environment(tmp_path, monkeypatch):
    pem = new_private_pem().decode()
    monkeypatch.setenv("VAPID_PRIVATE_KEY", pem)
    monkeypatch.setenv("VAPID_SUBJECT", "mailto:drift@example.org")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/a.sqlite3"})
    keys = load_keys(app)
    assert keys.subject == "mailto:drift@example.org" and not (tmp_path / PRIVATE_FILE).exists()
    monkeypatch.setenv("VAPID_PUBLIC_KEY", public_key_of(load_pem_private_key(new_private_pem(), None)))
    other = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/a.sqlite3"})
    with pytest.raises(RuntimeError):
        load_keys(other)


def test_default_subject():
    assert default_subject("https://trygg.example.no") == "https://trygg.example.no"
    assert default_subject("http://127.0.0.1:5000") == "mailto:trygg@localhost"


def test_the_test_push_service_really_checks_vapid_signatures():
    """The receiver used by the integration tests refuses a forged or expired token."""
    audience = "http://127.0.0.1:1234"
    vapid = Vapid.from_pem(new_private_pem())
    header = vapid.sign({"sub": "mailto:a@example.org", "aud": audience, "exp": int(clock.time()) + 600})[
        "Authorization"
    ]
    claims, _key = verify_vapid(header, audience, clock.time())
    assert claims["sub"] == "mailto:a@example.org"
    other = Vapid.from_pem(new_private_pem())
    forged = other.sign({"sub": "mailto:a@example.org", "aud": audience})["Authorization"]
    with pytest.raises(ValueError):  # signed by another key than the one it names
        verify_vapid(forged.split(",k=")[0] + ",k=" + header.split(",k=")[1], audience, clock.time())
    with pytest.raises(ValueError):
        verify_vapid(header, "http://127.0.0.1:9999", clock.time())
    with pytest.raises(ValueError):
        verify_vapid(header, audience, clock.time() + 3600)
