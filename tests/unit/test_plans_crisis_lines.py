"""The crisis-line data: right numbers, each with a source and a checked-on date, none closed."""
from __future__ import annotations

import re
from datetime import date

import pytest

from safety_plans import crisis_lines

REQUIRED = ("NO", "SE", "DK", "FI", "GB", "US")
# Closed numbers we must never ship (CONTENT.md): Sweden's Nationella Hjälplinjen (closed 2019) and
# Kirkens SOS's old 815 number.
CLOSED = [re.compile(r"^(\+46|0046)?0?771220060$"), re.compile(r"^(\+47)?815")]
EXPECTED_EMERGENCY = {"NO": "113", "SE": "112", "DK": "112", "FI": "112", "GB": "999", "US": "911"}


def _digits(value: str) -> str:
    return re.sub(r"[^\d+]", "", value)


def all_lines():
    return [(c, e) for c in crisis_lines.countries() for e in crisis_lines.load()["countries"][c]["lines"]]


def test_every_required_country_is_there():
    assert set(REQUIRED) <= set(crisis_lines.countries())


@pytest.mark.parametrize("country", REQUIRED)
def test_every_country_has_its_emergency_number_first(country):
    lines = crisis_lines.lines_for(country, "en")
    assert lines[0].kind == "emergency"
    assert crisis_lines.emergency_number(country) == EXPECTED_EMERGENCY[country]


def test_every_number_has_a_source_and_a_checked_on_date():
    for _country, entry in all_lines():
        assert entry["source"].strip(), entry["id"]
        assert date.fromisoformat(entry["checked_on"]) <= date(2026, 12, 31), entry["id"]
        assert entry.get("tel") or entry.get("sms"), entry["id"]


def test_every_label_is_in_three_languages():
    for _, entry in all_lines():
        assert set(entry["label"]) >= {"en", "nb", "sv"}, entry["id"]
        assert all(entry["label"][lang].strip() for lang in ("en", "nb", "sv"))


def test_no_closed_number_is_shipped():
    for _, entry in all_lines():
        for value in (entry["number"], entry.get("tel", ""), entry.get("sms", "")):
            digits = _digits(value)
            assert not any(p.match(digits) for p in CLOSED), (entry["id"], value)
    text = crisis_lines.DATA_FILE.read_text(encoding="utf-8")
    assert "0771" not in text and "815 " not in text


def test_116_numbers_are_listed_only_under_their_own_country():
    # Each 116 number appears once per country that has it, and its id names that country.
    for country, entry in all_lines():
        if _digits(entry["number"]).startswith("116"):
            assert entry["id"].startswith(country.lower() + "-"), entry["id"]
    no_lines = {line.number for line in crisis_lines.lines_for("NO", "nb")}
    gb_ids = {line.id for line in crisis_lines.lines_for("GB", "en")}
    assert "116 123" in no_lines and not any(i.startswith("no-") for i in gb_ids)


def test_lines_are_labelled_in_the_readers_language():
    nb = crisis_lines.lines_for("NO", "nb")[0]
    sv = crisis_lines.lines_for("NO", "sv")[0]
    assert nb.label != sv.label and nb.number == sv.number == "113"


def test_text_only_lines_make_sms_links_with_their_keyword():
    shout = next(line for line in crisis_lines.lines_for("GB", "en") if line.id == "gb-shout")
    assert shout.sms_href == "sms:85258?body=SHOUT" and shout.tel_href == ""
    lifeline = next(line for line in crisis_lines.lines_for("US", "en") if line.id == "us-988")
    assert lifeline.tel_href == "tel:988" and lifeline.sms_href == "sms:988"
