"""Who is here, asked by a crowd of streams at once (`safety_plans.live.PresenceMemo`): the
streams told of one arrival ask in the same instant; the database is read once for all of them
(in the bench, 2,000 editors arriving took every pooled PostgreSQL connection and 24 got a 500)."""
from __future__ import annotations

import threading
import time

from safety_plans import live


def test_a_crowd_asking_who_is_here_reads_once(monkeypatch):
    reads = []

    def slow_read(app, plan_id):
        reads.append(plan_id)
        time.sleep(0.2)  # a read that takes a while, as under load
        return [{"id": 1, "name": "Ingrid", "role": "client"}]

    monkeypatch.setattr(live, "_here", slow_read)
    memo = live.PresenceMemo()
    answers = []
    crowd = [threading.Thread(target=lambda: answers.append(memo.here(None, 7, "arrival-1"))) for _ in range(20)]
    for stream in crowd:
        stream.start()
    for stream in crowd:
        stream.join(timeout=5)

    assert reads == [7]
    assert answers == [[{"id": 1, "name": "Ingrid", "role": "client"}]] * 20
    memo.here(None, 7, "arrival-2")  # the next arrival is news: read again
    assert reads == [7, 7]


def test_the_crowd_reads_for_itself_when_the_first_reader_fails(monkeypatch):
    calls = []

    def failing_then_working(app, plan_id):
        calls.append(plan_id)
        if len(calls) == 1:
            time.sleep(0.1)
            raise RuntimeError("the database went away")
        return [{"id": 2, "name": "Dr Berg", "role": "therapist"}]

    monkeypatch.setattr(live, "_here", failing_then_working)
    memo = live.PresenceMemo()
    failures, answers = [], []

    def ask():
        try:
            answers.append(memo.here(None, 3, "arrival-9"))
        except RuntimeError:
            failures.append(True)

    first = threading.Thread(target=ask)
    first.start()
    time.sleep(0.02)
    second = threading.Thread(target=ask)
    second.start()
    first.join(timeout=5)
    second.join(timeout=5)
    assert failures == [True]
    assert answers == [[{"id": 2, "name": "Dr Berg", "role": "therapist"}]]
