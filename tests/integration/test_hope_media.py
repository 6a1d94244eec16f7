"""Photos, recordings and messages on a plan: who sees what (the private zone), files on disk,
serving headers, removal, account deletion, the data download and the walk-through's hope step."""
from __future__ import annotations

import base64
import io
import re
import stat
import uuid
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from backend import audit
from backend.accounts.services import find_user
from backend.db import session_scope
from hope_media.models import PlanMedia
from support.forms import csrf_token
from support.media import WEBM_OPUS, heic, photo
from support.plans import PASSWORD


def _media_dir(app) -> Path:
    return Path(app.instance_path) / "media"


def add_photo(client, plan_id, data=None, caption="Sunset at Bygdøy", shared=False, name="me.jpg"):
    token = csrf_token(client, f"/plans/{plan_id}/edit")
    form = {"csrf_token": token, "uuid": str(uuid.uuid4()), "kind": "photo", "section": "reasons",
            "caption": caption, "file": (io.BytesIO(data if data is not None else photo()), name)}
    if shared:
        form["shared"] = "y"
    return client.post(f"/plans/{plan_id}/media", data=form, content_type="multipart/form-data")


def add_recording(api, plan_id, data=WEBM_OPUS, item_uuid=None, **fields):
    body = {"uuid": item_uuid or str(uuid.uuid4()), "kind": "audio", "data": base64.b64encode(data).decode(),
            "caption": "Mum says hello", "transcript": "We love you.", "duration_ms": 4000, **fields}
    return api.post(f"/api/v1/plans/{plan_id}/media", body)


def items(app, plan_id) -> list[PlanMedia]:
    with app.app_context(), session_scope(app) as db:
        return list(db.scalars(select(PlanMedia).where(PlanMedia.plan_id == plan_id).order_by(PlanMedia.id)))


def file_url(media: PlanMedia) -> str:
    return f"/plans/{media.plan_id}/media/{media.file_name}"


def test_a_photo_is_stored_privately_and_served_only_to_its_owner(app, client, sign_in, world):
    sign_in(world.owner)
    response = add_photo(client, world.plan_id)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/plans/{world.plan_id}/edit#reasons")
    [media] = items(app, world.plan_id)
    assert re.fullmatch(r"[0-9a-f]{64}\.jpg", media.file_name) and media.mime == "image/jpeg"
    path = _media_dir(app) / str(world.plan_id) / media.file_name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(_media_dir(app).stat().st_mode) == 0o700

    shown = client.get(file_url(media))
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert shown.headers["Cache-Control"] == "private, no-store"
    worker = client.get(file_url(media), headers={"Sec-Fetch-Dest": "empty"})
    assert worker.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert worker.headers["Trygg-Keep"] == "1"
    editor = client.get(f"/plans/{world.plan_id}/edit").get_data(as_text=True)
    assert 'alt="Sunset at Bygdøy"' in editor
    assert "Only you see your photos and recordings unless you share one with your therapist." in editor

    for other in (world.other_client, world.unlinked_therapist):
        sign_in(other)
        assert client.get(file_url(media)).status_code == 404
        assert client.get(f"/plans/{world.other_plan_id}/media/{media.file_name}").status_code == 404


def test_an_iphone_heic_is_stored_and_served_as_a_jpeg_without_its_location(app, client, sign_in, world):
    sign_in(world.owner)
    editor = client.get(f"/plans/{world.plan_id}/edit").get_data(as_text=True)
    assert "image/heic,image/heif,.heic,.heif" in editor  # the picker offers HEIC files
    original = heic(1200, 800)
    assert b"PhoneMaker" in original
    response = add_photo(client, world.plan_id, data=original, caption="Hytta i fjor", name="IMG_0042.HEIC")
    assert response.status_code == 302
    [media] = items(app, world.plan_id)
    assert re.fullmatch(r"[0-9a-f]{64}\.jpg", media.file_name) and media.mime == "image/jpeg"
    assert (media.width, media.height) == (800, 1200)
    shown = client.get(file_url(media))
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(shown.data)) as served:
        assert served.format == "JPEG" and not served.getexif()
    assert b"PhoneMaker" not in shown.data and b"GPS" not in shown.data
    assert 'alt="Hytta i fjor"' in client.get(f"/plans/{world.plan_id}/edit").get_data(as_text=True)


def test_a_linked_therapist_sees_counts_only_until_the_client_shares(app, client, api, sign_in, world):
    sign_in(world.owner)
    add_photo(client, world.plan_id)
    assert add_recording(api, world.plan_id).status_code == 201
    photo_item, recording = items(app, world.plan_id)

    sign_in(world.linked_therapist)
    editor = client.get(f"/plans/{world.plan_id}/edit").get_data(as_text=True)
    assert "Only Ingrid sees these: 1 photo, 1 recording." in editor
    assert "Sunset at Bygdøy" not in editor and photo_item.file_name not in editor
    assert "Mum says hello" not in editor
    assert client.get(file_url(photo_item)).status_code == 404
    assert client.get(file_url(recording)).status_code == 404

    sign_in(world.owner)
    token = csrf_token(client, f"/plans/{world.plan_id}/edit")
    shared = client.post(f"/plans/{world.plan_id}/media/{photo_item.id}/share",
                         data={"csrf_token": token, "shared": "y"})
    assert shared.status_code == 302

    sign_in(world.linked_therapist)
    editor = client.get(f"/plans/{world.plan_id}/edit").get_data(as_text=True)
    assert 'alt="Sunset at Bygdøy"' in editor and "Only Ingrid sees these: 1 recording." in editor
    served = client.get(file_url(photo_item), headers={"Sec-Fetch-Dest": "empty"})
    assert served.status_code == 200
    assert served.headers["Cache-Control"] == "private, no-store" and "Trygg-Keep" not in served.headers

    with app.app_context(), session_scope(app) as db:
        owner = find_user(db, world.owner)
        events = [(e.action, e.object_type, e.object_id) for e in audit.events_for(db, owner.id)]
    assert ("open", "media", photo_item.id) in events
    sign_in(world.owner)
    log = client.get(f"/plans/{world.plan_id}/access-log").get_data(as_text=True)
    assert "Dr Berg looked at a photo or recording you shared once" in log


def test_a_therapists_message_is_seen_by_both_and_logged(app, client, sign_in, world):
    sign_in(world.linked_therapist)
    token = csrf_token(client, f"/plans/{world.plan_id}/edit")
    response = client.post(f"/plans/{world.plan_id}/media", data={
        "csrf_token": token, "uuid": str(uuid.uuid4()), "kind": "message",
        "caption": "You have come through hard days before."})
    assert response.status_code == 302
    assert "You have come through hard days before." in client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    sign_in(world.owner)
    view = client.get(f"/plans/{world.plan_id}").get_data(as_text=True)
    assert "You have come through hard days before." in view and "From your therapist" in view
    log = client.get(f"/plans/{world.plan_id}/access-log").get_data(as_text=True)
    assert "Dr Berg added or removed a message or recording on your plan once" in log


def test_a_therapist_cannot_add_a_photo(app, client, sign_in, world):
    sign_in(world.linked_therapist)
    assert add_photo(client, world.plan_id).status_code == 400
    assert items(app, world.plan_id) == []


def test_bad_input_gets_a_clear_message_and_keeps_the_caption(app, client, sign_in, world):
    sign_in(world.owner)
    response = add_photo(client, world.plan_id, data=b"%PDF-1.4 not a picture", caption="My dog Rufus", name="x.jpg")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "That file is not a photo we can show." in text and 'value="My dog Rufus"' in text
    assert items(app, world.plan_id) == []


def test_a_refusal_speaks_the_persons_language(app, client, sign_in, make_user):
    sign_in(make_user("client", locale="nb"))
    plan_id = int(client.get("/plans/mine").headers["Location"].rsplit("/", 1)[1])
    response = add_photo(client, plan_id, data=b"GIF89a....", caption="Hunden min")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Den fila er ikke et bilde vi kan vise." in text
    assert 'value="Hunden min"' in text


def test_a_recording_is_checked_by_content_and_idempotent(app, api, sign_in, world):
    sign_in(world.owner)
    item_uuid = str(uuid.uuid4())
    first = add_recording(api, world.plan_id, item_uuid=item_uuid)
    again = add_recording(api, world.plan_id, item_uuid=item_uuid)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["url"] == again.get_json()["url"] and first.get_json()["url"].endswith(".webm")
    refused = add_recording(api, world.plan_id, data=b"RIFF....WAVEfmt " + b"\x00" * 100)
    assert refused.status_code == 422 and refused.get_json()["field"] == "file"
    too_big = add_recording(api, world.plan_id, data=WEBM_OPUS + b"\x00" * (3 * 1024 * 1024))
    assert too_big.status_code == 413
    assert len(items(app, world.plan_id)) == 1


def test_removing_an_item_removes_its_file(app, client, sign_in, world):
    sign_in(world.owner)
    add_photo(client, world.plan_id)
    [media] = items(app, world.plan_id)
    path = _media_dir(app) / str(world.plan_id) / media.file_name
    assert path.exists()
    token = csrf_token(client, f"/plans/{world.plan_id}/edit")
    assert client.post(f"/plans/{world.plan_id}/media/{media.id}/remove", data={"csrf_token": token}).status_code == 302
    assert not path.exists()
    assert client.get(file_url(media)).status_code == 404
    [gone] = items(app, world.plan_id)
    assert gone.deleted and gone.caption == "" and gone.file_name == ""


def test_closing_the_account_removes_every_file(app, client, api, sign_in, world):
    sign_in(world.owner)
    add_photo(client, world.plan_id)
    add_recording(api, world.plan_id)
    folder = _media_dir(app) / str(world.plan_id)
    assert len(list(folder.iterdir())) == 2
    token = csrf_token(client, "/account")
    response = client.post("/account/close", data={"csrf_token": token, "password": PASSWORD})
    assert response.status_code == 302
    assert not folder.exists()


def test_the_data_download_lists_every_item_with_a_link(app, client, api, sign_in, world):
    sign_in(world.owner)
    add_photo(client, world.plan_id)
    add_recording(api, world.plan_id)
    data = client.get("/account/data.json").get_json()
    listed = data["photos_and_recordings"]
    assert [m["kind"] for m in listed] == ["photo", "audio"]
    assert listed[0]["caption"] == "Sunset at Bygdøy" and listed[1]["transcript"] == "We love you."
    assert client.get(listed[0]["url"]).status_code == 200


def test_the_walkthrough_keeps_a_hope_step_for_photos_alone(app, client, sign_in, world):
    sign_in(world.owner)
    add_photo(client, world.plan_id)
    page = client.get("/now").get_data(as_text=True)
    assert "What matters to me" in page and 'alt="Sunset at Bygdøy"' in page


def test_the_clients_files_are_kept_offline_and_a_therapists_are_not(app, client, sign_in, world):
    sign_in(world.owner)
    add_photo(client, world.plan_id, shared=True)
    [media] = items(app, world.plan_id)
    assert file_url(media) in client.get("/api/v1/offline").get_json()["urls"]
    sign_in(world.linked_therapist)
    assert file_url(media) not in client.get("/api/v1/offline").get_json()["urls"]


def test_a_saved_pages_version_follows_its_media(app, client, sign_in, world):
    """The plan's pages' version follows what the media are (the device's offline copy and the
    crisis view's cached body follow it): adding, sharing and removing each give a new one, and
    unsharing gives back the version from before the share."""
    sign_in(world.owner)
    seen = [client.get(f"/plans/{world.plan_id}").headers["ETag"]]
    add_photo(client, world.plan_id)
    [media] = items(app, world.plan_id)
    seen.append(client.get(f"/plans/{world.plan_id}").headers["ETag"])
    assert client.get(f"/plans/{world.plan_id}").headers["ETag"] == seen[-1]
    for action, data in (("share", {"shared": "y"}), ("share", {}), ("remove", {})):
        token = csrf_token(client, f"/plans/{world.plan_id}/edit")
        assert client.post(f"/plans/{world.plan_id}/media/{media.id}/{action}",
                           data={"csrf_token": token, **data}).status_code == 302
        seen.append(client.get(f"/plans/{world.plan_id}").headers["ETag"])
    before, added, shared, unshared, removed = seen
    assert len({before, added, shared, removed}) == 4 and unshared == added


def test_a_therapist_may_remove_only_what_they_added(app, client, api, sign_in, world):
    sign_in(world.owner)
    add_photo(client, world.plan_id, shared=True)
    [media] = items(app, world.plan_id)
    sign_in(world.linked_therapist)
    editor = client.get(f"/plans/{world.plan_id}/edit").get_data(as_text=True)
    assert f"/media/{media.id}/remove" not in editor and f"/media/{media.id}/share" not in editor
    token = csrf_token(client, f"/plans/{world.plan_id}/edit")
    refused = client.post(f"/plans/{world.plan_id}/media/{media.id}/remove", data={"csrf_token": token})
    assert refused.status_code == 404
    assert not items(app, world.plan_id)[0].deleted
