"""Every exercise file, in every language: complete, kind, in our three languages, and safe."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from grounding.catalog import DATA_DIR, KINDS, LOCALES, CatalogError, load_catalog, parse_exercise

FILES = sorted(DATA_DIR.glob("*.json"))


def raw(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_shipped_catalog_loads():
    catalog = load_catalog()
    assert len(catalog.exercises) == len(FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
@pytest.mark.parametrize("locale", LOCALES)
def test_every_exercise_is_complete_in_every_language(path, locale):
    data = raw(path)
    assert data["slug"] == path.stem and data["kind"] in KINDS and 1 <= data["minutes"] <= 30
    block = data["text"][locale]
    for field in ("title", "purpose"):
        assert isinstance(block[field], str) and block[field].strip(), field
    assert len(block["steps"]) >= 2
    assert all(isinstance(step, str) and step.strip() for step in block["steps"]), "empty step"
    assert all(caution.strip() for caution in block.get("cautions", []))


def test_the_same_exercises_exist_in_all_three_languages():
    for path in FILES:
        text = raw(path)["text"]
        assert set(text) == set(LOCALES), path.name
        assert len({len(text[loc]["steps"]) for loc in LOCALES}) == 1, path.name
        # Written per language, not copied across.
        titles = [text[loc]["title"] for loc in LOCALES]
        assert len({text["nb"]["purpose"], text["sv"]["purpose"], text["en"]["purpose"]}) == 3, path.name
        assert titles[2] != titles[0] or titles[2] != titles[1], path.name


def test_the_catalog_covers_the_three_kinds_senses_and_breathing():
    exercises = load_catalog().exercises
    seeking_safety = [e for e in exercises if e.kind in ("mental", "physical", "soothing")]
    assert len(seeking_safety) >= 12
    for kind in ("mental", "physical", "soothing"):
        assert sum(e.kind == kind for e in exercises) >= 3, kind
    assert any(e.kind == "senses" for e in exercises)
    pacers = [e for e in exercises if e.kind == "breathing"]
    assert len(pacers) >= 3


def test_breathing_defaults_are_gentle_and_holds_are_optional_with_cautions():
    catalog = load_catalog()
    default = [e for e in catalog.exercises if e.default]
    assert len(default) == 1
    gentle = default[0].pacer
    assert gentle["hold_in"] == gentle["hold_out"] == 0 and gentle["out"] > gentle["in"]
    resonance = catalog.get("resonance-breathing").pacer
    assert (resonance["in"], resonance["out"]) == (5, 5)
    for slug in ("box-breathing", "breathing-4-7-8"):
        exercise = catalog.get(slug)
        assert exercise.optional
        for locale in LOCALES:
            assert exercise.text[locale]["cautions"], (slug, locale)
    assert catalog.get("breathing-4-7-8").pacer["max_cycles"] <= 4
    for exercise in catalog.exercises:
        if exercise.kind == "breathing":
            alternative = catalog.get(exercise.alternative)
            assert alternative is not None and alternative.kind != "breathing"


def test_water_exercise_carries_the_cold_water_caution():
    water = load_catalog().get("water-on-hands")
    assert "beta-blockers" in " ".join(water.text["en"]["cautions"])
    assert "betablokkere" in " ".join(water.text["nb"]["cautions"])
    assert "betablockerare" in " ".join(water.text["sv"]["cautions"])


def _broken(change) -> dict:
    data = copy.deepcopy(raw(DATA_DIR / "five-senses.json"))
    change(data)
    return data


@pytest.mark.parametrize("change, message", [
    (lambda d: d["text"].pop("sv"), "exactly"),
    (lambda d: d["text"]["nb"]["steps"].append("  "), "step 6"),
    (lambda d: d["text"]["en"].update(title=""), "title"),
    (lambda d: d["text"]["en"]["steps"].pop(), "same number of steps"),
    (lambda d: d.update(kind="magic"), "kind"),
    (lambda d: d.update(minutes=0), "minutes"),
    (lambda d: d.update(colour="red"), "unknown fields"),
])
def test_bad_exercise_data_is_refused_with_a_clear_message(change, message):
    with pytest.raises(CatalogError, match=message):
        parse_exercise(_broken(change), "five-senses.json")


def test_a_pacer_with_holds_must_be_optional(tmp_path):
    data = copy.deepcopy(raw(DATA_DIR / "box-breathing.json"))
    data["optional"] = False
    with pytest.raises(CatalogError, match="optional"):
        parse_exercise(data, "box-breathing.json")


def test_a_bad_file_stops_loading_and_names_the_file(tmp_path):
    for path in FILES:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "kind-words.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match="kind-words.json"):
        load_catalog(tmp_path)
