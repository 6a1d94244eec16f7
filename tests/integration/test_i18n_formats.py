"""The formatting helpers in backend.i18n: the reader's language and time zone, never UTC."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from backend.i18n import format_day, format_minutes, format_moment, format_number, format_value, viewer_zone


@pytest.fixture
def reader(app):
    """A request in a language (signed out: the language's zone)."""

    def make(lang: str):
        return app.test_request_context(f"/?lang={lang}")

    return make


def test_moments_are_in_the_readers_zone_and_words(reader):
    winter = datetime(2025, 11, 24, 13, 5, tzinfo=UTC)  # 14:05 in Oslo and Stockholm
    with reader("nb"):
        assert viewer_zone().key == "Europe/Oslo"
        assert format_moment(winter) == "24. nov. 2025 kl. 14:05"
    with reader("sv"):
        assert format_moment(winter) == "24 nov. 2025 kl. 14:05"
    with reader("en"):
        assert format_moment(winter) == "Nov 24, 2025 at 1:05\u202fPM"


def test_today_and_yesterday_read_as_words(reader):
    now = datetime.now(UTC)
    with reader("nb"):
        assert format_moment(now).startswith("i dag kl. ")
        assert format_day(now - timedelta(days=1)) == "i går"
    with reader("sv"):
        assert format_day(datetime.now(UTC).astimezone(viewer_zone()).date() + timedelta(days=1)) == "i morgon"
        assert format_day(date(2024, 12, 1)) == "1 dec. 2024"


def test_numbers_and_durations(reader):
    with reader("nb"):
        assert format_number(4.0) == "4,0" and format_number(2.25) == "2,2"
        assert format_minutes(1) == "1 minutt" and format_minutes(5) == "5 minutter"
    with reader("sv"):
        assert format_number(2.5) == "2,5" and format_minutes(5, short=True) == "5 min"


def test_stored_iso_values_become_readable(reader):
    with reader("nb"):
        assert format_value("2025-03-01T10:00:00+00:00") == "1. mars 2025 kl. 11:00"
        assert format_value("2025-12-01") == "1. des. 2025"
        assert format_value("not a date") == "not a date" and format_value(3) == 3
