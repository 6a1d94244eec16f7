"""Media in an S3-compatible object store (TRYGG_MEDIA_STORE=s3://…): the same rules as on disk —
stored under the plan by content hash, served only through the access-checked route, deleted with
the item and with the account, nothing written to the server's own disk."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_hope_media import add_photo, add_recording, file_url, items

from backend import create_app
from support.forms import csrf_token
from support.plans import PASSWORD


def _keys(client, bucket) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_a_photo_lives_in_the_bucket_and_is_served_only_to_those_who_may_see_it(app, client, sign_in, world,
                                                                                object_store):
    s3, bucket, prefix = object_store
    sign_in(world.owner)
    assert add_photo(client, world.plan_id).status_code == 302
    [media] = items(app, world.plan_id)
    key = f"{prefix}/{world.plan_id}/{media.file_name}"
    assert _keys(s3, bucket) == [key]
    stored = s3.get_object(Bucket=bucket, Key=key)
    assert stored["ContentType"] == "image/jpeg" and stored["ServerSideEncryption"] == "AES256"
    assert not (Path(app.instance_path) / "media").exists()  # nothing on this server's disk

    shown = client.get(file_url(media))
    assert shown.status_code == 200 and shown.data == stored["Body"].read()
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert client.get(file_url(media), headers={"If-None-Match": shown.headers["ETag"]}).status_code == 304
    part = client.get(file_url(media), headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == shown.data[:10]

    for other in (world.other_client, world.unlinked_therapist):
        sign_in(other)
        assert client.get(file_url(media)).status_code == 404


def test_removing_an_item_and_closing_the_account_delete_the_objects(app, client, api, sign_in, world, object_store):
    s3, bucket, _prefix = object_store
    sign_in(world.owner)
    add_photo(client, world.plan_id)
    add_recording(api, world.plan_id)
    photo, recording = items(app, world.plan_id)
    assert len(_keys(s3, bucket)) == 2

    token = csrf_token(client, f"/plans/{world.plan_id}/edit")
    client.post(f"/plans/{world.plan_id}/media/{photo.id}/remove", data={"csrf_token": token})
    assert _keys(s3, bucket) == [f"clinic-a/{world.plan_id}/{recording.file_name}"]
    assert client.get(file_url(photo)).status_code == 404

    token = csrf_token(client, "/account")
    assert client.post("/account/close", data={"csrf_token": token, "password": PASSWORD}).status_code == 302
    assert _keys(s3, bucket) == []


def test_a_store_that_is_not_s3_stops_the_app_at_start(tmp_path):
    with pytest.raises(ValueError, match="TRYGG_MEDIA_STORE"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "INSTANCE_PATH": str(tmp_path),
                    "TRYGG_MEDIA_STORE": "ftp://files.example.org/"})
