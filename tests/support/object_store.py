"""An S3-compatible object store over real HTTP for the media storage tests: moto's server, started
once per run on a loopback port (MinIO is neither on PyPI nor in Debian, so it cannot be installed
here). The app talks to it through boto3 exactly as it would to MinIO or AWS."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.request import urlopen

import pytest

REGION = "eu-north-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def object_store_url():
    """The endpoint of a running S3-compatible server (stopped at the end of the run)."""
    port = _free_port()
    server = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urlopen(url, timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the S3-compatible test server did not start") from None
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def object_store(app, object_store_url, monkeypatch):
    """The app's media go to a fresh bucket of that server; returns (boto3 client, bucket, prefix)."""
    import boto3

    for name, value in (("AWS_ACCESS_KEY_ID", "trygg-test"), ("AWS_SECRET_ACCESS_KEY", "trygg-test-secret"),
                        ("AWS_DEFAULT_REGION", REGION)):
        monkeypatch.setenv(name, value)
    bucket = f"trygg-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=object_store_url)
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    app.config.update(TRYGG_MEDIA_STORE=f"s3://{bucket}/clinic-a", TRYGG_S3_ENDPOINT=object_store_url)
    app.extensions.pop("trygg.media_store", None)
    return client, bucket, "clinic-a"
