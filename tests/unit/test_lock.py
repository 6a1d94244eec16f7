"""requirements.lock, which `make setup` installs with --require-hashes (review L7: ranges only, no lock,
no hashes): every requirement of pyproject.toml is pinned there, within its range, and every pin carries
its hashes. Fails when pyproject.toml changed without `make lock`."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def locked() -> dict[str, tuple[str, list[str]]]:
    """The lock's pins: canonical name -> (version, its sha256 hashes)."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = ""
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), [])
        elif line.strip().startswith("--hash=sha256:"):
            pins[current][1].append(line.strip().removeprefix("--hash=sha256:").rstrip(" \\"))
    return pins


def declared() -> list[Requirement]:
    """Runtime, dev and installer requirements, as pyproject.toml states them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    texts = [*config["project"]["dependencies"], *config["project"]["optional-dependencies"]["dev"],
             *config["dependency-groups"]["install"]]
    return [Requirement(text) for text in texts]


def test_every_pin_has_its_hashes():
    pins = locked()
    assert len(pins) > 100
    for name, (version, hashes) in pins.items():
        assert hashes, f"{name}=={version} has no hash"
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name


def test_every_requirement_of_pyproject_is_pinned_within_its_range():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements.lock: run make lock"
        assert requirement.specifier.contains(pins[name][0], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name][0]}, outside {requirement}: run make lock")
