"""Photos, recordings and messages on paper: the print view and the PDF carry what the person
printing may see (a photo as a picture, a recording as its words, a message with who wrote it),
and only the count of what the client keeps to themselves."""
from __future__ import annotations

import io
import uuid
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select
from test_hope_media import add_photo, add_recording, file_url, items

from backend.audit import AccessEvent
from backend.db import session_scope
from support.forms import csrf_token

MESSAGE = "I have got through this before."


def add_message(client, plan_id, text=MESSAGE, shared=False, section="reasons"):
    token = csrf_token(client, f"/plans/{plan_id}/edit")
    form = {"csrf_token": token, "uuid": str(uuid.uuid4()), "kind": "message", "section": section, "caption": text}
    if shared:
        form["shared"] = "y"
    response = client.post(f"/plans/{plan_id}/media", data=form)
    assert response.status_code == 302
    return response


def share(client, plan_id, media_id):
    token = csrf_token(client, f"/plans/{plan_id}/edit")
    assert client.post(f"/plans/{plan_id}/media/{media_id}/share",
                       data={"csrf_token": token, "shared": "y"}).status_code == 302


def printed(client, plan_id) -> str:
    response = client.get(f"/plans/{plan_id}/print")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def pdf(client, plan_id) -> tuple[str, int]:
    """The PDF's text and how many images its pages hold."""
    response = client.get(f"/plans/{plan_id}/plan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(response.data)).pages
    return " ".join(page.extract_text() for page in pages), sum(len(page.images) for page in pages)


def _client_adds_everything(app, client, api, world):
    add_photo(client, world.plan_id)
    add_message(client, world.plan_id)
    assert add_recording(api, world.plan_id).status_code == 201
    return items(app, world.plan_id)


def test_a_clients_print_view_and_pdf_show_their_photo_recording_and_message(app, client, api, sign_in, world):
    sign_in(world.owner)
    photo, _message, _recording = _client_adds_everything(app, client, api, world)
    html = printed(client, world.plan_id)
    assert f'<img src="{file_url(photo)}" alt="Sunset at Bygdøy"' in html
    assert "<figcaption>Sunset at Bygdøy</figcaption>" in html
    assert f"“{MESSAGE}” — Ingrid" in html
    assert "Recording: Mum says hello — We love you." in html
    assert "Only Ingrid sees these" not in html  # the client sees everything: no private count
    assert "photos can take it onto a second page" in html and "fits on one page" not in html
    assert client.get(file_url(photo)).status_code == 200  # the picture's src answers

    text, images = pdf(client, world.plan_id)
    assert MESSAGE in text and "Ingrid" in text
    assert "Recording: Mum says hello — We love you." in text and "Sunset at Bygdøy" in text
    assert images == 1


def test_a_therapist_prints_only_what_was_shared_and_a_count_of_the_rest(app, client, api, sign_in, world):
    sign_in(world.owner)
    photo, message, _recording = _client_adds_everything(app, client, api, world)
    share(client, world.plan_id, message.id)
    sign_in(world.linked_therapist)
    add_message(client, world.plan_id, "You matter to the people around you.")

    html = printed(client, world.plan_id)
    assert f"“{MESSAGE}” — Ingrid" in html
    assert "“You matter to the people around you.” — Dr Berg" in html
    assert "Only Ingrid sees these: 1 photo, 1 recording." in html
    assert "Sunset at Bygdøy" not in html and photo.file_name not in html and "<img" not in html
    assert "Mum says hello" not in html and "We love you." not in html

    text, images = pdf(client, world.plan_id)
    assert MESSAGE in text and "You matter to the people around you." in text
    assert "Only Ingrid sees these: 1 photo, 1 recording." in text
    assert "Sunset at Bygdøy" not in text and "Mum says hello" not in text
    assert images == 0


def test_a_shared_photo_is_in_the_therapists_pdf_and_the_clients_access_log(app, client, api, sign_in, world):
    sign_in(world.owner)
    add_photo(client, world.plan_id, shared=True)
    [photo] = items(app, world.plan_id)
    sign_in(world.linked_therapist)
    assert 'alt="Sunset at Bygdøy"' in printed(client, world.plan_id)
    text, images = pdf(client, world.plan_id)
    assert images == 1 and "Sunset at Bygdøy" in text and "Only Ingrid sees these" not in text
    with app.app_context(), session_scope(app) as db:
        events = db.execute(select(AccessEvent.action, AccessEvent.object_type, AccessEvent.object_id)).all()
    assert ("open", "media", photo.id) in [tuple(e) for e in events]


def test_media_in_my_hope_print_even_without_written_words(app, client, sign_in, world):
    sign_in(world.owner)
    add_message(client, world.plan_id, "One day I will see the northern lights.", section="hope_for")
    html = printed(client, world.plan_id)
    hope = html[html.index('class="sp-print-hope"'):]
    assert "What I hope for" in hope and "“One day I will see the northern lights.” — Ingrid" in hope
    text, _images = pdf(client, world.plan_id)
    assert "My hope\nWhat I hope for" in text and "One day I will see the northern lights." in text


def test_a_photo_whose_file_is_gone_leaves_its_caption_in_the_pdf(app, client, sign_in, world):
    sign_in(world.owner)
    add_photo(client, world.plan_id)
    [photo] = items(app, world.plan_id)
    (Path(app.instance_path) / "media" / str(world.plan_id) / photo.file_name).unlink()
    text, images = pdf(client, world.plan_id)
    assert images == 0 and "Sunset at Bygdøy" in text


def test_the_print_and_the_pdf_speak_the_readers_language(app, client, api, sign_in, world):
    sign_in(world.owner)
    assert add_recording(api, world.plan_id, caption="Mamma", transcript="Vi er glade i deg.").status_code == 201
    sign_in(world.linked_therapist)
    client.get("/help?lang=nb")
    assert "Bare Ingrid ser disse: 1 opptak." in printed(client, world.plan_id)
    sign_in(world.owner)
    client.get("/help?lang=sv")
    text, _images = pdf(client, world.plan_id)
    assert "Inspelning: Mamma — Vi er glade i deg." in text
