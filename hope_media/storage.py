"""Where photos and recordings are kept: a folder on this server (the default, `TRYGG_MEDIA_DIR`,
else `instance/media/`), or an S3-compatible object store for clinics that run several servers
(`TRYGG_MEDIA_STORE=s3://bucket/optional/prefix`, through boto3).

Either way a file is named by its content's hash under its plan (`<plan id>/<sha256>.<ext>`),
written once, read only by the access-checked route (`hope_media/views.media_file`) and deleted
once the database has let go of it. The object store is reached with the standard AWS settings
(`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`); `TRYGG_S3_ENDPOINT` points
at a store that is not AWS (MinIO, Ceph, Garage, a cloud's S3 API). Objects are written private
(no ACL grants) with server-side encryption asked for.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from flask import Flask, Response, send_file

from backend.extensions import current_flask_app
from hope_media import files


class MediaStore(Protocol):
    """What the rest of hope_media needs of a store."""

    def put(self, plan_id: int, checked: files.Checked) -> str: ...
    def read(self, plan_id: int, name: str) -> bytes | None: ...
    def delete(self, items: list[tuple[int, str]]) -> None: ...
    def send(self, plan_id: int, name: str, **options) -> Response | None: ...


class FolderStore:
    """Files in an owner-only folder on this server (hope_media/files.py writes them)."""

    def __init__(self, root: Path):
        self.root = root

    def put(self, plan_id: int, checked: files.Checked) -> str:
        return files.store(self.root, plan_id, checked)

    def read(self, plan_id: int, name: str) -> bytes | None:
        try:
            return files.path_of(self.root, plan_id, name).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, items: list[tuple[int, str]]) -> None:
        files.unlink([files.path_of(self.root, plan_id, name) for plan_id, name in items])

    def send(self, plan_id: int, name: str, **options) -> Response | None:
        path = files.path_of(self.root, plan_id, name)
        return send_file(path, **options) if path.is_file() else None


class ObjectStore:
    """Objects in an S3-compatible bucket, under an optional key prefix."""

    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix.strip("/")

    def key(self, plan_id: int, name: str) -> str:
        """`<prefix>/<plan id>/<name>`; names are only ever our own hex digests."""
        return "/".join(part for part in (self.prefix, str(int(plan_id)), name) if part)

    def put(self, plan_id: int, checked: files.Checked) -> str:
        self.client.put_object(Bucket=self.bucket, Key=self.key(plan_id, checked.name), Body=checked.data,
                               ContentType=checked.mime, ServerSideEncryption="AES256")
        return checked.name

    def read(self, plan_id: int, name: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(plan_id, name))
        except self.client.exceptions.NoSuchKey:
            return None
        return answer["Body"].read()

    def delete(self, items: list[tuple[int, str]]) -> None:
        keys = [{"Key": self.key(plan_id, name)} for plan_id, name in items]
        for start in range(0, len(keys), 1000):  # the API's limit per call
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys[start:start + 1000], "Quiet": True})

    def send(self, plan_id: int, name: str, **options) -> Response | None:
        data = self.read(plan_id, name)
        # Files are small (photos ≤ 10 MB before re-encoding, recordings ≤ 3 MB): read whole, and
        # Werkzeug answers ranges and conditional requests from memory as it does from a file.
        return None if data is None else send_file(io.BytesIO(data), **options)


def configured(app: Flask) -> MediaStore:
    """The store the settings name (checked when the app starts: a wrong setting stops it there)."""
    target = app.config.get("TRYGG_MEDIA_STORE") or ""
    if target.startswith("s3://"):
        import boto3  # only clinics that use an object store need it loaded

        parsed = urlparse(target)
        client = boto3.client("s3", endpoint_url=app.config.get("TRYGG_S3_ENDPOINT") or None)
        return ObjectStore(client, parsed.netloc, parsed.path)
    if target:
        raise ValueError(f"TRYGG_MEDIA_STORE must be empty (a folder) or s3://bucket[/prefix], not {target!r}")
    folder = app.config.get("TRYGG_MEDIA_DIR")
    return FolderStore(Path(folder) if folder else Path(app.instance_path) / "media")


def store() -> MediaStore:
    """This app's store (made at start, or again after a test changed the settings)."""
    app = current_flask_app()
    found = app.extensions.get("trygg.media_store")
    if found is None:
        found = app.extensions["trygg.media_store"] = configured(app)
    return found
