"""Device cookies (OWASP): a browser that signed in to an account gets a signed cookie naming
that account and a random device id. Its sign-in attempts are then counted on their own, so
someone guessing at the account from elsewhere cannot lock its owner out."""
from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

SALT = "trygg-device"


def _serializer(config: dict) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config["SECRET_KEY"], salt=SALT)


def read(cookies, config: dict) -> tuple[int, str] | None:
    """(user id, device id) from a genuine, unexpired device cookie, else None."""
    raw = cookies.get(config["DEVICE_COOKIE_NAME"])
    if not raw:
        return None
    try:
        data = _serializer(config).loads(raw, max_age=int(config["DEVICE_COOKIE_LIFETIME"].total_seconds()))
    except BadSignature:
        return None
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], int) and isinstance(data[1], str)):
        return None
    return data[0], data[1]


def remember(response: Response, user_id: int, config: dict, current: tuple[int, str] | None) -> None:
    """Give this browser a device cookie for the account (keeping its device id if it had one)."""
    device_id = current[1] if current and current[0] == user_id else secrets.token_hex(16)
    response.set_cookie(
        config["DEVICE_COOKIE_NAME"], _serializer(config).dumps([user_id, device_id]),
        max_age=int(config["DEVICE_COOKIE_LIFETIME"].total_seconds()), path="/",
        secure=config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax",
    )
