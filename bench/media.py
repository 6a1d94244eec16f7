"""Photos and recordings: what they cost on disk and how fast the walk-through's hope step opens
offline with them.

- storage per photo: a 12-megapixel test photo (4000x3000, photo-like detail, saved as a phone
  would at JPEG quality 92, with EXIF) before and after Trygg re-encodes it (≤ 1600 px, JPEG 82,
  no metadata);
- storage per minute of audio: Chromium's MediaRecorder (audio/webm;codecs=opus at 48 kbit/s, as
  hope_media/static/recorder.js asks) recording the fake microphone for 15 s on the editor page, scaled to a minute;
- offline open of the hope step: a client with two photos on "What matters to me"; with the server
  stopped and the browser offline, the median time from starting the navigation to /now#<hope
  step> until both photos are decoded and shown, over many opens.

Prints figures; it does not pass or fail.
"""
from __future__ import annotations

import io
import logging
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from PIL import Image, ImageFilter  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from backend.accounts.services import create_user  # noqa: E402
from backend.db import session_scope  # noqa: E402
from backend.i18n_tools import compile_all  # noqa: E402
from hope_media import files, services  # noqa: E402
from safety_plans import ops, plans  # noqa: E402
from support.live import CHROMIUM_ARGS, chromium_path, start_live_server  # noqa: E402
from support.plans import add_op  # noqa: E402

PASSWORD = "a calm walk by the river"
OPENS = 15
RECORD_SECONDS = 15
SAVED = "caches.open('trygg-pages').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"


def phone_photo(seed: int) -> bytes:
    """A 12 MP photo-like image (smooth gradients with grain, like a sky over a landscape)."""
    small = Image.effect_noise((400, 300), 60 + seed).convert("RGB")
    big = small.resize((4000, 3000), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    grain = Image.effect_noise((4000, 3000), 18).convert("RGB")
    image = Image.blend(big, grain, 0.15)
    gradient = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    image = Image.blend(image, gradient, 0.4)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (59.0, 54.0, 48.0), 3: "E", 4: (10.0, 45.0, 36.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def seed(app, photos: list[bytes]) -> tuple[str, int]:
    """A client with a short plan and two photos on "What matters to me"."""
    with app.test_request_context(), session_scope(app) as db:
        user = create_user(db, "media-bench@example.org", PASSWORD, role="client", locale="en", country="NO")
        plan = plans.get_or_create_plan(db, user)
        ops.apply_ops(db, plan, user, [add_op("support", "Mum", phone="+47 912 34 567"),
                                       add_op("reasons", "My children")])
        for n, data in enumerate(photos):
            services.add_media(db, plan, user, uuid=str(uuid.uuid4()), kind="photo", data=data,
                               caption=f"Photo {n + 1}")
        return user.email, plan.id


def main() -> int:
    """Run the measurements and print them."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    compile_all()
    originals = [phone_photo(0), phone_photo(1)]
    started = time.perf_counter()
    stored = [files.check_photo(data) for data in originals]
    encode_ms = (time.perf_counter() - started) * 1000 / len(originals)
    import pillow_heif  # an iPhone's 12 MP HEIC of the same picture

    iphone = io.BytesIO()
    pillow_heif.from_pillow(Image.open(io.BytesIO(originals[0]))).save(iphone, format="HEIF", quality=80)
    started = time.perf_counter()
    from_heic = files.check_photo(iphone.getvalue())
    heic_ms = (time.perf_counter() - started) * 1000
    with tempfile.TemporaryDirectory() as tmp:
        server, thread, live, _ = start_live_server(Path(tmp))
        base = live.url
        email, plan_id = seed(live.app, originals)
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(Path(tmp) / "profile"), executable_path=chromium_path(), headless=True,
                args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
                locale="en-GB", viewport={"width": 390, "height": 844}, permissions=["microphone"])
            page = context.new_page()
            page.goto(f"{base}/auth/login?lang=en")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_selector(".sp-help")

            page.goto(f"{base}/plans/{plan_id}/edit")
            audio_bytes = page.evaluate("""async (seconds) => {
              const stream = await navigator.mediaDevices.getUserMedia({audio: true});
              const recorder = new MediaRecorder(stream,
                {mimeType: 'audio/webm;codecs=opus', audioBitsPerSecond: 48000});
              const chunks = [];
              recorder.ondataavailable = (e) => chunks.push(e.data);
              const done = new Promise((resolve) => { recorder.onstop = resolve; });
              recorder.start(1000);
              await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
              recorder.stop();
              await done;
              stream.getTracks().forEach((t) => t.stop());
              return new Blob(chunks).size;
            }""", RECORD_SECONDS)

            page.goto(f"{base}/now")
            hope = page.evaluate("document.querySelector('.hm-now').closest('[data-step]').id")
            media = page.evaluate("[...document.querySelectorAll('.hm-now img')].map(e => new URL(e.src).pathname)")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not {"/now", *media} <= set(page.evaluate(SAVED)):
                time.sleep(0.2)
            server.shutdown()
            thread.join(timeout=5)
            context.set_offline(True)
            timings = []
            shown = (f"[...document.querySelectorAll('#{hope} img')]"
                     ".every(i => i.complete && i.naturalWidth > 0) && !document.getElementById('" + hope + "').hidden")
            for _ in range(OPENS):
                page.goto("about:blank")
                start = time.perf_counter()
                page.goto(f"{base}/now#{hope}", wait_until="commit")
                while not page.evaluate(shown):
                    time.sleep(0.005)
                timings.append((time.perf_counter() - start) * 1000)
            context.close()

    print("photos and recordings (hope_media), headless Chromium")
    for n, (before, after) in enumerate(zip(originals, stored, strict=True), 1):
        print(f"  photo {n}: 12 MP JPEG q92 from a phone {len(before):,} bytes -> stored {len(after.data):,} bytes "
              f"({after.width}x{after.height}, JPEG q{files.JPEG_QUALITY}, no EXIF)")
    print(f"  re-encoding a 12 MP photo: {encode_ms:.0f} ms each on this machine")
    print(f"  iPhone HEIC, 12 MP: {iphone.tell():,} bytes -> stored {len(from_heic.data):,} bytes "
          f"({from_heic.width}x{from_heic.height} JPEG) in {heic_ms:.0f} ms")
    per_minute = audio_bytes / RECORD_SECONDS * 60
    print(f"  audio: MediaRecorder webm/opus 48 kbit/s, {RECORD_SECONDS} s = {audio_bytes:,} bytes -> "
          f"{per_minute / 1024:,.0f} KB per minute (a 2-minute recording ~{2 * per_minute / 1024:,.0f} KB; limit 3 MB)")
    print(f"  offline open of the walk-through's hope step with two photos (/now#{hope}): median "
          f"{statistics.median(timings):.0f} ms, max {max(timings):.0f} ms over {len(timings)} opens")
    return 0


if __name__ == "__main__":
    sys.exit(main())
