"""gunicorn settings for Trygg: `make run`, the benches, the deploy recipe and its test all use this file.

An event-driven worker (gevent): every connection is a greenlet, so an open editor's event stream,
a slow phone on a bad network or a half-sent request costs a few kilobytes and no thread. gevent
patches the standard library before the app is imported (psycopg 3 then waits through gevent, and
`threading`/`queue` in the broker and the live channel become cooperative). Each setting can be
overridden from the environment so the benches and tests can start the same server on a free port.
"""
import logging
import os
import re
import resource

from gunicorn.glogging import Logger

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# PostgreSQL: a process per core. SQLite: one process, unless WORKERS says otherwise. In one gevent
# process a write transaction runs to its commit without yielding, so writers never wait for
# SQLite's lock; two processes would wait in SQLite's busy handler, which sleeps in C and so
# freezes every request of the waiting process (the write tail measured in issue 15).
_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql"))
workers = int(os.environ.get("WORKERS") or (2 if _postgres else 1))
worker_class = "gevent"
# Connections one worker process holds at once (open editors, slow clients, ordinary requests). The
# live channel's own cap (LIVE_MAX_STREAMS, 5,000) answers 503 before this is reached.
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "10000"))
timeout = 30  # a worker whose loop is stuck this long is replaced
graceful_timeout = 10
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG", "-") or None
# Every line of the access and error logs passes through `redact` (`logger_class`, at the end).
# Bounded request lines and headers: a client cannot make us buffer much before we know what it wants.
limit_request_line = 8190
limit_request_fields = 100
# No runtime control socket: several servers run side by side (tests, two app servers per host).
control_socket_disable = True


def on_starting(server):
    """Thousands of open streams need thousands of file descriptors: raise the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            server.log.warning("could not raise the open-files limit from %s", soft)


# -- no secret in a log line (ASVS V16.2.5) --------------------------------------------------------------
# Paths whose last segment is a secret: the registration link (/auth/welcome/<token>), the reset link
# (/auth/reset/<token>) and a therapist's invite (/care/link/<code>); also when they travel URL-encoded
# in a query (`/auth/login?next=%2Fcare%2Flink%2F<code>` after an invite link opened signed out) or
# in a Referer. The same rule is deploy/nginx/trygg-log.conf's map: change both together.
_SEP = r"(?:/|%2F|%252F)"
SECRET_IN_URL = re.compile(
    rf"({_SEP}(?:auth{_SEP}(?:welcome|reset)|care{_SEP}link){_SEP})[^/?#&\s\"'\[][^/?#&\s\"']*", re.IGNORECASE)


def redact(line: str) -> str:
    """The line with each secret segment replaced by [redacted]; the rest (method, status, times) kept."""
    return SECRET_IN_URL.sub(r"\1[redacted]", line)


class _RedactSecrets(logging.Filter):
    """Rewrites a record before any handler (stdout, a file, syslog) sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit: the handler would fail on them too
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info:  # "Error handling request GET /auth/reset/…" comes with a traceback
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class RedactingLogger(Logger):
    """gunicorn's logger, whose access and error logs never hold a token or an invite code."""

    def setup(self, cfg) -> None:
        super().setup(cfg)  # runs again on a reload: add the filter once
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, _RedactSecrets) for f in log.filters):
                log.addFilter(_RedactSecrets())


logger_class = RedactingLogger
