"""Grounding rules (to be written in the grounding issue).

Contract used by safety_plans (the plan's "my grounding exercises" section):

    exercises_for_client(db, client_id, locale) -> list[dict]

each dict: slug, title, url, kind, source ("chosen" | "recommended" | "custom"), avg_drop (float or
None), ranked with the exercises that help this client most first.
"""
from __future__ import annotations

from sqlalchemy.orm import Session


def exercises_for_client(db: Session, client_id: int, locale: str) -> list[dict]:
    """The client's grounding exercises for their plan, most helpful first."""
    return []
