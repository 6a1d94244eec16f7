"""The shared list of /api/v1 endpoint descriptions: each package adds its own, and the
package that serves /api/v1/openapi.json puts them all in one document."""
from __future__ import annotations

from flask import Flask


def add_paths(app: Flask, paths: dict) -> None:
    """Describe some /api/v1 endpoints (OpenAPI 3 path items)."""
    app.extensions.setdefault("trygg.openapi_paths", {}).update(paths)


def registered_paths(app: Flask) -> dict:
    """Every path item the packages added."""
    return dict(app.extensions.get("trygg.openapi_paths", {}))
