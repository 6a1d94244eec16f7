"""The main navigation: feature packages add their links here, the base template shows them."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    """One link in the header: where it goes, its (lazily translated) label, who sees it."""

    endpoint: str
    label: object
    roles: tuple[str, ...]
    order: int = 50


def add_nav_item(app: Flask, endpoint: str, label, roles: tuple[str, ...], order: int = 50) -> None:
    """Register a header link for some roles."""
    items = app.extensions.setdefault("trygg.nav", [])
    items.append(NavItem(endpoint, label, roles, order))
    items.sort(key=lambda item: item.order)


def init_app(app: Flask) -> None:
    """Give templates the links meant for the signed-in user."""

    @app.context_processor
    def _nav() -> dict:
        def nav_items() -> list[NavItem]:
            if not current_user.is_authenticated:
                return []
            return [i for i in app.extensions.get("trygg.nav", []) if current_user.role in i.roles]

        return {"nav_items": nav_items}
