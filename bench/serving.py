"""What bench/http.py and bench/live_capacity.py share: a seeded database (SQLite or PostgreSQL),
the real server (`make run`'s gunicorn: deploy/gunicorn.conf.py with gevent, or main's former
gthread 2x32 for a before/after), signed-in sessions, a small asyncio HTTP/1.1 load generator
with keep-alive and a bounded duration, and the server's CPU time from /proc."""
from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgresql://trygg@127.0.0.1:55432/postgres")


def free_port() -> int:
    """A free loopback port."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Database:
    """A fresh database of one kind, its URL and what to do when done."""

    kind: str
    url: str
    folder: Path

    def drop(self) -> None:
        """Drop a PostgreSQL database made here (SQLite goes with its folder)."""
        if self.kind == "postgresql":
            from sqlalchemy import create_engine, text

            admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.url.rsplit("/", 1)[1]}" WITH (FORCE)'))
            admin.dispose()


def fresh_database(kind: str) -> Database:
    """An empty database: a SQLite file in a temp folder, or a new database on PG_SERVER."""
    folder = Path(tempfile.mkdtemp(prefix="trygg-bench-"))
    if kind == "sqlite":
        return Database(kind, f"sqlite:///{folder / 'bench.sqlite3'}", folder)
    from sqlalchemy import create_engine, text

    name = f"trygg_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return Database(kind, PG_SERVER.rsplit("/", 1)[0] + "/" + name, folder)


def seed(database: Database, clients: int, items: int = 8) -> list[tuple[str, int, list[str]]]:
    """Migrate and add `clients` clients, each with a plan of `items` items: (email, plan id, item uuids)."""
    os.environ["TRYGG_INSTANCE_PATH"] = str(database.folder / "instance")
    from backend import create_app
    from backend.accounts.services import create_user
    from backend.broker import get_broker
    from backend.db import get_engine, session_scope
    from backend.migrate import upgrade
    from safety_plans import ops, plans

    app = create_app({"DATABASE_URL": database.url, "INSTANCE_PATH": str(database.folder / "instance")})
    upgrade(app)
    made = []
    sections = ["warning_signs", "inner_coping", "distraction", "support", "professionals", "reasons"]
    with app.test_request_context(), session_scope(app) as db:
        for n in range(clients):
            user = create_user(db, f"client{n}@example.org", PASSWORD, display_name=f"Client {n}", country="NO")
            plan = plans.get_or_create_plan(db, user)
            batch = [{"uuid": str(uuid.uuid4()), "type": "add", "item": str(uuid.uuid4()),
                      "section": sections[i % len(sections)],
                      "fields": {"text": f"Something that helps, number {i}", "phone": "+47 22 33 44 55"}}
                     for i in range(items)]
            ops.apply_ops(db, plan, user, batch)
            made.append((user.email, plan.id, [op["item"] for op in batch]))
    get_broker(app).stop()
    get_engine(app).dispose()
    return made


@dataclass
class Server:
    """A running gunicorn and its URL."""

    process: subprocess.Popen
    url: str
    label: str

    def pids(self) -> list[int]:
        """The arbiter and its workers."""
        found = [self.process.pid]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    found.append(int(entry))
        return found

    def cpu_seconds(self) -> float:
        """User + system CPU time of the arbiter and its workers so far."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / tick

    def rss_mib(self) -> float:
        """Resident memory of the arbiter and its workers."""
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                continue
        return total / 1024

    def stop(self) -> None:
        """Quick shutdown of the whole process group."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def start_server(database: Database, worker: str, env: dict | None = None, root: Path = ROOT) -> Server:
    """`make run`'s server (worker="gevent": deploy/gunicorn.conf.py) or main's former one
    (worker="gthread": 2 workers x 32 threads), access log off, on a free port. `root`: the
    checkout (with its .venv) whose code serves, e.g. main's for a before/after."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "DATABASE_URL": database.url, "TRYGG_INSTANCE_PATH": str(database.folder / "instance"),
                   "TRYGG_BASE_URL": url, "PORT": str(port), "HOST": "127.0.0.1", "ACCESS_LOG": "", **(env or {})}
    gunicorn = str(root / ".venv/bin/gunicorn")
    if worker == "gevent":
        command = [gunicorn, "--config", str(ROOT / "deploy/gunicorn.conf.py"), "backend:create_app()"]
    else:
        command = [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "32",
                   "--worker-class", "gthread", "--no-control-socket", "backend:create_app()"]
    process = subprocess.Popen(command, cwd=root, env={**environment, "PYTHONPATH": str(root)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return Server(process, url, worker)


def sign_in(url: str, email: str) -> tuple[str, str]:
    """Sign in through the form: (Cookie header value, CSRF token for API writes)."""
    import http.cookiejar
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(url + "/auth/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    opener.open(url + "/auth/login", data=urllib.parse.urlencode(
        {"csrf_token": token, "email": email, "password": PASSWORD}).encode())
    page = opener.open(url + "/").read().decode()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return "; ".join(f"{c.name}={c.value}" for c in jar), csrf


# -- the load generator -------------------------------------------------------------------------------

@dataclass
class Result:
    """What one run of the load generator saw."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0"))) if status != 304 else b""
    return status, body, headers.get("connection", "").lower() == "close"


async def _worker(host: str, port: int, make_request, until: float, result: Result) -> None:
    reader = writer = None
    while time.perf_counter() < until:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            started = time.perf_counter()
            writer.write(make_request())
            await writer.drain()
            status, _, close = await asyncio.wait_for(_read_response(reader), timeout=30)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status < 400:
                result.latencies.append(time.perf_counter() - started)
            else:
                result.errors += 1
            if close:
                writer.close()
                writer = None
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            result.errors += 1
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.05)
    if writer is not None:
        writer.close()


def load(url: str, request_makers: list, seconds: float) -> Result:
    """Run one connection per request maker (each returns the bytes of its next request) for
    `seconds`; keep-alive; bounded in time."""
    host, port = url.split("//", 1)[1].split(":")
    result = Result()

    async def run() -> None:
        until = time.perf_counter() + seconds
        await asyncio.gather(*[_worker(host, int(port), maker, until, result) for maker in request_makers])

    started = time.perf_counter()
    asyncio.run(run())
    result.elapsed = time.perf_counter() - started
    return result


def request_bytes(method: str, path: str, cookie: str = "", csrf: str = "", body: bytes = b"",
                  extra: str = "") -> bytes:
    """One HTTP/1.1 request, as a browser would send it (gzip accepted)."""
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "") + (f"X-CSRFToken: {csrf}\r\n" if csrf else "")
            + (f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if method == "POST" else "")
            + extra + "\r\n")
    return head.encode() + body


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
