"""The exercise catalog: one JSON file per exercise in `grounding/data/`, with a text block for
each of nb, sv and en.

Keeping every language of an exercise in one file makes "the same exercises in all three
languages" true by construction; `load_catalog` checks the rest (fields, kinds, no empty step,
pacer timings, cautions where they are required) and raises `CatalogError` naming the file.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LOCALES = ("nb", "sv", "en")
# Seeking Safety's three kinds, plus the senses exercise and the breathing pacers.
KINDS = ("mental", "physical", "soothing", "senses", "breathing")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PACER_PARTS = ("in", "hold_in", "out", "hold_out")


class CatalogError(ValueError):
    """An exercise file is missing something or says something impossible."""


@dataclass(frozen=True)
class Exercise:
    """One catalog exercise, with its text in every language."""

    slug: str
    kind: str
    minutes: int
    text: dict  # locale -> {"title", "purpose", "steps": [...], "cautions": [...]}
    pacer: dict | None = None
    alternative: str | None = None
    optional: bool = False
    default: bool = False

    def localized(self, locale: str) -> dict:
        """Title, purpose, steps and cautions in one language (English for an unknown code)."""
        block = self.text.get(locale) or self.text["en"]
        return {"slug": self.slug, "kind": self.kind, "minutes": self.minutes, "pacer": self.pacer,
                "alternative": self.alternative, "optional": self.optional, "default": self.default,
                **block}


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise CatalogError(f"{where}: {message}")


def _nonempty_text(value, where: str, name: str) -> None:
    _require(isinstance(value, str) and value.strip() != "", where, f"{name} must be non-empty text")


def _check_text(block, where: str, needs_cautions: bool) -> dict:
    _require(isinstance(block, dict), where, "text block must be an object")
    unknown = set(block) - {"title", "purpose", "steps", "cautions"}
    _require(not unknown, where, f"unknown fields {sorted(unknown)}")
    _nonempty_text(block.get("title"), where, "title")
    _nonempty_text(block.get("purpose"), where, "purpose")
    steps = block.get("steps")
    _require(isinstance(steps, list) and len(steps) >= 2, where, "needs at least two steps")
    for number, step in enumerate(steps, 1):
        _nonempty_text(step, where, f"step {number}")
    cautions = block.get("cautions", [])
    _require(isinstance(cautions, list), where, "cautions must be a list")
    for number, caution in enumerate(cautions, 1):
        _nonempty_text(caution, where, f"caution {number}")
    _require(bool(cautions) or not needs_cautions, where, "this exercise must carry cautions")
    return {"title": block["title"].strip(), "purpose": block["purpose"].strip(),
            "steps": [s.strip() for s in steps], "cautions": [c.strip() for c in cautions]}


def _check_pacer(pacer, where: str) -> dict:
    _require(isinstance(pacer, dict), where, "breathing exercises need a pacer")
    for part in PACER_PARTS:
        value = pacer.get(part)
        _require(isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10,
                 where, f"pacer.{part} must be a whole number of seconds 0-10")
    _require(pacer["in"] > 0 and pacer["out"] > 0, where, "pacer needs an in- and an out-breath")
    _require(isinstance(pacer.get("step"), int), where, "pacer.step must name a step")
    cycles = pacer.get("max_cycles")
    _require(cycles is None or (isinstance(cycles, int) and cycles > 0), where, "pacer.max_cycles")
    return dict(pacer)


def parse_exercise(raw: dict, where: str) -> Exercise:
    """Validate one exercise's data and build the Exercise."""
    _require(isinstance(raw, dict), where, "must be a JSON object")
    known = {"slug", "kind", "minutes", "text", "pacer", "alternative", "optional", "default"}
    unknown = set(raw) - known
    _require(not unknown, where, f"unknown fields {sorted(unknown)}")
    slug = raw.get("slug")
    if not (isinstance(slug, str) and SLUG.match(slug)):
        raise CatalogError(f"{where}: slug must be lower-case-with-dashes")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise CatalogError(f"{where}: kind must be one of {KINDS}")
    minutes = raw.get("minutes")
    if not (isinstance(minutes, int) and not isinstance(minutes, bool) and 1 <= minutes <= 30):
        raise CatalogError(f"{where}: minutes must be 1-30")
    optional, default = bool(raw.get("optional", False)), bool(raw.get("default", False))
    pacer = _check_pacer(raw.get("pacer"), where) if kind == "breathing" else None
    _require(kind == "breathing" or raw.get("pacer") is None, where, "only breathing exercises have a pacer")
    holds = bool(pacer and (pacer["hold_in"] or pacer["hold_out"]))
    # Breath holds can feel trapping after trauma: such pacers are opt-in and say why.
    _require(not holds or optional, where, "a pacer with breath holds must be marked optional")
    _require(kind != "breathing" or isinstance(raw.get("alternative"), str), where,
             "breathing exercises must offer a non-breathing alternative")
    text = raw.get("text")
    if not isinstance(text, dict):
        raise CatalogError(f"{where}: text must hold a block per language")
    _require(set(text) == set(LOCALES), where, f"text must have exactly {LOCALES}, has {sorted(text)}")
    blocks = {loc: _check_text(text[loc], f"{where} [{loc}]", needs_cautions=holds or optional)
              for loc in LOCALES}
    counts = {loc: len(b["steps"]) for loc, b in blocks.items()}
    _require(len(set(counts.values())) == 1, where, f"every language needs the same number of steps {counts}")
    if pacer is not None:
        _require(0 <= pacer["step"] < counts["en"], where, "pacer.step is not one of the steps")
    return Exercise(slug=slug, kind=kind, minutes=minutes, text=blocks, pacer=pacer,
                    alternative=raw.get("alternative"), optional=optional, default=default)


@dataclass(frozen=True)
class Catalog:
    """Every exercise, in a stable order: by kind, the default pacer first, optional ones last."""

    exercises: tuple[Exercise, ...]

    def get(self, slug: str) -> Exercise | None:
        """The exercise with this slug, or None."""
        return next((e for e in self.exercises if e.slug == slug), None)


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Read and validate every exercise file; raise CatalogError on the first problem."""
    files = sorted(Path(data_dir).glob("*.json"))
    _require(bool(files), str(data_dir), "no exercise files")
    exercises = []
    for path in files:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CatalogError(f"{path.name}: not readable JSON ({exc})") from exc
        exercise = parse_exercise(raw, path.name)
        _require(path.stem == exercise.slug, path.name, "file name must be <slug>.json")
        exercises.append(exercise)
    by_slug = {e.slug for e in exercises}
    for exercise in exercises:
        alt = exercise.alternative
        if alt is not None:
            target = next((e for e in exercises if e.slug == alt), None)
            _require(target is not None and target.kind != "breathing", f"{exercise.slug}.json",
                     f"alternative {alt!r} must be a catalog exercise that is not about breathing")
    defaults = [e.slug for e in exercises if e.default]
    _require(len(defaults) == 1, str(data_dir), f"exactly one default pacer, found {defaults}")
    _require(len(by_slug) == len(exercises), str(data_dir), "duplicate slugs")
    ordered = sorted(exercises, key=lambda e: (KINDS.index(e.kind), e.optional, not e.default, e.slug))
    return Catalog(tuple(ordered))


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The shipped catalog, loaded once per process."""
    return load_catalog()
