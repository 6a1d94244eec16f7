"""What the bench scripts share: a free port, `make run`'s defaults, a gunicorn to measure, and
the nearest-rank percentile."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_default(name: str) -> str:
    """The Makefile's default for WORKERS (what `make run` uses), unless set here; "" lets
    deploy/gunicorn.conf.py decide (THREADS is gone with the gthread worker)."""
    match = re.search(rf"^{name}\s*\?=\s*(\d+)", (ROOT / "Makefile").read_text(), re.M)
    return os.environ.get(name) or (match.group(1) if match else "")


def start_gunicorn(port: int, env: dict, workers: str, threads: str, extra: list[str] = ()) -> subprocess.Popen:
    """gunicorn as `make run` starts it (deploy/gunicorn.conf.py, the gevent worker), on a loopback
    port; returns once it answers. `threads` is ignored (kept for the callers' signature)."""
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--config", str(ROOT / "deploy/gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", *(["--workers", workers] if workers else []), *extra,
         "backend:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return server


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
