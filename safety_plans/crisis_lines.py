"""Crisis and emergency numbers by country, from `data/crisis_lines.json`.

Every number carries its source (the exact page that states it) and the date someone read that page;
`problems` names the entries that lack either or were read too long ago. Every listing shows a line's
hours with it (`line_text` here, the `crisis_line` macro in pwa/templates/_crisis_line.html): few
lines are open day and night. Lines are shown only for the plan's country: numbers that begin with
116 work only inside the country they belong to.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

DATA_FILE = Path(__file__).resolve().parent / "data" / "crisis_lines.json"


@dataclass(frozen=True)
class CrisisLine:
    """One number, labelled in the reader's language."""

    id: str
    kind: str  # emergency | health | crisis | youth
    number: str
    tel: str
    sms: str
    sms_body: str
    label: str
    hours: str
    note: str
    source: str
    checked_on: str
    chat: str = ""  # a chat service's page, shown as "Chat" next to Call and Text

    @property
    def tel_href(self) -> str:
        """A tel: link, or "" for text-only services."""
        return f"tel:{self.tel}" if self.tel else ""

    @property
    def sms_href(self) -> str:
        """An sms: link with the keyword to send, or "" when the line takes no texts."""
        if not self.sms:
            return ""
        return f"sms:{self.sms}" + (f"?body={quote(self.sms_body)}" if self.sms_body else "")


@lru_cache(maxsize=1)
def load() -> dict:
    """The data file, read once."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def countries() -> list[str]:
    """Country codes we have numbers for."""
    return list(load()["countries"])


def country_name(country: str, locale: str) -> str:
    """A country's name in the reader's language."""
    names = load()["countries"].get(country, {}).get("name", {})
    return names.get(locale) or names.get("en") or country


def _pick(texts: dict | None, locale: str) -> str:
    if not texts:
        return ""
    return texts.get(locale) or texts.get("en", "")


def _in_listing_order(raw: list[dict]) -> list[dict]:
    """The first emergency number, then the helplines, then any other emergency numbers. Police and
    fire (Norway's 112 and 110) are not lines for a person in crisis: under "More helplines" they
    would come first and push the helplines down."""
    emergency = [e for e in raw if e["kind"] == "emergency"]
    return emergency[:1] + [e for e in raw if e["kind"] != "emergency"] + emergency[1:]


def lines_for(country: str, locale: str) -> list[CrisisLine]:
    """The numbers for one country, labelled in `locale`: the emergency number first, police and
    fire last (`_in_listing_order`)."""
    raw = _in_listing_order(load()["countries"].get(country, {}).get("lines", []))
    return [
        CrisisLine(
            id=e["id"], kind=e["kind"], number=e["number"], tel=e.get("tel", ""),
            sms=e.get("sms", ""), sms_body=e.get("sms_body", ""), label=_pick(e["label"], locale),
            hours=_pick(e.get("hours"), locale), note=_pick(e.get("note"), locale),
            source=e["source"], checked_on=e["checked_on"], chat=e.get("chat", ""),
        )
        for e in raw
    ]


def line_text(line: CrisisLine) -> str:
    """One line in plain words with its hours, as paper shows it: "Kirkens SOS: 22 40 00 40 (Åpen
    hele døgnet)". The HTML listings use the `crisis_line` macro, which says the same."""
    return f"{line.label}: {line.number} ({line.hours})" if line.hours else f"{line.label}: {line.number}"


def emergency_number(country: str) -> str:
    """The first emergency number of a country (113 in Norway, 112 in Sweden, ...)."""
    for line in lines_for(country, "en"):
        if line.kind == "emergency":
            return line.number
    return ""


def emergency_line(country: str, locale: str) -> CrisisLine | None:
    """The first emergency line of a country, labelled in `locale`."""
    return next((line for line in lines_for(country, locale) if line.kind == "emergency"), None)


def helplines(country: str, locale: str) -> list[CrisisLine]:
    """Every line except the emergency numbers (what folds under "More helplines")."""
    return [line for line in lines_for(country, locale) if line.kind != "emergency"]


def known(country: str | None) -> bool:
    """True if we have numbers for this country code."""
    return bool(country) and country in load()["countries"]


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from `earlier` to `later` (a day short of a month counts as less)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


def stale_entries(today: date, max_months: int = 12) -> list[dict]:
    """Entries whose `checked_on` is older than `max_months` months on `today`, oldest first."""
    stale = []
    for country, data in load()["countries"].items():
        for entry in data["lines"]:
            if not entry.get("checked_on"):
                continue  # `problems` names it: no date is not a date long ago
            checked = date.fromisoformat(entry["checked_on"])
            if months_between(checked, today) >= max_months:
                stale.append({"country": country, **entry})
    return sorted(stale, key=lambda e: e["checked_on"])


def problems(today: date, max_months: int = 12) -> list[str]:
    """What makes an entry untrustworthy, one sentence per entry: no source page, no date it was
    checked (or not a date), or a check `max_months` months old or more on `today`."""
    found = []
    for country, data in load()["countries"].items():
        for entry in data["lines"]:
            where = f"{country} {entry.get('id', '?')} ({entry.get('number', '?')})"
            if not str(entry.get("source", "")).startswith("https://"):
                found.append(f"{where}: no source page")
            try:
                checked = date.fromisoformat(entry.get("checked_on") or "")
            except ValueError:
                found.append(f"{where}: no date it was checked")
                continue
            if months_between(checked, today) >= max_months:
                found.append(f"{where}: checked {checked.isoformat()}, {max_months} months ago or more")
    return found


def root_sources() -> list[dict]:
    """Entries whose source is only a site's front page, not the exact page with the number."""
    roots = []
    for country, data in load()["countries"].items():
        for entry in data["lines"]:
            path = urlsplit(entry["source"]).path.strip("/")
            if path == "" or (len(path) <= 3 and path.isalpha()):  # "", or only a language: "/en/", "/sv"
                roots.append({"country": country, **entry})
    return roots
