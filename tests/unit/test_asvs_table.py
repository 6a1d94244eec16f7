"""docs/asvs-l2.md (issue 26: OWASP ASVS 5.0 level 2, requirement → test) cannot drift from the
tests it names: every row has a valid status, every test it names exists (pytest collects them,
once), every "n/a" and "open" says why, each chapter lists exactly ASVS 5.0.0's level 1 and 2
requirements, and the summary counts what the rows say."""
from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "docs" / "asvs-l2.md"
STATUSES = ("tested", "n/a", "open")
OPEN_KINDS = ("doc", "untested", "partly", "missing")

# ASVS 5.0.0 (github.com/OWASP/ASVS, tag v5.0.0_release, 5.0/en/): the chapters issue 26 names,
# their level 1 and 2 requirements (the table's rows) and their level 3 ones (left out).
LEVEL_1_2 = {
    "V3": ("3.2.1 3.2.2 3.3.1 3.3.2 3.3.3 3.3.4 3.4.1 3.4.2 3.4.3 3.4.4 3.4.5 3.4.6 3.5.1 3.5.2 3.5.3 3.5.4 "
           "3.5.5 3.7.1 3.7.2"),
    "V5": "5.1.1 5.2.1 5.2.2 5.2.3 5.3.1 5.3.2 5.4.1 5.4.2 5.4.3",
    "V6": ("6.1.1 6.1.2 6.1.3 6.2.1 6.2.2 6.2.3 6.2.4 6.2.5 6.2.6 6.2.7 6.2.8 6.2.9 6.2.10 6.2.11 6.2.12 6.3.1 "
           "6.3.2 6.3.3 6.3.4 6.4.1 6.4.2 6.4.3 6.4.4 6.5.1 6.5.2 6.5.3 6.5.4 6.5.5 6.6.1 6.6.2 6.6.3 6.8.1 6.8.2 "
           "6.8.3 6.8.4"),
    "V7": "7.1.1 7.1.2 7.1.3 7.2.1 7.2.2 7.2.3 7.2.4 7.3.1 7.3.2 7.4.1 7.4.2 7.4.3 7.4.4 7.4.5 7.5.1 7.5.2 7.6.1 7.6.2",
    "V8": "8.1.1 8.1.2 8.2.1 8.2.2 8.2.3 8.3.1 8.4.1",
    "V9": "9.1.1 9.1.2 9.1.3 9.2.1 9.2.2 9.2.3 9.2.4",
    "V13": "13.1.1 13.2.1 13.2.2 13.2.3 13.2.4 13.2.5 13.3.1 13.3.2 13.4.1 13.4.2 13.4.3 13.4.4 13.4.5",
    "V16": ("16.1.1 16.2.1 16.2.2 16.2.3 16.2.4 16.2.5 16.3.1 16.3.2 16.3.3 16.3.4 16.4.1 16.4.2 16.4.3 16.5.1 "
            "16.5.2 16.5.3"),
}
LEVEL_3 = {
    "V3": "3.1.1 3.2.3 3.3.5 3.4.7 3.4.8 3.5.6 3.5.7 3.5.8 3.6.1 3.7.3 3.7.4 3.7.5",
    "V5": "5.2.4 5.2.5 5.2.6 5.3.3",
    "V6": "6.3.5 6.3.6 6.3.7 6.3.8 6.4.5 6.4.6 6.5.6 6.5.7 6.5.8 6.6.4 6.7.1 6.7.2",
    "V7": "7.5.3",
    "V8": "8.1.3 8.1.4 8.2.4 8.3.2 8.3.3 8.4.2",
    "V9": "",
    "V13": "13.1.2 13.1.3 13.1.4 13.2.6 13.3.3 13.3.4 13.4.6 13.4.7",
    "V16": "16.5.4",
}
CHAPTERS = {name: [f"V{number}" for number in ids.split()] for name, ids in LEVEL_1_2.items()}
LEFT_OUT = {name: [f"V{number}" for number in ids.split()] for name, ids in LEVEL_3.items()}

_ROW = re.compile(r"^\| (V\d+\.\d+\.\d+) \|")
_SECTION = re.compile(r"^## (.+)$")
# A test as the table names it, in backticks: `tests/…/test_x.py` or `tests/…/test_x.py::test_y[…]`.
_REFERENCE = re.compile(r"`(tests/(?:unit|integration|e2e)/test_[^`\s:/]+\.py)(?:::([^`]+))?`")
_LEFT_OUT = re.compile(r"^Level 3 only, left out \((\d+)\): ((?:V\d+\.\d+\.\d+(?:, )?)+)\.")


@dataclass(frozen=True)
class Row:
    """One requirement's line of a table."""

    section: str
    line: int
    id: str
    requirement: str
    status: str
    reason: str

    @property
    def chapter(self) -> str:
        return self.id.split(".")[0]

    @property
    def where(self) -> str:
        return f"{self.id} (line {self.line})"


def _lines() -> list[str]:
    return TABLE.read_text(encoding="utf-8").splitlines()


def _rows() -> list[Row]:
    """Every requirement row, with the section (## heading) it is in."""
    rows, section = [], ""
    for number, line in enumerate(_lines(), start=1):
        heading = _SECTION.match(line)
        if heading:
            section = heading.group(1)
        if not _ROW.match(line):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        assert len(cells) == 4, f"line {number} has {len(cells)} cells, not 4 (a '|' in the text?): {line}"
        rows.append(Row(section, number, *cells))
    return rows


def _section_of(chapter: str) -> str:
    """The section heading of a chapter: `## V6 Authentication` for "V6"."""
    return next((r.section for r in _rows() if r.section.split(" ")[0] == chapter), "")


def _references(text: str) -> list[tuple[str, str]]:
    """(file, test) for every test named in the text; test is "" where only the file is named."""
    return [(path, node) for path, node in _REFERENCE.findall(text)]


def _prose(reason: str) -> str:
    """The reason without the tests it names and the (new) marks: what it says in words."""
    return _REFERENCE.sub("", reason).replace("(new)", "")


def test_the_table_exists_and_names_its_source():
    text = TABLE.read_text(encoding="utf-8")
    assert "ASVS **5.0.0**" in text and "v5.0.0_release" in text
    assert len(_rows()) >= sum(len(ids) for ids in CHAPTERS.values())


def test_every_row_has_a_valid_status():
    wrong = [f"{row.where}: {row.status!r}" for row in _rows() if row.status not in STATUSES]
    assert wrong == [], f"status must be one of {STATUSES}: {wrong}"


def test_every_n_a_and_open_row_says_why_and_every_tested_row_names_a_test():
    problems = []
    for row in _rows():
        words = _prose(row.reason).split()
        if row.status in ("n/a", "open") and len(words) < 5:
            problems.append(f"{row.where}: an {row.status!r} row needs a reason in words, not {row.reason!r}")
        if row.status == "open" and not any(row.reason.startswith(f"{kind}:") for kind in OPEN_KINDS):
            problems.append(f"{row.where}: an open reason starts with one of {OPEN_KINDS} and a colon")
        if row.status == "tested" and not _references(row.reason):
            problems.append(f"{row.where}: a tested row names its tests (`tests/…py::test_…`)")
        if not row.requirement:
            problems.append(f"{row.where}: say what the requirement asks")
    assert problems == [], "\n".join(problems)


def _collected(paths: list[str]) -> tuple[set[str], str]:
    """The node ids pytest collects from these files (one run for all), and, if it failed, the end
    of what it said."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "--continue-on-collection-errors", *paths],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    nodes = {line.strip() for line in result.stdout.splitlines() if "::" in line and line.startswith("tests/")}
    said = "" if result.returncode == 0 else (result.stdout[-3000:] + result.stderr[-2000:])
    return nodes, said


def test_every_test_the_table_names_exists():
    """Strict, so the table cannot rot: a renamed or deleted test fails here, and a row that names
    only a file (a test still to come, marked (new)) fails until the test's own name is given.
    Tests named in the text around the tables must exist too."""
    in_rows = {(path, node) for row in _rows() for path, node in _references(row.reason)}
    references = set(_references(TABLE.read_text(encoding="utf-8"))) | in_rows
    assert in_rows, "the table names no test"
    missing_files = sorted({path for path, _ in references if not (ROOT / path).is_file()})
    present = sorted({path for path, _ in references if (ROOT / path).is_file()})
    nodes, said = _collected(present) if present else (set(), "")
    by_base = {node.split("[", 1)[0] for node in nodes}
    problems = [f"{path}: no such file (a test still to come?)" for path in missing_files]
    for path in present:
        if not any(node.startswith(f"{path}::") for node in nodes):
            problems.append(f"{path}: pytest collected no test from it")
    for path, node in sorted(references):
        if path in missing_files:
            continue
        if not node:
            if (path, node) in in_rows:
                problems.append(f"{path}: name the test (`{path}::test_…`), not only its file")
            continue
        wanted = f"{path}::{node}"
        if wanted not in (nodes if "[" in node else by_base):
            problems.append(f"{wanted}: pytest collects no such test")
    assert problems == [], "\n".join(problems) + (f"\n\npytest --collect-only failed:\n{said}" if said else "")


def test_each_chapter_lists_exactly_its_level_1_and_2_requirements():
    rows = _rows()
    problems = []
    for chapter, expected in CHAPTERS.items():
        section = _section_of(chapter)
        if not section:
            problems.append(f"{chapter}: no section `## {chapter} …` with rows")
            continue
        listed = [row.id for row in rows if row.section == section]
        duplicates = sorted(i for i, n in Counter(listed).items() if n > 1)
        missing, extra = sorted(set(expected) - set(listed)), sorted(set(listed) - set(expected))
        if duplicates or missing or extra:
            problems.append(f"{section}: duplicates {duplicates}, missing {missing}, not level 1-2 of it {extra}")
    others = [row.where for row in rows
              if row.section not in {_section_of(c) for c in CHAPTERS} and row.chapter in CHAPTERS]
    if others:
        problems.append(f"rows of these chapters outside their section: {others}")
    assert problems == [], "\n".join(problems)


def _paragraph_after(heading: str) -> str:
    """The first paragraph under a section heading, joined into one line."""
    lines = _lines()
    start = lines.index(f"## {heading}") + 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return " ".join(lines[start:end])


def test_each_chapter_says_which_level_3_requirements_it_leaves_out():
    problems = []
    for chapter, left_out in LEFT_OUT.items():
        text = _paragraph_after(_section_of(chapter))
        if not left_out:
            if not text.startswith("No level 3 requirements"):
                problems.append(f"{chapter}: say 'No level 3 requirements.' under its heading")
            continue
        match = _LEFT_OUT.match(text)
        listed = re.findall(r"V\d+\.\d+\.\d+", match.group(2)) if match else []
        if not match or int(match.group(1)) != len(left_out) or listed != left_out:
            problems.append(f"{chapter}: begin with 'Level 3 only, left out ({len(left_out)}): {', '.join(left_out)}.'")
    assert problems == [], "\n".join(problems)


def _summary() -> dict[str, list[str]]:
    """The summary table's cells by chapter ("V6", …, and "all")."""
    cells: dict[str, list[str]] = {}
    for line in _lines():
        match = re.match(r"^\| (?:\*\*)?(V\d+|all)\b", line)
        if match and not _ROW.match(line):
            cells[match.group(1)] = [cell.strip().strip("*") for cell in line.strip().strip("|").split(" | ")][1:]
    return cells


def _counts(rows: list[Row]) -> list[int]:
    """rows, tested, n/a, open, open by kind (doc, untested, partly, missing)."""
    statuses = Counter(row.status for row in rows)
    kinds = Counter(row.reason.split(":", 1)[0] for row in rows if row.status == "open")
    return [len(rows), *(statuses[s] for s in STATUSES), *(kinds[k] for k in OPEN_KINDS)]


@pytest.mark.parametrize("chapter", [*CHAPTERS, "all"])
def test_the_summary_counts_what_the_rows_say(chapter):
    rows = _rows()
    chosen = [r for r in rows if r.chapter in CHAPTERS] if chapter == "all" else [
        r for r in rows if r.section == _section_of(chapter)]
    left_out = sum(map(len, LEFT_OUT.values())) if chapter == "all" else len(LEFT_OUT[chapter])
    summary = _summary()
    assert chapter in summary, f"the summary has no line for {chapter}"
    rows_, tested, na, open_, kinds, left = summary[chapter]
    said = [int(rows_), int(tested), int(na), int(open_), *(int(k) for k in kinds.split(" / "))]
    assert said == _counts(chosen), f"{chapter}: summary says {said}, the rows say {_counts(chosen)}"
    assert int(left) == left_out
