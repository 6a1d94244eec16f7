"""Trygg's platform. `flask --app backend` finds create_app() here."""
from backend.app import create_app

__all__ = ["create_app"]
