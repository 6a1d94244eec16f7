"""Invite codes cannot be guessed without limit (review L3): tries are limited per person and per
address as passwords are (written before counted, so parallel guesses cannot pass the limit), a right
code never counts, and past the limit the answer is 429 in the person's language, with what they typed
kept in the box."""
from __future__ import annotations

import secrets
import threading
from collections import Counter

import pytest
import requests

from support import gunicorn
from support.databases import drop_database, fresh_database_url
from support.forms import csrf_token
from support.plans import PASSWORD
from support.secret_links import invite_codes

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GUESSES = 40


def wrong_code() -> str:
    """A code nobody was given (the alphabet and length of real ones)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(8))


def _statuses(client, codes, **kwargs) -> list[int]:
    return [client.get(f"/care/link/{code}", **kwargs).status_code for code in codes]


def test_forty_wrong_codes_in_a_row_evaluate_only_the_limit(app, client, sign_in, world):
    sign_in(world.owner)
    limit = app.config["INVITE_LIMIT_PER_PERSON"]
    statuses = _statuses(client, [wrong_code() for _ in range(GUESSES)])
    assert statuses == [404] * limit + [429] * (GUESSES - limit)
    # Past the limit even the right code waits (it cannot be told from a guess without looking).
    token = csrf_token(client, "/care")
    assert client.post(f"/care/link/{world.invite_code}", data={"csrf_token": token}).status_code == 429


def test_past_the_limit_the_page_says_so_in_the_persons_language_and_keeps_the_code(app, client, sign_in,
                                                                                     make_user):
    sign_in(make_user("client", locale="nb"))
    for _ in range(app.config["INVITE_LIMIT_PER_PERSON"]):
        client.get(f"/care/link/{wrong_code()}")
    token = csrf_token(client, "/care")
    typed = client.post("/care/link", data={"csrf_token": token, "code": "abcd-efgh"})
    page = client.get(typed.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 429
    assert "Det er prøvd for mange koder. Vent 15 minutter og prøv igjen" in html
    assert 'name="code" value="ABCDEFGH"' in html


def test_a_right_code_never_counts_against_its_owner(app, client, sign_in, world):
    sign_in(world.owner)
    limit = app.config["INVITE_LIMIT_PER_PERSON"]
    assert _statuses(client, [world.invite_code] * (3 * limit)) == [200] * (3 * limit)
    # Every wrong code after them is still evaluated, up to the limit.
    assert _statuses(client, [wrong_code() for _ in range(limit + 1)]) == [404] * limit + [429]


def test_someone_who_never_guessed_links_with_the_right_code(app, client, sign_in, world):
    sign_in(world.owner)
    _statuses(client, [wrong_code() for _ in range(GUESSES)])
    other = app.test_client()
    elsewhere = {"environ_base": {"REMOTE_ADDR": "192.0.2.7"}}
    token = csrf_token(other)
    assert other.post("/auth/login", data={"email": world.other_client, "password": PASSWORD, "csrf_token": token},
                      **elsewhere).status_code == 302
    assert other.get(f"/care/link/{world.invite_code}", **elsewhere).status_code == 200
    token = csrf_token(other, "/care")
    linked = other.post(f"/care/link/{world.invite_code}", data={"csrf_token": token}, **elsewhere)
    assert linked.status_code == 302 and linked.headers["Location"].endswith("/care")
    assert "Dr Berg" in other.get("/care", **elsewhere).get_data(as_text=True)


def test_many_people_on_one_address_share_its_limit(app, make_user):
    """Five accounts, each within its own limit, from one address: the address's limit holds."""
    per_person, per_ip = app.config["INVITE_LIMIT_PER_PERSON"], app.config["INVITE_LIMIT_PER_IP"]
    people = -(-per_ip // per_person) + 1  # enough people to pass the address's limit
    statuses = []
    for _ in range(people):
        person = app.test_client()
        token = csrf_token(person)
        person.post("/auth/login", data={"email": make_user("client"), "password": PASSWORD, "csrf_token": token})
        statuses += _statuses(person, [wrong_code() for _ in range(per_person)])
    assert Counter(statuses) == {404: per_ip, 429: people * per_person - per_ip}


# -- forty guesses at once, against the real server -------------------------------------------------------

@pytest.fixture
def server(tmp_path):
    """The server as `make run` starts it, with Ingrid (a client), a therapist and one invite."""
    seeded = gunicorn.seed(fresh_database_url(tmp_path), tmp_path / "instance", therapist="berg@example.org")
    [code] = invite_codes(seeded, "berg@example.org", 1)
    process, url = gunicorn.start(seeded)
    yield url, seeded, code
    gunicorn.stop(process)
    drop_database(seeded.db_url)


def test_forty_parallel_wrong_codes_evaluate_at_most_the_limit(server):
    url, seeded, code = server
    signed_in = gunicorn.signed_in(url, seeded.client_email)
    start = threading.Barrier(GUESSES)
    statuses: list[int] = []
    lock = threading.Lock()

    def guess() -> None:
        browser = requests.Session()
        browser.cookies.update(signed_in.cookies)
        start.wait(timeout=30)
        status = browser.get(f"{url}/care/link/{wrong_code()}", allow_redirects=False, timeout=30).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=guess) for _ in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    counted = Counter(statuses)
    assert sum(counted.values()) == GUESSES and set(counted) <= {404, 429}, counted
    assert counted[404] <= 5 and counted[429] >= GUESSES - 5, counted  # INVITE_LIMIT_PER_PERSON
    # Past the limit this person's next try waits too, the right code included (it cannot be told
    # from a guess without looking it up).
    assert requests.get(f"{url}/care/link/{code}", cookies=signed_in.cookies, timeout=10,
                        allow_redirects=False).status_code == 429
