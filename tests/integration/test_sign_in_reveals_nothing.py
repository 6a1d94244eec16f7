"""Sign-in takes as long for an unknown email as for a known one (the dummy argon2 hash runs), and
the answer is the same."""
from __future__ import annotations

import statistics
import time

from support.forms import csrf_token

TRIES = 15


def test_sign_in_time_does_not_say_whether_an_email_exists(app, client, make_user, capsys):
    app.config.update(LOGIN_LIMIT_PER_ACCOUNT=1000, LOGIN_LIMIT_PER_IP=1000)
    known = make_user("client")
    token = csrf_token(client)
    timings = {"known": [], "unknown": []}
    answers = set()
    for attempt in range(TRIES):
        for kind, email in (("known", known), ("unknown", f"nobody{attempt}@example.org")):
            started = time.perf_counter()
            response = client.post("/auth/login", data={"email": email, "password": "not the password at all",
                                                        "csrf_token": token})
            timings[kind].append(time.perf_counter() - started)
            answers.add((response.status_code, "do not match" in response.get_data(as_text=True)))
    known_median, unknown_median = (statistics.median(timings[k]) for k in ("known", "unknown"))
    with capsys.disabled():
        print(f"\nsign-in medians: known {known_median * 1000:.1f} ms, unknown {unknown_median * 1000:.1f} ms")
    assert answers == {(400, True)}
    assert 0.5 <= unknown_median / known_median <= 2.0
