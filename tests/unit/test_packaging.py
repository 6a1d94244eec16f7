"""Every app package ships: a package left out of pyproject's list works in the checkout (the
current folder is on the path) but not for scripts run from elsewhere or an installed copy (the
deploy test's asset collector found `hope_media` missing)."""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_SHIPPED = {"tests", "bench", "deploy", "locales", "instance"}


def test_every_top_level_package_is_in_the_distribution_and_the_lint_gate():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - NOT_SHIPPED
    shipped = {pattern.rstrip("*") for pattern in config["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert packages <= shipped, packages - shipped
    assert packages <= set(config["tool"]["mypy"]["packages"])
    assert packages <= set(config["tool"]["ruff"]["lint"]["isort"]["known-first-party"])
