"""deploy/ as it is shipped: Debian's nginx (a non-root process, free ports) with
deploy/nginx/trygg-proxy.conf in front of TWO gunicorn app servers (deploy/gunicorn.conf.py) on one
PostgreSQL. A change made through one server reaches an editor connected (SSE, through nginx) to
the other within a second; the crisis view keeps working when either server is stopped; static
assets come from nginx's disk. PostgreSQL only: SQLite is one machine's file."""
from __future__ import annotations

import base64
import os
import pwd
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from support import gunicorn, secret_links
from support.databases import drop_database, fresh_database_url
from support.media import WEBM_OPUS
from support.plans import add_op

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
THERAPIST = "berg@example.org"

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/trygg-log.conf;
    upstream trygg_app {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=1s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=1s;
        keepalive 16;
    }}
    upstream trygg_a {{ server 127.0.0.1:{a}; }}
    upstream trygg_b {{ server 127.0.0.1:{b}; }}
    # Both servers, as people reach them.
    server {{ listen 127.0.0.1:{port}; set $trygg_upstream trygg_app; set $trygg_static {dir}/static;
             access_log {dir}/access.log trygg; include {dir}/trygg-proxy.conf; }}
    # The same rules pinned to one server each, so the test knows which one it talks to.
    server {{ listen 127.0.0.1:{port_a}; set $trygg_upstream trygg_a; set $trygg_static {dir}/static;
             access_log {dir}/access.log trygg; include {dir}/trygg-proxy.conf; }}
    server {{ listen 127.0.0.1:{port_b}; set $trygg_upstream trygg_b; set $trygg_static {dir}/static;
             access_log {dir}/access.log trygg; include {dir}/trygg-proxy.conf; }}
}}
"""


@pytest.fixture
def deployment(tmp_path, postgres_only):
    """A migrated PostgreSQL database, two app servers and nginx in front of them."""
    if not os.path.exists(NGINX):
        pytest.fail("Debian's nginx is not installed: .ci/run installs it (apt-get install nginx)")
    seeded = gunicorn.seed(fresh_database_url(tmp_path), tmp_path / "instance", therapist=THERAPIST)
    ports = {name: gunicorn.free_port() for name in ("a", "b", "port", "port_a", "port_b")}
    base = f"http://127.0.0.1:{ports['port']}"
    env = {"WORKERS": "1", "TRYGG_PROXIES": "1", "TRYGG_BASE_URL": base}
    servers = {name: gunicorn.start(seeded, env, port=ports[name])[0] for name in ("a", "b")}

    # nginx runs as an ordinary user: a world-traversable folder of its own.
    folder = Path(tempfile.mkdtemp(prefix="trygg-nginx-"))
    folder.chmod(0o755)
    subprocess.run([sys.executable, str(ROOT / "deploy/collect_assets.py"), str(folder / "static")], check=True,
                   cwd=ROOT, env={**os.environ, "TRYGG_INSTANCE_PATH": str(seeded.instance),
                                  "DATABASE_URL": seeded.db_url}, stdout=subprocess.DEVNULL)
    for name in ("trygg-proxy.conf", "trygg-log.conf"):
        shutil.copy(ROOT / "deploy/nginx" / name, folder / name)
    (folder / "nginx.conf").write_text(NGINX_CONF.format(dir=folder, **ports))
    run_as: list[str] = []
    if os.geteuid() == 0:
        run_as = ["runuser", "-u", "nobody", "--"]
        nobody = pwd.getpwnam("nobody")
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    nginx = subprocess.Popen([*run_as, NGINX, "-e", str(folder / "error.log"), "-c", str(folder / "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    for _ in range(100):
        try:
            if requests.get(base + "/healthz", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.1)
    else:
        nginx.kill()
        pytest.fail(f"nginx did not start: {(folder / 'error.log').read_text(errors='replace')}")
    yield {"seeded": seeded, "servers": servers, "ports": ports, "base": base, "env": env, "folder": folder}
    os.killpg(nginx.pid, 15)
    nginx.wait(timeout=10)
    for process in servers.values():
        gunicorn.stop(process)
    shutil.rmtree(folder, ignore_errors=True)
    drop_database(seeded.db_url)


def _url(deployment, name: str) -> str:
    return f"http://127.0.0.1:{deployment['ports'][name]}"


def test_a_change_through_one_server_reaches_an_editor_on_the_other_within_a_second(deployment):
    plan_id = deployment["seeded"].plan_id
    through_a, through_b = _url(deployment, "port_a"), _url(deployment, "port_b")
    ingrid = gunicorn.signed_in(through_b, "ingrid@example.org")
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    stream = ingrid.get(f"{through_b}/api/v1/plans/{plan_id}/events", stream=True, timeout=(5, 30))
    assert stream.status_code == 200
    assert stream.headers["Content-Type"].startswith("text/event-stream")

    def read() -> None:
        try:
            for line in stream.iter_lines(decode_unicode=True):
                lines.put((time.monotonic(), line))
        except Exception:  # noqa: BLE001 - closed at the end of the test
            pass

    threading.Thread(target=read, daemon=True).start()
    assert _next(lines, "event: hello")  # through nginx, unbuffered

    berg = gunicorn.signed_in(through_a, THERAPIST)
    sent = time.monotonic()
    answer = berg.post(f"{through_a}/api/v1/plans/{plan_id}/changes", json={"ops": [add_op("reasons", "Spring")]})
    assert answer.status_code == 200
    revision = answer.json()["revision"]
    arrived = _next(lines, f'data: {{"plan":{plan_id},"revision":{revision}}}')
    assert arrived is not None, "the change never reached the editor on the other server"
    assert arrived - sent < 1.0, f"the change took {arrived - sent:.2f} s to cross servers"
    stream.close()


def test_the_crisis_view_works_when_either_server_is_stopped(deployment):
    plan_id, base = deployment["seeded"].plan_id, deployment["base"]
    ingrid = gunicorn.signed_in(base, "ingrid@example.org")
    page = ingrid.get(f"{base}/plans/{plan_id}")
    assert page.status_code == 200
    # The crisis view carries its styles inline; its scripts are linked assets.
    asset = re.search(r'src="(/assets/[^"]+\.js)"', page.text).group(1)

    for stopped in ("a", "b"):
        gunicorn.stop(deployment["servers"][stopped])
        for _ in range(4):  # round robin would have sent some of these to the stopped one
            view = ingrid.get(f"{base}/plans/{plan_id}", timeout=5)
            assert view.status_code == 200 and "trygg-version" in view.text
            assert requests.get(base + "/help", timeout=5).status_code == 200
        deployment["servers"][stopped] = gunicorn.start(deployment["seeded"], deployment["env"],
                                                        port=deployment["ports"][stopped])[0]
        # nginx keeps a server that failed out of the rotation for fail_timeout (1 s here, 5 s in
        # deploy/nginx/trygg.conf); with both marked failed it would answer 502.
        time.sleep(1.5)

    # Static assets are nginx's own: they are served with both app servers down.
    for name in ("a", "b"):
        gunicorn.stop(deployment["servers"][name])
    script = requests.get(base + asset, timeout=5)
    assert script.status_code == 200 and "immutable" in script.headers["Cache-Control"]
    assert requests.get(f"{base}/plans/{plan_id}", timeout=5).status_code == 502


def test_a_recording_added_through_one_server_is_served_by_the_other_from_the_object_store(deployment,
                                                                                    object_store_url, monkeypatch):
    """Clinics with several servers keep media in an S3-compatible store (TRYGG_MEDIA_STORE)."""
    import boto3

    settings = {"AWS_ACCESS_KEY_ID": "trygg-test", "AWS_SECRET_ACCESS_KEY": "trygg-test-secret",
                "AWS_DEFAULT_REGION": "eu-north-1"}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    s3 = boto3.client("s3", endpoint_url=object_store_url)
    s3.create_bucket(Bucket="trygg-clinic", CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    deployment["env"].update(settings, TRYGG_MEDIA_STORE="s3://trygg-clinic/media", TRYGG_S3_ENDPOINT=object_store_url)
    for name in ("a", "b"):
        gunicorn.stop(deployment["servers"][name])
        deployment["servers"][name] = gunicorn.start(deployment["seeded"], deployment["env"],
                                                     port=deployment["ports"][name])[0]
    plan_id = deployment["seeded"].plan_id
    through_a, through_b = _url(deployment, "port_a"), _url(deployment, "port_b")

    added = gunicorn.signed_in(through_a, "ingrid@example.org").post(
        f"{through_a}/api/v1/plans/{plan_id}/media",
        json={"uuid": str(uuid.uuid4()), "kind": "audio", "data": base64.b64encode(WEBM_OPUS).decode(),
              "caption": "Mum says hello", "duration_ms": 4000})
    assert added.status_code == 201, added.text
    url = added.json()["url"]
    [stored] = s3.list_objects_v2(Bucket="trygg-clinic")["Contents"]
    assert stored["Key"] == f"media/{plan_id}/{url.rsplit('/', 1)[1]}"
    assert not (deployment["seeded"].instance / "media").exists()

    heard = gunicorn.signed_in(through_b, "ingrid@example.org").get(through_b + url)
    assert heard.status_code == 200 and heard.content == WEBM_OPUS
    anonymous = requests.get(through_b + url, timeout=5, allow_redirects=False)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]  # nobody signed in


def test_nginx_logs_no_token_and_no_invite_code(deployment):
    """deploy/nginx/trygg-log.conf's format: registration from an invite link, a typed code, a wrong
    one and a password reset, through nginx; its access log keeps each line, with the secrets cut out."""
    seeded, base = deployment["seeded"], deployment["base"]
    secrets = secret_links.journeys(base, seeded, secret_links.invite_codes(seeded, THERAPIST, 2))
    logs = {name: (deployment["folder"] / name).read_text(errors="replace") for name in ("access.log", "error.log")}
    found = {(log, name): len(re.findall(re.escape(secret), text, re.IGNORECASE))
             for log, text in logs.items() for name, secret in secrets.items()}
    assert sum(found.values()) == 0, {key: count for key, count in found.items() if count}
    for redacted in ("POST /auth/welcome/[redacted]", "GET /auth/reset/[redacted] ", "POST /auth/reset/[redacted] ",
                     "GET /care/link/[redacted] ", "POST /care/link/[redacted] ",
                     "GET /auth/login?next=%2Fcare%2Flink%2F[redacted] "):
        assert redacted in logs["access.log"], redacted


def _next(lines: queue.Queue, prefix: str, wait: float = 10.0) -> float | None:
    """When the next line starting with `prefix` arrived (other lines are skipped)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            at, line = lines.get(timeout=max(0.05, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line.startswith(prefix):
            return at
    return None


def test_the_longest_recording_passes_nginx_and_a_bigger_body_gets_the_apps_own_answer(deployment):
    """nginx's 1 MB default for bodies refused a two-minute recording before the app saw it; the
    media routes now allow more than the app does, so the app's own 413 (in words) is what a
    too-big recording gets."""
    from hope_media import files
    from support.opus import ogg_opus

    plan_id = deployment["seeded"].plan_id
    through_a = _url(deployment, "port_a")
    browser = gunicorn.signed_in(through_a, "ingrid@example.org")
    longest = ogg_opus(seconds=files.AUDIO_MAX_SECONDS, bitrate=190_000, size=files.AUDIO_MAX_BYTES)
    added = browser.post(f"{through_a}/api/v1/plans/{plan_id}/media",
                         json={"uuid": str(uuid.uuid4()), "kind": "audio", "data": base64.b64encode(longest).decode(),
                               "caption": "Mum says hello", "duration_ms": files.AUDIO_MAX_SECONDS * 1000})
    assert added.status_code == 201, added.text[:300]
    padding = "A" * (files.API_BODY_MAX_BYTES + 10)
    too_big = browser.post(f"{through_a}/api/v1/plans/{plan_id}/media",
                           json={"uuid": str(uuid.uuid4()), "kind": "audio", "data": padding, "duration_ms": 1000})
    assert too_big.status_code == 413 and too_big.headers["Content-Type"].startswith("application/json")
