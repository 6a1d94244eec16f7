"""Reading the mail Trygg wrote: the .eml files in instance/mail (no SMTP settings), or the
messages a real SMTP server on loopback received (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from email.message import Message
from pathlib import Path

import pytest

_LINK = re.compile(r"https?://\S+")


def mails_in_folder(app) -> list[Message]:
    """Every mail kept in the app's instance/mail folder, oldest first."""
    folder = Path(app.instance_path) / "mail"
    return (
        [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(folder.glob("*.eml"))]
        if folder.exists()
        else []
    )


def body_of(message: Message) -> str:
    """The plain-text body."""
    return message.get_body(("plain",)).get_content()


def last_mail_to(app, address: str) -> Message:
    """The newest mail to one address."""
    found = [m for m in mails_in_folder(app) if m["To"] == address]
    assert found, f"no mail to {address}"
    return found[-1]


def link_in(message: Message, path_part: str) -> str:
    """The path (and query) of the link in a mail that contains `path_part`."""
    for url in _LINK.findall(body_of(message)):
        if path_part in url:
            return re.sub(r"^https?://[^/]+", "", url)
    raise AssertionError(f"no {path_part} link in: {body_of(message)}")


def _free_port() -> int:
    """A loopback port nobody listens on (aiosmtpd checks its own port, so it cannot take 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp_sink():
    """A running SMTP server for one test."""
    sink = SmtpSink()
    sink.controller.start()
    yield sink
    sink.controller.stop()
