"""The live stream's reader watch (`safety_plans.live.watch_reader`) on a connection whose
descriptor is above 1023, as every stream past the first thousand or so on one server has: it must
wait for the reader to go, not take select()'s refusal of such descriptors for a reader who left
(the bench's 2,000 streams lost 390 to that: each ended as soon as it began)."""
from __future__ import annotations

import os
import resource
import socket
import threading
import time

from safety_plans.live import watch_reader

HIGH = 1500


def _connection_at_a_high_descriptor() -> tuple[socket.socket, socket.socket]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft <= HIGH + 10:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, HIGH + 100), hard))
    server_side, reader = socket.socketpair()
    high = os.dup2(server_side.fileno(), HIGH)
    server_side.close()
    return socket.socket(fileno=high), reader


def _until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_reader_on_a_high_descriptor_is_watched_until_it_goes():
    connection, reader = _connection_at_a_high_descriptor()
    assert connection.fileno() == HIGH
    left = threading.Event()
    closed = threading.Event()
    try:
        watch_reader(connection, left.set, closed, every=0.1)
        assert not _until(left.is_set, 0.6)  # still there: the stream goes on
        reader.close()
        assert _until(left.is_set, 3)  # gone: noticed at once
    finally:
        closed.set()
        connection.close()
