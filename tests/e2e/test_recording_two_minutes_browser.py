"""The longest recording arrives (issue 26, point 7): Chromium's fake microphone speaks into the
recorder on "What matters to me" for the full two minutes; the client saves it on the bus with no
network, so it waits in the outbox (IndexedDB), and when the network is back it is sent and the
server holds two minutes of sound. A recording of the limit's full size goes the same way through
the same outbox. One two-minute test only: it takes two minutes."""
from __future__ import annotations

import base64
import math
import random
import struct
import time
import uuid
import wave

from playwright.sync_api import expect
from sqlalchemy import select

from hope_media import files
from support.coedit import LAPTOP, session_world, sign_in
from support.live import CHROMIUM_ARGS, chromium_path, wait_controlled
from support.opus import ogg_opus

FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
RATE = 48_000


def voice_wav(path, seconds=10) -> None:
    """Something like a voice for the fake microphone (Chromium plays the file in a loop):
    syllables of a gliding low tone with overtones and breath."""
    noise = random.Random(7)
    samples = bytearray()
    for i in range(seconds * RATE):
        t = i / RATE
        syllable = max(0.0, math.sin(2 * math.pi * 3 * t)) ** 2
        pitch = 160 + 40 * math.sin(2 * math.pi * 0.5 * t)
        value = syllable * (0.5 * math.sin(2 * math.pi * pitch * t) + 0.2 * math.sin(2 * math.pi * 3 * pitch * t)
                            + 0.05 * noise.uniform(-1, 1))
        samples += struct.pack("<h", int(value * 32767 * 0.8))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(samples))


def stored(app, plan_id):
    from backend.db import session_scope
    from hope_media.models import PlanMedia

    with session_scope(app) as db:
        return [(m.bytes, m.duration_ms, m.mime, m.file_name, m.caption)
                for m in db.scalars(select(PlanMedia).where(PlanMedia.plan_id == plan_id).order_by(PlanMedia.id))]


def test_a_two_minute_recording_made_offline_is_sent_by_the_outbox(server, playwright_instance, tmp_path):
    client_email, _, plan_id, _ = session_world(server.app, items=(("support", "Mum"),))
    wav = tmp_path / "voice.wav"
    voice_wav(wav)
    problems: list[str] = []
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=chromium_path(), headless=True,
        args=CHROMIUM_ARGS + FAKE_MEDIA + [f"--use-file-for-fake-audio-capture={wav}"], locale="en-GB",
        permissions=["microphone"], **LAPTOP)
    context.on("page", lambda p: p.on("console", lambda m: m.type == "error" and problems.append(m.text)))
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        sign_in(page, server.url, client_email)
        wait_controlled(page)
        page.goto(f"{server.url}/plans/{plan_id}/edit#reasons")
        panel = page.locator("#media-reasons")

        # Two minutes: the recorder stops by itself at its limit.
        panel.get_by_role("button", name="Start recording").click()
        expect(panel.locator("[data-timer]")).to_contain_text("0:01 / 2:00")
        started = time.monotonic()
        expect(panel.locator("[data-recorder-status]")).to_contain_text(
            "Recorded 2:00", timeout=(files.AUDIO_MAX_SECONDS + 30) * 1000)
        assert time.monotonic() - started >= files.AUDIO_MAX_SECONDS - 2

        # On the bus: saved with no network, it waits on the device.
        context.set_offline(True)
        panel.get_by_label("Name the recording (optional)").fill("Two minutes from Mum")
        panel.get_by_role("button", name="Save recording").click()
        expect(panel.locator("[data-recorder-status]")).to_have_text("Waiting to send")
        # And a recording of the limit's full size (real Opus, two minutes), into the same outbox.
        longest = ogg_opus(seconds=files.AUDIO_MAX_SECONDS, bitrate=190_000, size=files.AUDIO_MAX_BYTES)
        body = {"uuid": str(uuid.uuid4()), "kind": "audio", "data": base64.b64encode(longest).decode(),
                "caption": "The longest", "transcript": "", "duration_ms": files.AUDIO_MAX_SECONDS * 1000,
                "section": "reasons", "shared": False}
        queued = page.evaluate(
            """async ([url, body]) => (await self.TryggOutbox.send({url, method: 'POST', body, kind: 'media',
                 label: 'A recording', csrf: document.querySelector('meta[name=csrf-token]').content})).type""",
            [f"/api/v1/plans/{plan_id}/media", body])
        assert queued == "waiting"
        waiting = page.evaluate("self.TryggOutbox.pending().then(all => all.map(e => e.body.data.length))")
        assert len(waiting) == 2 and waiting[1] == len(body["data"])
        recorded_bytes = len(base64.b64decode(page.evaluate(
            "self.TryggOutbox.pending().then(all => all[0].body.data)")))
        assert stored(server.app, plan_id) == []

        # The network is back: both are sent, once each, and nothing is left waiting or refused.
        context.set_offline(False)
        expect(panel.locator("[data-recorder-status]")).to_have_text("Saved.", timeout=30_000)
        deadline = time.monotonic() + 30
        while len(stored(server.app, plan_id)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        refused = page.evaluate("self.TryggOutbox.rejected().then(all => all.map(e => e.rejected))")
        assert refused == [] and page.evaluate("self.TryggOutbox.all().then(all => all.length)") == 0, refused
        [recording, full] = stored(server.app, plan_id)
        assert recording[0] == recorded_bytes and recording[2] == "audio/webm"
        assert abs(recording[1] - files.AUDIO_MAX_SECONDS * 1000) <= 1000
        assert full[:3] == (files.AUDIO_MAX_BYTES, files.AUDIO_MAX_SECONDS * 1000, "audio/ogg")

        # What the server keeps is two minutes of sound, as the browser decodes it.
        heard = page.evaluate("""async (url) => {
            const data = await (await fetch(url, {credentials: 'same-origin'})).arrayBuffer();
            const audio = await new OfflineAudioContext(1, 48000, 48000).decodeAudioData(data);
            return audio.duration; }""", f"/plans/{plan_id}/media/{recording[3]}")
        assert abs(heard - files.AUDIO_MAX_SECONDS) <= 1.5, heard
        print(f"\ntwo-minute recording from Chromium: {recorded_bytes:,} bytes ({heard:.1f} s decoded); "
              f"the limit: {files.AUDIO_MAX_BYTES:,} bytes")
    finally:
        context.close()
    assert not [p for p in problems if "ERR_INTERNET_DISCONNECTED" not in p], problems
