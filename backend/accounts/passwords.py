"""Password hashing (argon2id) and the password policy: length, not a common password."""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from flask_babel import ngettext

MIN_LENGTH = 10
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")
MAX_LENGTH = 256
# OWASP's argon2id baseline: 19 MiB memory, 2 iterations, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
# Verified against when the account does not exist, so timing does not reveal that.
_DUMMY_HASH = HASHER.hash("not a real password, only for timing")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of the 100,000 most common passwords, lower-cased (see the file's header)."""
    path = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


def _personal_words(email: str, name: str) -> list[str]:
    """The parts of a person's own email and name that a guesser would try first."""
    email = email.lower()
    words = [email, email.partition("@")[0], name.lower(), name.lower().replace(" ", "")]
    words += re.split(r"[\W_]+", email.partition("@")[0]) + name.lower().split()
    return [w for w in words if len(w) >= 4]


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why a new password is not acceptable, in the user's language, or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.", MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.", MAX_LENGTH)
    lowered = password.lower()
    # What is left when the decorations people add (digits, symbols at either end) come off.
    core = _DECORATION.sub("", lowered)
    common = common_passwords()
    if lowered in common or core in common or (len(set(lowered)) <= 3 and len(lowered) < 24):
        return _("This password is too common and easy to guess. Try a few words together.")
    for word in _personal_words(email, name):
        if len(_DECORATION.sub("", lowered.replace(word, ""))) < MIN_LENGTH // 2:
            return _("Your password should not be your email or name. Try a few words together.")
    return None


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches; spends the same effort when there is no account."""
    try:
        return HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker settings than today's."""
    return HASHER.check_needs_rehash(password_hash)
