"""Things other packages hang on the plan's sections (photos, recordings, messages), drawn by the
plan's pages without safety_plans importing those packages.

A package registers a `SectionExtra`: what it draws in a section on a given page ("view", "edit",
"now", "print"), which sections hold something for this person (the walk-through keeps their step
even with no text items), a stamp that changes with its content (a SQL expression of the plan's id,
part of a saved page's version, so a device's offline copy follows it) and, optionally, what it
adds to a section of the PDF.
Templates call `section_extra(plan, key, place)`; the PDF asks `pdf_entries(db, viewer, plan, key)`.

A PDF entry is `("text", line)` (a bullet line) or `("image", jpeg_bytes, caption)` (a picture
with its caption under it); the package has already applied who may see what.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from markupsafe import Markup

PdfEntry = tuple[str, str] | tuple[str, bytes, str]  # ("text", line) or ("image", jpeg bytes, caption)


@dataclass(frozen=True)
class SectionExtra:
    """One package's additions to the plan's sections."""

    render: Callable[..., Markup]  # (plan, section key, place) -> HTML
    sections: Callable[..., set]  # (db, viewer, plan) -> section keys
    stamp: Callable[..., Any]  # (plan id, a bound parameter) -> SQL expression that changes with what it draws
    pdf_lines: Callable[..., list[PdfEntry]] | None = None  # (db, viewer, plan, section key) -> entries


def register_section_extra(app: Flask, extra: SectionExtra) -> None:
    """Add a package's additions."""
    app.extensions.setdefault("trygg.section_extras", []).append(extra)


def _extras() -> list[SectionExtra]:
    return current_app.extensions.get("trygg.section_extras", [])


def render(plan, key: str, place: str) -> Markup:
    """Everything registered for this section on this page."""
    return Markup("").join(extra.render(plan, key, place) for extra in _extras())


def sections_with_extras(db, viewer, plan) -> set[str]:
    """Sections that hold something for this viewer besides their text items."""
    found: set[str] = set()
    for extra in _extras():
        found |= extra.sections(db, viewer, plan)
    return found


def pdf_entries(db, viewer, plan, key: str) -> list[PdfEntry]:
    """What the packages add to this section of the PDF, for this viewer."""
    found: list[PdfEntry] = []
    for extra in _extras():
        if extra.pdf_lines is not None:
            found.extend(extra.pdf_lines(db, viewer, plan, key))
    return found


def stamp_columns(plan_id) -> list:
    """Part of the version of every page that draws the plan: one SQL expression per package,
    asked in the same statement as the plan's other parts."""
    return [extra.stamp(plan_id) for extra in _extras()]


def init_app(app: Flask) -> None:
    """Let the plan's templates draw what others registered."""
    app.jinja_env.globals["section_extra"] = render
