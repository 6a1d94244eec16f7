"""One error convention for every service: a rule says no with a `ServiceError`.

`code` is stable for programs, `message` is translated for people, `status` is the HTTP status to
answer, `field` names the form field it is about (forms show the message beside it), and `index`
which item of a batch it was. The JSON API answers every ServiceError the same way (one handler,
registered here); HTML views catch it and re-render their form with the message.
"""
from __future__ import annotations

from flask import Flask, jsonify, request

from backend import db


class ServiceError(ValueError):
    """A change a rule refuses; nothing of it is kept."""

    def __init__(self, code: str, message: str, status: int = 422, field: str | None = None,
                 index: int | None = None):
        super().__init__(message)
        self.code, self.message, self.status, self.field, self.index = code, message, status, field, index

    def to_dict(self) -> dict:
        """The JSON error body: {error, message, status[, field][, op_index]}."""
        body: dict = {"error": self.code, "message": self.message, "status": self.status}
        if self.field is not None:
            body["field"] = self.field
        if self.index is not None:
            body["op_index"] = self.index
        return body


def _answer(exc: ServiceError):
    """JSON for the API; anything else should have caught it (a view re-renders its form)."""
    db.session().rollback()
    if not request.path.startswith("/api/"):
        raise exc
    return jsonify(exc.to_dict()), exc.status


def init_app(app: Flask) -> None:
    """One handler for every package's API."""
    app.register_error_handler(ServiceError, _answer)
