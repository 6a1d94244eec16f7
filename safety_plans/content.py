"""The plan's sections in crisis order, each with a kind hint and a few ideas to pick from.

Written in our own words; every string goes through the catalogs so nb, sv and en read naturally.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp


@dataclass(frozen=True)
class Section:
    """One part of the plan: its key (the API's `section`), title, hint and suggestions."""

    key: str
    title: object
    hint: object
    suggestions: tuple = field(default_factory=tuple)
    people: bool = False  # items carry a phone number, "has agreed" and a text message
    group: str = ""  # "hope": one of the four prompts of "My hope", shown together under one heading
    therapist_only: bool = False  # only a linked therapist writes here; the client reads it as their words


SECTIONS: tuple[Section, ...] = (
    Section(
        "warning_signs",
        _l("My warning signs"),
        _l("Thoughts, feelings or situations that tell you a hard time may be coming."),
        (
            _l("I stop answering messages"),
            _l("I sleep badly for several nights"),
            _l("I start to feel that nothing matters"),
            _l("I drink more than I meant to"),
            _l("I feel numb or far away"),
        ),
    ),
    Section(
        "inner_coping",
        _l("Things I can do on my own"),
        _l("Small, safe things that help you through the next few minutes, without anyone else."),
        (
            _l("Go for a short walk"),
            _l("Hold something cold or warm in my hands"),
            _l("Listen to a song I like"),
            _l("Take a warm shower"),
            _l("Write down what I feel"),
            _l("Breathe out slowly, a little longer than I breathe in"),
        ),
    ),
    Section(
        "distraction",
        _l("People and places that take my mind off things"),
        _l("Where you can be among others for a while, and people you like to be with."),
        (
            _l("The library"),
            _l("A café where I feel at ease"),
            _l("A friend I can go for a walk with"),
            _l("The gym or a swimming pool"),
        ),
        people=True,
    ),
    Section(
        "support",
        _l("People I can ask for help"),
        _l("People you trust and can call or text when things get hard. "
           "Ask them first if they are happy to be on your plan."),
        (
            _l("A family member"),
            _l("A close friend"),
            _l("A neighbour"),
        ),
        people=True,
    ),
    Section(
        "professionals",
        _l("Professionals and services"),
        _l("Your therapist, doctor or clinic, and when they can be reached. "
           "The crisis lines are always at the top of your plan."),
        (
            _l("My therapist"),
            _l("My GP"),
            _l("The out-of-hours doctor"),
        ),
        people=True,
    ),
    Section(
        "safe_environment",
        _l("Making my surroundings safer"),
        _l("What you can do to make things around you safer when you feel worse, including alcohol and drugs."),
        (
            _l("Ask someone to keep my medicines for me"),
            _l("Keep no alcohol at home for now"),
            _l("Stay away from places where I usually use"),
            _l("Give away things I could hurt myself with"),
        ),
    ),
    Section(
        "reasons",
        _l("What matters to me"),
        _l("Reasons to keep going, people and things you care about, and what you hope for."),
        (
            _l("My children"),
            _l("My pet"),
            _l("A trip I want to take"),
            _l("Seeing the seasons change"),
        ),
    ),
    Section(
        "grounding",
        _l("My grounding exercises"),
        _l("Ways to come back to the here and now when feelings get too strong. Eyes open, and notice where you are."),
        (
            _l("Name five things I can see"),
            _l("Press my heels into the floor"),
            _l("Say where I am and today's date"),
            _l("Run cool water over my hands"),
        ),
    ),
)

# "My hope" (issue 12): four prompts written together, each a section of its own so they are
# co-edited, synced, kept offline and in the history exactly like the rest of the plan. They come
# after the eight parts of the safety plan proper (see DESIGN-NOTES.md, "My hope").
HOPE_SECTIONS: tuple[Section, ...] = (
    Section(
        "hope_for",
        _l("What I hope for"),
        _l("Big or small: something you would like in your life, for yourself or for others."),
        group="hope",
    ),
    Section(
        "hope_different",
        _l("What would be different if things got better"),
        _l("Picture an ordinary day when things are a little better. What do you notice?"),
        group="hope",
    ),
    Section(
        "hope_obstacles",
        _l("What stands in the way of hope"),
        _l("Thoughts, worries or things around you that make hope hard. Naming them is a start."),
        group="hope",
    ),
    Section(
        "hope_belief",
        _l("What my therapist believes I can manage"),
        _l("Your therapist’s own words to you."),
        group="hope",
        therapist_only=True,
    ),
)
CORE_SECTIONS = SECTIONS  # the eight parts of the safety plan (a plan's completeness counts these)
CORE_SECTION_KEYS = tuple(s.key for s in CORE_SECTIONS)
SECTIONS = CORE_SECTIONS + HOPE_SECTIONS
HOPE_KEYS = tuple(s.key for s in HOPE_SECTIONS)
THERAPIST_ONLY = frozenset(s.key for s in SECTIONS if s.therapist_only)

SECTION_KEYS = tuple(s.key for s in SECTIONS)
BY_KEY = {s.key: s for s in SECTIONS}

COMMITMENT_STATUSES = {
    "open": _lp("commitment status", "Open"),
    "kept": _lp("commitment status", "Kept"),
    "partly": _lp("commitment status", "Partly kept"),
    "not_kept": _lp("commitment status", "Not kept"),
}
