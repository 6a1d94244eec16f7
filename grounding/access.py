"""Who may see and change what in grounding; used by the HTML views and the JSON API alike."""
from __future__ import annotations

from sqlalchemy.orm import Session

from backend.accounts.care import is_linked
from backend.accounts.models import User
from grounding import services
from grounding.models import CustomExercise


def is_client_self(user, client_id: int) -> bool:
    """The signed-in user is this client."""
    return bool(user.is_authenticated and user.role == "client" and user.id == client_id)


def may_view_log(db: Session, user, client_id: int) -> bool:
    """The client themself, or a linked therapist the client allowed to see it."""
    if is_client_self(user, client_id):
        return True
    return bool(user.is_authenticated and user.role == "therapist"
                and services.therapist_may_see_log(db, user.id, client_id))


def may_write_for(db: Session, user, client_id: int) -> bool:
    """Personal exercises for a client: written by the client or a linked therapist."""
    if is_client_self(user, client_id):
        return True
    return bool(user.is_authenticated and user.role == "therapist" and is_linked(db, user.id, client_id))


def may_play_custom(db: Session, user, exercise: CustomExercise | None) -> bool:
    """A personal exercise is seen by its client and the therapists linked to them."""
    return exercise is not None and may_write_for(db, user, exercise.client_id)


def linked_client(db: Session, user, client_id: int) -> User | None:
    """The client, when the signed-in therapist is linked to them; else None."""
    if not (user.is_authenticated and user.role == "therapist" and is_linked(db, user.id, client_id)):
        return None
    client = db.get(User, client_id)
    return client if client is not None and client.role == "client" else None
