"""gunicorn settings for Trygg: `make run`, the benches, the deploy recipe and its test all use this file.

An event-driven worker (gevent): every connection is a greenlet, so an open editor's event stream,
a slow phone on a bad network or a half-sent request costs a few kilobytes and no thread. gevent
patches the standard library before the app is imported (psycopg 3 then waits through gevent, and
`threading`/`queue` in the broker and the live channel become cooperative). Each setting can be
overridden from the environment so the benches and tests can start the same server on a free port.
"""
import os
import resource

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
