"""A client's grounding "version": what their grounding pages and their plan's page show changes
with (sessions, personal exercises, recommendations, choices, sharing). Pages state it in their ETag,
so the service worker's revalidation is answered 304 while nothing changed."""
from __future__ import annotations

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import Session

from grounding.models import ChosenExercise, CustomExercise, GroundingSession, GroundingSharing, Recommendation


def stamp_columns(client) -> list:
    """The stamp's parts as SQL expressions of `client` (a bound parameter), so a plan page's
    version asks them in the same statement as its own parts (`safety_plans.plans.version_parts`)."""
    columns = []
    for model, owner in ((GroundingSession, GroundingSession.user_id), (CustomExercise, CustomExercise.client_id),
                         (Recommendation, Recommendation.client_id), (ChosenExercise, ChosenExercise.client_id)):
        columns += [select(func.count(model.id)).where(owner == client).scalar_subquery(),
                    select(func.max(model.id)).where(owner == client).scalar_subquery()]
    columns.append(select(func.count(CustomExercise.id)).where(
        CustomExercise.client_id == client, CustomExercise.on_plan.is_(True)).scalar_subquery())
    columns.append(select(GroundingSharing.share_log).where(GroundingSharing.client_id == client).scalar_subquery())
    return columns


STAMP_WIDTH = 10  # how many of a row's values `stamp_columns` gives


def stamp_text(values) -> str:
    """The stamp from the values of `stamp_columns`."""
    parts = [f"{values[i]}:{values[i + 1]}" for i in range(0, 8, 2)]
    return "/".join([*parts, str(values[8]), str(bool(values[9]))])


# Built once (constructing ten subqueries per request cost more than running them).
_STAMP = select(*stamp_columns(bindparam("client_id", type_=Integer)))


def stamp(db: Session, client_id: int) -> str:
    """Changes whenever anything a client's grounding pages or plan show changes: sessions,
    personal exercises, recommendations and choices (counts and newest ids of each). One
    statement: every page the service worker revalidates asks for it."""
    return stamp_text(db.execute(_STAMP, {"client_id": client_id}).one())
