"""The calm help block a client sees after a check-in answer of very low mood or "yes" to unsafe
behaviour or substance use: their own people to call, the crisis lines of their plan's country
(emergency first) and "I need help now" (clinical review S1).

It is self-help offered to the person who answered, the same for everyone who answers so, and
nothing else follows from it: no one is told, nothing is ranked, the therapist's screens do not
change (DESIGN: display, never conclude). The page's script applies the same rule to a check-in it
sends or keeps offline (sessions/static/session.js reads `MOOD_AT_MOST` from the page)."""
from __future__ import annotations

from flask import url_for
from flask_babel import get_locale

from safety_plans import crisis_lines
from safety_plans.models import Plan

# The check-in's mood is a 0-10 scale from "very bad" (0) to "very good" (10) (session.html). Its lowest
# two points, 0 and 1, are the answers of someone saying things are very bad right now: that is when
# the block is offered. Higher up the scale runs through ordinary bad days, and a block that came after
# every one of them would soon be read past (the clinical review suggested <= 2; the team chose the
# lowest two points). One place for the number: the page hands it to its script, so a check-in kept
# offline gets the same answer.
MOOD_AT_MOST = 1
PEOPLE = 3  # the first people with a phone: one tap each, and the block still fits a phone's first screen


def offers_help(mood: int | None, unsafe: bool | None) -> bool:
    """True when a check-in's answers are ones the help block follows: a very low mood, or "yes"."""
    return (mood is not None and mood <= MOOD_AT_MOST) or unsafe is True


def block(plan: Plan, items: dict) -> dict:
    """What the block shows, from the plan and its items by section: the owner's first people with a
    phone (people to ask for help first, then professionals, as on "I need help now"), the country's
    lines, the way to /now."""
    people = [item for key in ("support", "professionals") for item in items[key] if item.phone][:PEOPLE]
    locale = str(get_locale())
    lines = crisis_lines.lines_for(plan.country, locale)
    emergency = [line for line in lines if line.kind == "emergency"][:1]
    return {"people": people, "emergency": emergency, "others": [line for line in lines if line not in emergency],
            "country_name": crisis_lines.country_name(plan.country, locale), "now_url": url_for("crisis.now")}
