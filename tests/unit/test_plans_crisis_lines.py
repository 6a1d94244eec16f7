"""The crisis-line data: right numbers, each with a source and a checked-on date, none closed."""
from __future__ import annotations

import json
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


def test_every_number_names_its_page_and_was_checked_within_twelve_months_of_today():
    # Today, not a fixed day: a release a year after the last check fails here until someone
    # reads the pages again and moves the dates.
    problems = crisis_lines.problems(date.today())
    assert problems == [], "Crisis lines to check again:\n" + "\n".join(problems)
    for _country, entry in all_lines():
        assert entry.get("tel") or entry.get("sms"), entry["id"]
        assert entry.get("verified") in ("live", "stored-copy"), entry["id"]


def test_problems_lists_each_entry_without_a_page_or_a_date_or_with_an_old_check(tmp_path, monkeypatch):
    page = "https://example.org/lines"
    lines = [
        {"id": "xx-fine", "kind": "emergency", "number": "1", "source": page, "checked_on": "2026-06-01"},
        {"id": "xx-nopage", "kind": "crisis", "number": "2", "source": "", "checked_on": "2026-06-01"},
        {"id": "xx-nodate", "kind": "crisis", "number": "3", "source": page},
        {"id": "xx-old", "kind": "crisis", "number": "4", "source": page, "checked_on": "2025-06-01"},
    ]
    data = tmp_path / "lines.json"
    data.write_text(json.dumps({"countries": {"XX": {"name": {"en": "X"}, "lines": lines}}}), encoding="utf-8")
    monkeypatch.setattr(crisis_lines, "DATA_FILE", data)
    crisis_lines.load.cache_clear()
    try:
        assert crisis_lines.problems(date(2026, 7, 1)) == [
            "XX xx-nopage (2): no source page",
            "XX xx-nodate (3): no date it was checked",
            "XX xx-old (4): checked 2025-06-01, 12 months ago or more",
        ]
        assert "XX xx-fine (1): checked 2026-06-01, 12 months ago or more" in crisis_lines.problems(date(2027, 6, 1))
    finally:
        crisis_lines.load.cache_clear()


def test_every_line_has_its_hours_in_three_languages():
    for _, entry in all_lines():
        assert set(entry.get("hours", {})) >= {"en", "nb", "sv"}, entry["id"]
        assert all(entry["hours"][lang].strip() for lang in ("en", "nb", "sv")), entry["id"]


def test_line_text_says_the_hours_beside_the_number():
    line = next(line for line in crisis_lines.lines_for("SE", "sv") if line.id == "se-jourhavande-medmanniska")
    assert crisis_lines.line_text(line) == "Jourhavande medmänniska: 08-702 16 80 (Varje natt kl. 21–06)"


def test_police_and_fire_come_after_the_helplines_in_norway():
    ids = [line.id for line in crisis_lines.lines_for("NO", "nb")]
    assert ids[0] == "no-113" and ids[-2:] == ["no-112", "no-110"]
    more = [line.id for line in crisis_lines.lines_for("NO", "nb")[1:]]  # "More helplines" on the crisis view
    assert more[0] == "no-116117" and more.index("no-112") > more.index("no-116111")


def test_finlands_english_line_is_0116_on_fridays_from_mielis_own_page():
    english = next(line for line in crisis_lines.lines_for("FI", "en") if line.id == "fi-mieli-en")
    assert (english.number, english.tel) == ("09 2525 0116", "+358925250116")
    assert "Fridays 9–13" in english.hours and english.source == "https://mieli.fi/helpline"
    assert not any("25250113" in _digits(e["number"] + e.get("tel", "")) for _, e in all_lines())
    fi = [line.id for line in crisis_lines.lines_for("FI", "en")]
    assert fi.index("fi-mieli") < fi.index("fi-mieli-en")  # the 24-hour line before the Friday one


def test_the_uk_has_nhs_111s_mental_health_option_day_and_night():
    nhs = next(line for line in crisis_lines.lines_for("GB", "en") if line.id == "gb-nhs-111")
    assert nhs.tel_href == "tel:111" and "mental health option" in nhs.label and nhs.hours == "Open day and night"


def test_kirkens_sos_says_gently_that_calls_are_limited_and_cites_its_own_page():
    sos = {lang: next(line for line in crisis_lines.lines_for("NO", lang) if line.id == "no-kirkens-sos")
           for lang in ("en", "nb", "sv")}
    assert sos["nb"].source == "https://kirkens-sos.no/telefon"
    assert "grense" in sos["nb"].note and "gräns" in sos["sv"].note and "limits" in sos["en"].note
    assert "beskjed før" in sos["nb"].note  # warned before, never cut off unannounced


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
