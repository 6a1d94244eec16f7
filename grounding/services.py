"""Grounding rules: recording sessions, ranking what helps, the plan's exercises, personal
exercises, recommendations and sharing. Plain functions over a session; no Flask globals.

Contract used by safety_plans (the plan's "my grounding exercises" section):

    exercises_for_client(db, client_id, locale) -> list[dict]

each dict: slug, title, url, kind, source ("chosen" | "recommended" | "custom"), avg_drop (float or
None), ranked with the exercises that help this client most first.
"""
from __future__ import annotations

import uuid as uuid_module
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.accounts.care import is_linked
from backend.db import utcnow
from backend.errors import ServiceError
from backend.guard import MAX_ID
from grounding.catalog import catalog
from grounding.models import ChosenExercise, CustomExercise, GroundingSession, GroundingSharing, Recommendation

MAX_DURATION = 24 * 3600
# No session can predate Trygg; older times are typos or hostile.
EARLIEST_SESSION = datetime(2020, 1, 1, tzinfo=UTC)
MAX_TITLE = 120
MAX_STEPS = 30
MAX_STEP_CHARS = 500


def _refuse(code: str, message: str, field: str | None = None, status: int = 400) -> ServiceError:
    """Input a rule refuses, with a message in the person's language (shown beside the field)."""
    return ServiceError(code, message, status, field)


# ---------------------------------------------------------------- exercises by slug

def custom_id(slug: str) -> int | None:
    """The id in a personal exercise's slug (`custom-<id>`), else None."""
    prefix, _, number = slug.partition("-")
    if prefix != "custom" or not (number.isascii() and number.isdigit()) or len(number) > 10:
        return None
    value = int(number)
    return value if value <= MAX_ID else None


def custom_exercise(db: Session, exercise_id: int) -> CustomExercise | None:
    """A personal exercise by id."""
    return db.get(CustomExercise, exercise_id)


def exercise_title(db: Session, slug: str, locale: str) -> str:
    """The title to show for a session's exercise, catalog or personal."""
    found = catalog().get(slug)
    if found:
        return found.localized(locale)["title"]
    number = custom_id(slug)
    custom = db.get(CustomExercise, number) if number is not None else None
    if custom is not None:
        return custom.title
    with force_locale(locale):
        return gettext("A removed exercise") if number is not None else slug


def _known_for(db: Session, user_id: int, slug: str) -> bool:
    """A slug this user may log a session for: a catalog exercise or one of their own."""
    if catalog().get(slug):
        return True
    number = custom_id(slug)
    custom = db.get(CustomExercise, number) if number is not None else None
    return custom is not None and custom.client_id == user_id


# ---------------------------------------------------------------- sessions

def _rating(payload: dict, name: str) -> int | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise _refuse("bad_rating", gettext("How you feel is a whole number from 0 to 10."), name)
    return value


def _started_at(value) -> datetime:
    if value is None:
        return utcnow()
    if not isinstance(value, str):
        raise _refuse("bad_time", gettext("The time the exercise started could not be read."), "started_at")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _refuse("bad_time", gettext("The time the exercise started could not be read."), "started_at") from None
    if parsed.tzinfo is None:
        raise _refuse("bad_time", gettext("The time the exercise started needs a time zone."), "started_at")
    try:
        parsed = parsed.astimezone(UTC)  # overflows near year 1 and 9999
    except OverflowError:
        raise _refuse("bad_time", gettext("The time the exercise started is not a real date."), "started_at") from None
    if parsed > utcnow() + timedelta(minutes=10):
        message = gettext("The time the exercise started is in the future. Check the clock on your device.")
        raise _refuse("bad_time", message, "started_at")
    if parsed < EARLIEST_SESSION:
        raise _refuse("bad_time", gettext("The time the exercise started is too long ago."), "started_at")
    return parsed


def parse_session(db: Session, user_id: int, payload) -> dict:
    """Check a session sent by the player; returns the clean fields or raises a ServiceError."""
    if not isinstance(payload, dict):
        raise _refuse("bad_body", gettext("Send the session as a JSON object."))
    raw_uuid = payload.get("client_uuid")
    try:
        client_uuid = str(uuid_module.UUID(str(raw_uuid))) if isinstance(raw_uuid, str) else None
    except ValueError:
        client_uuid = None
    if client_uuid is None:
        raise _refuse("bad_uuid", gettext("The session needs an id made by your device."), "client_uuid")
    slug = payload.get("exercise")
    if not isinstance(slug, str) or not _known_for(db, user_id, slug):
        raise _refuse("unknown_exercise", gettext("This exercise is not in Trygg any more."), "exercise")
    duration = payload.get("duration_seconds", 0)
    if isinstance(duration, bool) or not isinstance(duration, int) or not 0 <= duration <= MAX_DURATION:
        raise _refuse("bad_duration", gettext("The time spent on the exercise must be from 0 seconds to one day."),
                      "duration_seconds")
    completed = payload.get("completed", True)
    if not isinstance(completed, bool):
        raise _refuse("bad_completed", gettext("Whether the exercise was finished must be yes or no."), "completed")
    return {
        "client_uuid": client_uuid,
        "exercise_slug": slug,
        "started_at": _started_at(payload.get("started_at")),
        "duration_seconds": duration,
        "distress_before": _rating(payload, "distress_before"),
        "distress_after": _rating(payload, "distress_after"),
        "completed": completed,
    }


def _by_uuid(db: Session, client_uuid: str) -> GroundingSession | None:
    return db.scalar(select(GroundingSession).where(GroundingSession.client_uuid == client_uuid))


def record_session(db: Session, user_id: int, payload) -> tuple[GroundingSession, bool]:
    """Store a session once: (record, True) the first time, (the same record, False) on a retry.

    A uuid already used by someone else is refused rather than revealed."""
    fields = parse_session(db, user_id, payload)
    existing = _by_uuid(db, fields["client_uuid"])
    if existing is None:
        record = GroundingSession(user_id=user_id, **fields)
        try:
            with db.begin_nested():
                db.add(record)
            return record, True
        except IntegrityError:
            # Two copies of the same send raced each other; the other one won.
            existing = _by_uuid(db, fields["client_uuid"])
            if existing is None:
                raise
    if existing.user_id != user_id:
        raise _refuse("uuid_in_use", gettext("This session id is already used by another session."), "client_uuid", 409)
    return existing, False


def sessions_of(db: Session, user_id: int) -> list[GroundingSession]:
    """A client's sessions, oldest first."""
    return list(db.scalars(
        select(GroundingSession).where(GroundingSession.user_id == user_id)
        .order_by(GroundingSession.started_at, GroundingSession.id)))


def session_dict(db: Session, record: GroundingSession, locale: str = "en") -> dict:
    """The API's view of a session."""
    return {
        "id": record.id,
        "client_uuid": record.client_uuid,
        "exercise": record.exercise_slug,
        "title": exercise_title(db, record.exercise_slug, locale),
        "started_at": record.started_at.isoformat().replace("+00:00", "Z"),
        "duration_seconds": record.duration_seconds,
        "distress_before": record.distress_before,
        "distress_after": record.distress_after,
        "completed": record.completed,
    }


# ---------------------------------------------------------------- what works for me

def average_drops(db: Session, user_id: int) -> dict[str, tuple[float, int]]:
    """slug -> (average fall in distress, number of rated sessions); only sessions rated twice."""
    drops: dict[str, list[int]] = defaultdict(list)
    for record in sessions_of(db, user_id):
        if record.drop is not None:
            drops[record.exercise_slug].append(record.drop)
    return {slug: (sum(values) / len(values), len(values)) for slug, values in drops.items()}


def ranking(db: Session, user_id: int, locale: str) -> list[dict]:
    """The client's rated exercises, biggest average drop first (more sessions break ties)."""
    rows = [{"slug": slug, "title": exercise_title(db, slug, locale), "avg_drop": round(avg, 1), "count": n}
            for slug, (avg, n) in average_drops(db, user_id).items()]
    return sorted(rows, key=lambda r: (-r["avg_drop"], -r["count"], r["title"]))


def catalog_for(db: Session, user_id: int | None, locale: str) -> list[dict]:
    """Every catalog exercise in the user's language; the ones that helped them most first."""
    drops = average_drops(db, user_id) if user_id is not None else {}
    items = []
    for position, exercise in enumerate(catalog().exercises):
        item = exercise.localized(locale)
        avg = drops.get(exercise.slug)
        item["avg_drop"] = round(avg[0], 1) if avg else None
        item["position"] = position
        items.append(item)
    return sorted(items, key=_helpful_first)


def _helpful_first(item: dict) -> tuple:
    """Sort key: exercises with a measured drop first, biggest first; the rest keep their order."""
    avg = item.get("avg_drop")
    return (avg is None, -(avg or 0.0), item["position"])


# ---------------------------------------------------------------- the plan's exercises

def chosen_slugs(db: Session, client_id: int) -> set[str]:
    """Catalog exercises the client put on their plan."""
    return set(db.scalars(select(ChosenExercise.exercise_slug).where(ChosenExercise.client_id == client_id)))


def set_chosen(db: Session, client_id: int, slug: str, chosen: bool) -> None:
    """Add a catalog exercise to the client's plan, or take it off."""
    if catalog().get(slug) is None:
        raise _refuse("unknown_exercise", gettext("This exercise is not in Trygg any more."), "exercise", 404)
    present = slug in chosen_slugs(db, client_id)
    if chosen and not present:
        db.add(ChosenExercise(client_id=client_id, exercise_slug=slug))
    elif not chosen and present:
        db.execute(delete(ChosenExercise).where(ChosenExercise.client_id == client_id,
                                                ChosenExercise.exercise_slug == slug))
    db.flush()


def recommendations_for(db: Session, client_id: int) -> list[Recommendation]:
    """Recommendations from therapists who are still linked to the client, oldest first."""
    rows = db.scalars(select(Recommendation).where(Recommendation.client_id == client_id)
                      .order_by(Recommendation.created_at, Recommendation.id))
    return [r for r in rows if is_linked(db, r.therapist_id, client_id)]


def recommend(db: Session, therapist_id: int, client_id: int, slug: str) -> Recommendation:
    """A linked therapist recommends a catalog exercise (once per exercise)."""
    if not is_linked(db, therapist_id, client_id):
        raise _refuse("not_linked", gettext("You are not linked to this client."), status=403)
    if catalog().get(slug) is None:
        raise _refuse("unknown_exercise", gettext("This exercise is not in Trygg any more."), "exercise")
    existing = db.scalar(select(Recommendation).where(
        Recommendation.therapist_id == therapist_id, Recommendation.client_id == client_id,
        Recommendation.exercise_slug == slug))
    if existing:
        return existing
    recommendation = Recommendation(therapist_id=therapist_id, client_id=client_id, exercise_slug=slug)
    db.add(recommendation)
    db.flush()
    return recommendation


def withdraw_recommendation(db: Session, therapist_id: int, client_id: int, slug: str) -> None:
    """A therapist takes back a recommendation."""
    db.execute(delete(Recommendation).where(
        Recommendation.therapist_id == therapist_id, Recommendation.client_id == client_id,
        Recommendation.exercise_slug == slug))


def custom_exercises_of(db: Session, client_id: int) -> list[CustomExercise]:
    """A client's personal exercises, oldest first."""
    return list(db.scalars(select(CustomExercise).where(CustomExercise.client_id == client_id)
                           .order_by(CustomExercise.created_at, CustomExercise.id)))


def clean_steps(text: str) -> list[str]:
    """Split the form's text into steps (one per line) and check them."""
    steps = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not steps:
        raise _refuse("no_steps", gettext("Write at least one step."), "steps")
    if len(steps) > MAX_STEPS or any(len(s) > MAX_STEP_CHARS for s in steps):
        message = ngettext("Write at most %(num)d step, each up to %(chars)d characters.",
                           "Write at most %(num)d steps, each up to %(chars)d characters.", MAX_STEPS,
                           chars=MAX_STEP_CHARS)
        raise _refuse("too_many_steps", message, "steps")
    return steps


def add_custom_exercise(db: Session, client_id: int, author_id: int, title: str, steps_text: str) -> CustomExercise:
    """Write a personal exercise for a client and put it on their plan."""
    title = (title or "").strip()
    if not title or len(title) > MAX_TITLE:
        message = ngettext("Give the exercise a title of up to %(num)d character.",
                           "Give the exercise a title of up to %(num)d characters.", MAX_TITLE)
        raise _refuse("no_title", message, "title")
    steps = clean_steps(steps_text)
    exercise = CustomExercise(client_id=client_id, author_id=author_id, title=title,
                              steps_text="\n".join(steps), on_plan=True)
    db.add(exercise)
    db.flush()
    return exercise


def exercises_for_client(db: Session, client_id: int, locale: str) -> list[dict]:
    """The client's grounding exercises for their plan, most helpful first.

    Chosen and recommended catalog exercises and the client's own exercises; an exercise both
    chosen and recommended is listed once, as chosen. Without ratings, the order is: chosen, then
    recommended, then personal, each in the order they were added."""
    drops = average_drops(db, client_id)
    items: list[dict] = []
    seen: set[str] = set()

    def add(slug: str, title: str, url: str, kind: str, source: str) -> None:
        if slug in seen:
            return
        seen.add(slug)
        avg = drops.get(slug)
        items.append({"slug": slug, "title": title, "url": url, "kind": kind, "source": source,
                      "avg_drop": round(avg[0], 1) if avg else None, "position": len(items)})

    chosen = db.scalars(select(ChosenExercise).where(ChosenExercise.client_id == client_id)
                        .order_by(ChosenExercise.created_at, ChosenExercise.id))
    for row in chosen:
        exercise = catalog().get(row.exercise_slug)
        if exercise:
            add(exercise.slug, exercise.localized(locale)["title"], f"/grounding/{exercise.slug}",
                exercise.kind, "chosen")
    for recommended in recommendations_for(db, client_id):
        exercise = catalog().get(recommended.exercise_slug)
        if exercise:
            add(exercise.slug, exercise.localized(locale)["title"], f"/grounding/{exercise.slug}",
                exercise.kind, "recommended")
    for custom in custom_exercises_of(db, client_id):
        if custom.on_plan:
            add(custom.slug, custom.title, f"/grounding/custom/{custom.id}", "custom", "custom")
    items.sort(key=_helpful_first)
    for item in items:
        del item["position"]
    return items


# ---------------------------------------------------------------- sharing

def shares_log(db: Session, client_id: int) -> bool:
    """Has the client let linked therapists see their grounding log? Off unless they said so."""
    row = db.get(GroundingSharing, client_id)
    return bool(row and row.share_log)


def set_sharing(db: Session, client_id: int, share: bool) -> None:
    """Turn sharing of the grounding log with linked therapists on or off."""
    row = db.get(GroundingSharing, client_id)
    if row is None:
        db.add(GroundingSharing(client_id=client_id, share_log=share))
    else:
        row.share_log = share
    db.flush()


def therapist_may_see_log(db: Session, therapist_id: int, client_id: int) -> bool:
    """The sharing rule: a therapist sees a client's log only while linked and while allowed."""
    return is_linked(db, therapist_id, client_id) and shares_log(db, client_id)


def personal_data(db: Session, user) -> dict:
    """A client's grounding for "download my data": sessions, own exercises, choices, sharing."""
    return {
        "sessions": [session_dict(db, r) for r in sessions_of(db, user.id)],
        "my_exercises": [{"title": c.title, "steps": c.steps, "on_plan": c.on_plan,
                          "created_at": c.created_at.isoformat()} for c in custom_exercises_of(db, user.id)],
        "chosen_for_my_plan": sorted(chosen_slugs(db, user.id)),
        "recommended_to_me": [r.exercise_slug for r in recommendations_for(db, user.id)],
        "log_shared_with_my_therapists": shares_log(db, user.id),
    }
