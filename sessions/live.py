"""The live channel of an open session page: "session S is now at version V", and "the plan
changed" (commitments, the review, the co-editor) so the page brings in what others did.

Built like the co-editor's stream (`safety_plans.live`): it shares that module's per-process slots
(per person too) and event format, waits on its broker mailbox, re-checks access at every heartbeat
and says `gone` when the reader's access ended. Events carry ids and numbers only."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from flask import Flask

from backend.accounts.models import User
from backend.broker import get_broker
from backend.db import session_scope
from safety_plans.access import can_view
from safety_plans.live import newest_news, slots, sse
from safety_plans.models import Plan
from sessions.models import TherapySession
from sessions.services import topic


def _still_allowed(app: Flask, plan_id: int, user_id: int) -> bool:
    with app.app_context(), session_scope(app) as db:
        plan, user = db.get(Plan, plan_id), db.get(User, user_id)
        return plan is not None and user is not None and can_view(db, user, plan)


def session_news(waiting: dict, new: dict) -> dict | None:
    """A session page still to be told needs only the newest version of its session and the newest
    revision of the plan; "who is here" (which it ignores) merges as for an editor."""
    if "session" in waiting and waiting.get("session") == new.get("session"):
        return new if int(new.get("version") or 0) > int(waiting.get("version") or 0) else waiting
    return newest_news(waiting, new)


def open_stream(app: Flask, plan: Plan, found: TherapySession, user: User) -> tuple[Iterator[str], Callable[[], None]]:
    """Subscribe now, then yield events until the time is up or the reader's access ends. The
    caller has taken a slot for `user`; `close` (safe twice) unsubscribes and gives it back."""
    plan_id, session_id, user_id, version = plan.id, found.id, user.id, found.version
    subscription = get_broker(app).subscribe(topic(plan_id), merge=session_news)
    config = app.config
    heartbeat = config["LIVE_HEARTBEAT_SECONDS"]
    closed = threading.Event()

    def close() -> None:
        if closed.is_set():
            return
        closed.set()
        subscription.close()
        slots(app).give_back(user_id)

    def events() -> Iterator[str]:
        try:
            yield f"retry: {config['LIVE_RETRY_SECONDS'] * 1000}\n\n"
            yield sse("hello", {"session": session_id, "version": version}, version)
            deadline = time.monotonic() + config["LIVE_STREAM_SECONDS"]
            sent = version
            while (left := deadline - time.monotonic()) > 0 and not closed.is_set():
                message = subscription.get(timeout=min(heartbeat, left))
                if message is None or message.get("access_ended") == user_id:
                    if not _still_allowed(app, plan_id, user_id):
                        yield sse("gone", {"session": session_id})
                        return
                    if message is None:
                        yield ": heartbeat\n\n"
                    continue
                if message.get("session") == session_id and int(message.get("version") or 0) > sent:
                    sent = int(message["version"])
                    yield sse("change", {"session": session_id, "version": sent}, sent)
                elif "revision" in message:
                    yield sse("plan", {"plan": plan_id, "revision": message["revision"]})
        finally:
            close()

    return events(), close
