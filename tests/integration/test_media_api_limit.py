"""The recorder's API takes what the recorder makes at its longest (issue 26, point 7): on `make
run`'s server, a real two-minute Opus recording of exactly the size limit, with the longest caption
and transcript, is stored; a body one byte over the limit is refused with 413 and the reason in the
person's language. The limit is stated once (`hope_media.files.AUDIO_MAX_MB`): the server, the
OpenAPI document and the page all say the same."""
from __future__ import annotations

import base64
import json
import re
import uuid

import pytest
from sqlalchemy import create_engine, select

from hope_media import files
from hope_media.models import PlanMedia
from support import gunicorn
from support.opus import ogg_opus

# A transcript of the longest kind, in Norwegian (æøå are two bytes each in UTF-8).
TRANSCRIPT = ("Du klarer dette. Pust rolig, kjenn føttene mot gulvet, se på noe blått rundt deg. " * 30)[:2000]
CAPTION = ("Mamma sier god natt – hør når det er tungt. " * 10)[:300]


@pytest.fixture(scope="module")
def longest():
    """Two minutes of real Opus in Ogg, padded to exactly the limit (one encoding per module)."""
    return ogg_opus(seconds=files.AUDIO_MAX_SECONDS, bitrate=190_000, size=files.AUDIO_MAX_BYTES)


@pytest.fixture
def server(tmp_path):
    """`make run`'s server on a fresh database with Ingrid and her plan."""
    from support.databases import drop_database, fresh_database_url

    seeded = gunicorn.seed(fresh_database_url(tmp_path), tmp_path / "instance")
    process, url = gunicorn.start(seeded, {"WORKERS": "1"})
    yield seeded, url
    gunicorn.stop(process)
    drop_database(seeded.db_url)


def _body(data: bytes, **fields) -> dict:
    """What the recorder sends (recorder.js): the recording in base64 and its words."""
    return {"uuid": str(uuid.uuid4()), "kind": "audio", "data": base64.b64encode(data).decode(), "caption": CAPTION,
            "transcript": TRANSCRIPT, "duration_ms": files.AUDIO_MAX_SECONDS * 1000, "section": "reasons",
            "shared": False, **fields}


def _encoded(body: dict, size: int | None = None) -> bytes:
    """The body as the browser's JSON.stringify writes it; with `size`, made exactly that long with
    whitespace after the object (still the same JSON)."""
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    if size is not None:
        assert len(raw) <= size
        raw += b" " * (size - len(raw))
    return raw


def _post(browser, url: str, plan_id: int, raw: bytes):
    return browser.post(f"{url}/api/v1/plans/{plan_id}/media", data=raw, timeout=60,
                        headers={"Content-Type": "application/json"})


def _stored(db_url: str) -> list[tuple[int, int]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(select(PlanMedia.bytes, PlanMedia.duration_ms)
                                                       .order_by(PlanMedia.id))]
    finally:
        engine.dispose()


def test_the_longest_recording_is_stored_and_one_byte_more_is_refused_in_words(server, longest):
    seeded, url = server
    browser = gunicorn.signed_in(url, seeded.client_email)
    chose = browser.post(f"{url}/language", data={"lang": "nb", "next": "/"}, allow_redirects=False)
    assert chose.status_code == 302  # she chose Norwegian on the language switch
    assert len(longest) == files.AUDIO_MAX_BYTES

    # The longest recording, with the longest words: stored whole.
    answer = _post(browser, url, seeded.plan_id, _encoded(_body(longest)))
    assert answer.status_code == 201, answer.text[:300]
    heard = browser.get(url + answer.json()["url"], timeout=30)
    assert heard.status_code == 200 and heard.content == longest and heard.headers["Content-Type"] == "audio/ogg"

    # The same, with the body made exactly as long as the limit allows: still stored.
    answer = _post(browser, url, seeded.plan_id, _encoded(_body(longest), size=files.API_BODY_MAX_BYTES))
    assert answer.status_code == 201, answer.text[:300]
    assert _stored(seeded.db_url) == [(files.AUDIO_MAX_BYTES, 120_000)] * 2

    # One byte over the body limit: refused before it is read, and said in her language.
    refused = _post(browser, url, seeded.plan_id, _encoded(_body(longest), size=files.API_BODY_MAX_BYTES + 1))
    assert refused.status_code == 413
    words = f"Et opptak kan være på høyst {files.AUDIO_MAX_MB} MB. Prøv et kortere opptak."
    assert refused.json() == {"error": "recording_too_big", "field": "file", "status": 413, "message": words}

    # A recording one byte over its own limit (the body fits): refused with the same words.
    over = ogg_opus(seconds=files.AUDIO_MAX_SECONDS, bitrate=190_000, size=files.AUDIO_MAX_BYTES + 1)
    refused = _post(browser, url, seeded.plan_id, _encoded(_body(over, caption="", transcript="")))
    assert refused.status_code == 413
    assert refused.json() == {"error": "recording_too_big", "field": "file", "status": 413, "message": words}
    assert len(_stored(seeded.db_url)) == 2

    # The server is still fine for the next request on this connection's session.
    assert browser.get(f"{url}/plans/{seeded.plan_id}/edit", timeout=10).status_code == 200


def test_the_limit_is_stated_once(app, client, sign_in, world):
    """The OpenAPI document and the recorder's page carry the same limit the server applies."""
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["paths"]["/api/v1/plans/{plan_id}/media"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    longest = [branch["properties"]["data"]["maxLength"] for branch in [schema, *schema.get("oneOf", [])]
               if "maxLength" in branch["properties"].get("data", {})]
    assert longest == [files.base64_size(files.AUDIO_MAX_BYTES)]
    assert f"{files.AUDIO_MAX_MB} MB" in schema["properties"]["data"]["description"]
    assert files.API_BODY_MAX_BYTES > longest[0]  # the words beside it fit too

    sign_in(world.owner)
    page = client.get(f"/plans/{world.plan_id}/edit").get_data(as_text=True)
    form = re.search(r"<form[^>]*data-recorder[^>]*>", page, re.S).group(0)
    assert f'data-max-bytes="{files.AUDIO_MAX_BYTES}"' in form
    assert f"Up to {files.AUDIO_MAX_SECONDS // 60} minutes and {files.AUDIO_MAX_MB} MB." in page
    assert f'data-w-too-big="A recording can be at most {files.AUDIO_MAX_MB} MB. Try a shorter one."' in form
