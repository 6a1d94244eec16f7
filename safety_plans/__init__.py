"""safety_plans feature package (see its issue)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, commands and navigation."""
