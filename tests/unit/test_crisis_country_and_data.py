"""The country is the person's, not the language's; the crisis-line data carries what a person
in crisis needs to trust it; the grounding texts say what they mean."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from backend.i18n import country_from_languages
from safety_plans import crisis_lines

KNOWN = ("NO", "SE", "DK", "FI", "GB", "US")


@pytest.mark.parametrize(
    "tags, locale, expected",
    [
        (["en-NO", "en"], "en", "NO"),  # English-speaking, living in Norway: 113, not 999
        (["en-SE"], "en", "SE"),
        (["sv-FI", "sv"], "sv", "FI"),  # Swedish-speaking Finn: Finland's lines
        (["nb-NO"], "nb", "NO"),
        (["nb"], "nb", "NO"),  # no region: the language's usual country
        (["sv"], "nb", "SE"),  # the browser's language, not the page's
        (["en-GB"], "en", "GB"),
        (["en-UK"], "en", "GB"),  # a common misspelling of the region
        (["en-US", "en"], "en", "US"),
        (["de-DE", "en-NO"], "en", "NO"),  # the first region we have numbers for
        (["de-DE"], "sv", "SE"),  # nothing we know: the UI language's default
        ([], "nb", "NO"),
        (["*"], "en", "GB"),
        (["en_NO"], "en", "NO"),  # underscores, as some systems write them
    ],
)
def test_country_comes_from_the_browsers_region_before_the_language(tags, locale, expected):
    assert country_from_languages(tags, KNOWN, locale) == expected


def test_an_unknown_default_falls_back_to_a_known_country():
    assert country_from_languages(["de-DE"], ("SE", "NO"), "en") == "NO"


def _line(country, line_id):
    return next(line for line in crisis_lines.lines_for(country, "en") if line.id == line_id)


def test_113_says_it_is_also_for_acute_suicide_risk():
    line = _line("NO", "no-113")
    assert "suicide" in line.note
    assert "selvmord" in crisis_lines.lines_for("NO", "nb")[0].note


def test_kors_pa_halsen_says_honestly_that_its_times_are_to_check():
    # Sources disagree on its days and times: a precise but wrong schedule is worse than an honest
    # "check the times" (clinical review 2026-12, §1.2) until Red Cross's own page is read.
    hours = {
        lang: next(line for line in crisis_lines.lines_for("NO", lang) if line.id == "no-kors-pa-halsen").hours
        for lang in ("en", "nb", "sv")
    }
    assert hours == {"en": "Afternoons and evenings; check the times", "nb": "Ettermiddag og kveld; sjekk tidene",
                     "sv": "Eftermiddag och kväll; kontrollera tiderna"}


def test_finland_has_swedish_and_english_mieli_lines_and_116_117():
    numbers = {line.id: line.number for line in crisis_lines.lines_for("FI", "en")}
    assert numbers["fi-mieli-sv"] == "09 2525 0112"
    assert numbers["fi-mieli-en"] == "09 2525 0116"
    assert numbers["fi-116117"] == "116 117"


def test_sweden_has_the_on_call_priest_through_112_at_night():
    priest = _line("SE", "se-jourhavande-prast")
    assert priest.tel_href == "tel:112" and "21" in priest.hours and "06" in priest.hours
    assert "ask for the on-call priest" in priest.note


def test_chat_routes_are_links_to_the_service():
    assert _line("NO", "no-116123").chat == "https://sidetmedord.no/"
    assert all(line.chat.startswith("https://") for c in KNOWN for line in crisis_lines.lines_for(c, "en") if line.chat)


def test_stale_entries_are_those_checked_twelve_months_ago_or_more():
    assert crisis_lines.stale_entries(date(2026, 11, 24)) == []
    later = crisis_lines.stale_entries(date(2027, 11, 22))
    assert "us-911" in {e["id"] for e in later}  # checked 2026-11-22: a year old on 2027-11-22
    assert "no-113" not in {e["id"] for e in later}  # re-checked 2026-11-24: not yet
    assert crisis_lines.months_between(date(2026, 11, 24), date(2027, 11, 23)) == 11


def test_root_sources_are_named_so_someone_can_find_the_exact_page():
    roots = {e["id"] for e in crisis_lines.root_sources()}
    assert "fi-mieli-sv" not in roots  # an exact page
    assert "us-911" in roots  # 911.gov/ is a front page
    assert "no-113" not in roots and "se-jourhavande-prast" not in roots


def test_crisis_lines_check_command_lists_stale_numbers(app):
    runner = app.test_cli_runner()
    fresh = runner.invoke(args=["crisis-lines", "check", "--today", "2026-12-01"])
    assert fresh.exit_code == 0, fresh.output
    assert "0 of" in fresh.output and "STALE" not in fresh.output
    stale = runner.invoke(args=["crisis-lines", "check", "--today", "2028-01-01"])
    assert stale.exit_code == 1
    assert "STALE NO no-113: 113 checked 2026-11-24" in stale.output


GROUNDING = Path(__file__).resolve().parents[2] / "grounding" / "data"


def test_nb_breathing_texts_say_the_count_stops_and_avoid_fangende():
    for path in GROUNDING.glob("*.json"):
        text = json.dumps(json.loads(path.read_text(encoding="utf-8"))["text"]["nb"], ensure_ascii=False)
        assert "fangende" not in text, path.name
        assert "Pusten stopper" not in text, path.name
    nb = json.loads((GROUNDING / "breathing-4-7-8.json").read_text(encoding="utf-8"))["text"]["nb"]
    assert any("Tellingen stopper av seg selv" in step for step in nb["steps"])
    assert any("følelse av å være fanget" in c for c in nb["cautions"])


def test_walkthrough_keeps_what_i_can_do_when_only_exercises_are_chosen():
    from safety_plans.crisis import walkthrough_steps

    lines = crisis_lines.lines_for("NO", "en")
    empty = {
        key: [] for key in ("inner_coping", "distraction", "support", "professionals", "safe_environment", "reasons")
    }
    assert [s.key for s in walkthrough_steps(empty, lines)] == ["helplines"]
    assert [s.key for s in walkthrough_steps(empty, lines, has_exercises=True)] == ["inner_coping", "helplines"]
    full = {**empty, "reasons": ["My cat"], "support": ["Mum"], "safe_environment": ["Pills away"]}
    assert [s.key for s in walkthrough_steps(full, lines)] == ["support", "helplines", "safe_environment", "reasons"]
