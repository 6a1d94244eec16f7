"""The password policy and the hash settings."""
from __future__ import annotations

import pytest
from argon2 import extract_parameters

from backend.accounts.passwords import common_passwords, hash_password, password_problem, verify_password


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def test_hash_is_argon2id_with_at_least_19_mib_and_two_passes():
    params = extract_parameters(hash_password("a long enough password"))
    assert params.type.name == "ID"
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2


def test_verify_accepts_the_right_password_only():
    hashed = hash_password("a long enough password")
    assert verify_password(hashed, "a long enough password")
    assert not verify_password(hashed, "a long enough passworD")
    assert not verify_password(None, "a long enough password")


@pytest.mark.parametrize("password", ["short", "123456789"])
def test_short_passwords_are_refused(password):
    assert "at least 10" in password_problem(password)


def test_long_passwords_are_allowed_up_to_256():
    assert password_problem("å" * 128) is None
    assert password_problem("x" * 256 + "y") is not None


def test_no_composition_rules():
    assert password_problem("all lower case words") is None


@pytest.mark.parametrize("password", ["password123", "Qwertyuiop", "1234567890", "passord123"])
def test_common_passwords_are_refused(password):
    assert "too common" in password_problem(password)


def test_the_shipped_list_is_substantial():
    words = common_passwords()
    assert len(words) >= 100000 and "password" in words and "passord123" in words


@pytest.mark.parametrize("password", ["unbelievable", "qwertyqwerty", "123321123321"])
def test_passwords_beyond_the_first_30000_are_refused_too(password):
    """The list grew from zxcvbn's 30,000 to 100,000 (issue 13 asked for a larger list)."""
    assert "too common" in password_problem(password)


@pytest.mark.parametrize("password", ["1111111111", "Password1!", "Dragon2024!!", "aaaaaaaaaaaa", "abababababab",
                                      "Sommer2024!", "qwerty123456"])
def test_weak_passwords_the_probe_got_through_are_refused(password):
    assert password_problem(password) is not None


@pytest.mark.parametrize("password,email,name", [
    ("kari.nordmann1", "kari.nordmann@example.org", ""), ("Nordmann2024!", "kari@example.org", "Kari Nordmann"),
    ("kari@example.org", "Kari@example.org", ""), ("ingridingrid", "x@example.org", "Ingrid"),
])
def test_own_email_or_name_is_refused(password, email, name):
    assert "email or name" in password_problem(password, email, name)


def test_a_passphrase_that_mentions_a_name_is_fine():
    assert password_problem("kari walks by the quiet river", "kari@example.org", "Kari") is None



