"""Reasons for hope in pictures and voice, as people use them: a client adds a photo and a voice
recording (Chromium's fake camera and microphone) on "What matters to me", then opens the
walk-through's hope step with the network and the server gone and sees both; the linked
therapist sees only that they exist."""
from __future__ import annotations

import os
import time

from playwright.sync_api import expect

from support.coedit import LAPTOP, PHONE, session_world, sign_in
from support.live import CHROMIUM_ARGS, chromium_path, wait_controlled, wait_for
from support.media import photo

FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
SHOTS = os.environ.get("TRYGG_SHOTS")  # a folder: screenshots to look at


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def saved_paths(page):
    return set(page.evaluate(
        "caches.open('trygg-pages').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"))


def test_photo_and_recording_offline_in_the_hope_step_and_counts_for_the_therapist(
        server, playwright_instance, browser, tmp_path):
    client_email, therapist_email, plan_id, _ = session_world(
        server.app, items=(("support", "Mum"), ("inner_coping", "Walk by the river")))
    problems: list[str] = []

    def phone(offline=False):
        context = playwright_instance.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium_path(), headless=True,
            args=CHROMIUM_ARGS + FAKE_MEDIA, locale="en-GB", permissions=["microphone"], **PHONE)
        context.set_offline(offline)
        context.on("page", lambda p: p.on("console", lambda m: m.type == "error" and problems.append(m.text)))
        return context

    context = phone()
    page = context.new_page()
    sign_in(page, server.url, client_email)
    wait_controlled(page)
    page.goto(f"{server.url}/plans/{plan_id}/edit#reasons")
    panel = page.locator("#media-reasons")
    expect(panel).to_contain_text("Only you see your photos and recordings unless you share one with your therapist.")

    # A photo from the gallery, described for people who cannot see it.
    panel.get_by_label("Or choose a picture you have").set_input_files(
        files=[{"name": "sunset.jpg", "mimeType": "image/jpeg", "buffer": photo(1200, 900, gps=True)}])
    panel.get_by_label("Describe the photo (optional)").fill("Sunset with Mum at the lake")
    panel.get_by_role("button", name="Save photo").click()
    expect(page.locator("#media-reasons img[alt='Sunset with Mum at the lake']")).to_be_visible()

    # A recording: start, the timer runs, stop, listen back, a transcript, save.
    panel = page.locator("#media-reasons")
    panel.get_by_role("button", name="Start recording").click()
    expect(panel.locator("[data-timer]")).to_contain_text("0:01 / 2:00")
    panel.get_by_role("button", name="Stop").click()
    expect(panel.locator("[data-recorder-status]")).to_contain_text("Recorded")
    expect(panel.locator("audio[data-preview]")).to_be_visible()
    panel.get_by_label("Name the recording (optional)").fill("Mum says goodnight")
    panel.get_by_label("What is said (transcript, optional)").fill("Sleep well, we love you.")
    panel.get_by_role("button", name="Save recording").click()
    expect(panel.locator("[data-recorder-status]")).to_have_text("Saved.")
    expect(panel.locator("[data-media-list] audio")).to_have_count(1)
    shot(page, "editor-phone")

    # The walk-through, online once: the hope step's files go into the person's saved pages.
    page.goto(f"{server.url}/now")
    wait_for(page, "document.querySelectorAll('.hm-now img').length === 1")
    media = page.evaluate(
        "[...document.querySelectorAll('.hm-now img, .hm-now audio')].map(e => new URL(e.src).pathname)")
    assert len(media) == 2
    deadline = time.monotonic() + 20
    while not ({"/now", *media} <= saved_paths(page)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert {"/now", *media} <= saved_paths(page)
    context.close()

    server.stop()
    context = phone(offline=True)
    page = context.new_page()
    started = time.monotonic()
    page.goto(f"{server.url}/now")
    heading = page.locator("[data-step]:visible").get_by_role("heading", level=2)
    expect(heading).to_have_text("In danger now? Call 113")
    while heading.text_content() != "What matters to me":
        page.locator("[data-step]:visible").get_by_role("link", name="Next step").click()
    image = page.locator("[data-step]:visible img[alt='Sunset with Mum at the lake']")
    expect(image).to_be_visible()
    wait_for(page, "[...document.querySelectorAll('[data-step]:not([hidden]) img')]"
                   ".every(i => i.complete && i.naturalWidth > 0)")
    print(f"\nhope step offline: {(time.monotonic() - started) * 1000:.0f} ms from opening /now to the photo shown")
    step = page.locator("[data-step]:visible")
    expect(step.get_by_text("Mum says goodnight")).to_be_visible()
    expect(step.locator("audio")).to_have_count(1)
    wait_for(page, "document.querySelector('[data-step]:not([hidden]) audio').readyState >= 1", 15)
    step.get_by_text("What is said (transcript)").click()
    expect(step.get_by_text("Sleep well, we love you.")).to_be_visible()
    shot(page, "hope-step-offline-phone")
    context.close()
    assert not [p for p in problems if "ERR_INTERNET_DISCONNECTED" not in p], problems

    # The linked therapist, on their laptop: that they exist, not what they show.
    server.start()
    therapist = browser.new_context(locale="en-GB", **LAPTOP)
    page = therapist.new_page()
    sign_in(page, server.url, therapist_email)
    page.goto(f"{server.url}/plans/{plan_id}/edit#reasons")
    panel = page.locator("#media-reasons")
    expect(panel.locator("[data-private-counts]")).to_have_text("Only Ingrid sees these: 1 photo, 1 recording.")
    expect(panel.locator("img, audio:not([data-preview])")).to_have_count(0)
    expect(panel).not_to_contain_text("Sunset with Mum")
    expect(panel).not_to_contain_text("Mum says goodnight")
    shot(page, "editor-therapist-laptop")
    therapist.close()


def test_a_photo_is_kept_on_the_device_after_sign_in_and_gone_after_sign_out(server, profile):
    import uuid as uuid_module

    from backend.accounts.services import find_user
    from backend.db import session_scope
    from hope_media import services
    from safety_plans import plans

    client_email, _, plan_id, _ = session_world(server.app, items=(("support", "Mum"),))
    with server.app.test_request_context(), session_scope(server.app) as db:
        plan = plans.plan_of(db, find_user(db, client_email))
        media = services.add_media(db, plan, plan.owner, uuid=str(uuid_module.uuid4()), kind="photo",
                                   data=photo(), caption="The lake")
        url = services.file_url(media)
    context = profile(**LAPTOP)
    page = context.new_page()
    sign_in(page, server.url, client_email)
    wait_controlled(page)
    deadline = time.monotonic() + 20  # warmed after sign-in, without opening a page that shows it
    while url not in saved_paths(page) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert url in saved_paths(page)
    assert page.evaluate("navigator.storage.persisted !== undefined")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{server.url}/auth/login")
    assert url not in page.evaluate(
        "caches.open('trygg-pages').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))")
    assert page.request.get(server.url + url, max_redirects=0).status in (302, 401)  # signed out: not for anyone


def test_a_removed_photo_leaves_the_device_at_the_next_warming(server, profile):
    client_email, _, plan_id, _ = session_world(server.app, items=(("support", "Mum"),))
    context = profile(**LAPTOP)
    page = context.new_page()
    sign_in(page, server.url, client_email)
    wait_controlled(page)
    page.goto(f"{server.url}/plans/{plan_id}/edit#reasons")
    panel = page.locator("#media-reasons")
    panel.get_by_label("Or choose a picture you have").set_input_files(
        files=[{"name": "lake.png", "mimeType": "image/png", "buffer": photo(fmt="PNG")}])
    panel.get_by_role("button", name="Save photo").click()
    image = page.locator("#media-reasons img[alt='A photo']")
    expect(image).to_be_visible()
    url = page.evaluate("new URL(document.querySelector('#media-reasons img').src).pathname")
    deadline = time.monotonic() + 20
    while url not in saved_paths(page) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert url in saved_paths(page)
    # The sign-in's warming ends with the offline page; a second one starts only after it.
    while "/offline" not in saved_paths(page) and time.monotonic() < deadline + 20:
        time.sleep(0.2)
    time.sleep(0.5)

    page.locator("#media-reasons").get_by_role("button", name="Remove").click()
    expect(page.locator("#media-reasons img")).to_have_count(0)
    page.evaluate("sessionStorage.removeItem('trygg-warmed')")  # the next page load warms at once
    page.goto(f"{server.url}/plans/{plan_id}")
    deadline = time.monotonic() + 20
    while url in saved_paths(page) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert url not in saved_paths(page)


def test_a_recording_made_offline_waits_on_the_device_and_arrives_once(
        server, playwright_instance, tmp_path):
    from sqlalchemy import func, select

    from backend.db import session_scope
    from hope_media.models import PlanMedia

    client_email, _, plan_id, _ = session_world(server.app, items=(("support", "Mum"),))
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=chromium_path(), headless=True,
        args=CHROMIUM_ARGS + FAKE_MEDIA, locale="en-GB", permissions=["microphone"], **LAPTOP)
    try:
        page = context.new_page()
        sign_in(page, server.url, client_email)
        wait_controlled(page)
        page.goto(f"{server.url}/plans/{plan_id}/edit#reasons")
        panel = page.locator("#media-reasons")
        context.set_offline(True)
        panel.get_by_role("button", name="Start recording").click()
        expect(panel.locator("[data-timer]")).to_contain_text("0:01 / 2:00")
        panel.get_by_role("button", name="Stop").click()
        panel.get_by_label("What is said (transcript, optional)").fill("Made on the bus, no network.")
        panel.get_by_role("button", name="Save recording").click()
        expect(panel.locator("[data-recorder-status]")).to_have_text("Waiting to send")

        def stored():
            with session_scope(server.app) as db:
                return db.scalar(select(func.count()).select_from(PlanMedia).where(PlanMedia.plan_id == plan_id))

        assert stored() == 0
        context.set_offline(False)
        deadline = time.monotonic() + 20
        while stored() == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        expect(panel.locator("[data-recorder-status]")).to_have_text("Saved.")
        expect(panel.locator("[data-media-list] audio")).to_have_count(1)
        expect(panel.get_by_label("What is said (transcript, optional)")).to_have_value("")
        assert stored() == 1
        with session_scope(server.app) as db:
            assert db.scalar(select(PlanMedia.transcript)) == "Made on the bus, no network."
    finally:
        context.close()


def test_an_iphone_photo_on_paper_for_the_client_and_only_its_count_for_the_therapist(server, browser):
    """A HEIC from the gallery is taken (as a JPEG without its location) and printed with its
    caption; the linked therapist's print of the same plan shows only that a photo exists."""
    from support.media import heic

    client_email, therapist_email, plan_id, _ = session_world(server.app, items=(("support", "Mum"),))
    phone = browser.new_context(locale="en-GB", **PHONE)
    page = phone.new_page()
    sign_in(page, server.url, client_email)
    page.goto(f"{server.url}/plans/{plan_id}/edit#reasons")
    panel = page.locator("#media-reasons")
    panel.get_by_label("Or choose a picture you have").set_input_files(
        files=[{"name": "IMG_0042.HEIC", "mimeType": "image/heic", "buffer": heic(1200, 900)}])
    panel.get_by_label("Describe the photo (optional)").fill("Mum and me at the cabin")
    panel.get_by_role("button", name="Save photo").click()
    expect(page.locator("#media-reasons img[alt='Mum and me at the cabin']")).to_be_visible()

    for size, context in (("390", phone), ("1280", browser.new_context(locale="en-GB", **LAPTOP))):
        if context is not phone:
            page = context.new_page()
            sign_in(page, server.url, client_email)
        page.goto(f"{server.url}/plans/{plan_id}/print")
        picture = page.locator("figure.hm-print-photo img[alt='Mum and me at the cabin']")
        expect(picture).to_be_visible()
        # Loaded through the access-checked route, upright (the HEIC was taken turned on its side).
        assert page.evaluate("img => [img.naturalWidth, img.naturalHeight]", picture.element_handle()) == [900, 1200]
        box = picture.bounding_box()
        assert box and box["width"] <= int(size)  # never wider than the screen
        expect(page.get_by_text("photos can take it onto a second page")).to_be_visible()
        shot(page, f"print-photo-client-{size}")

    therapist = browser.new_context(locale="en-GB", **LAPTOP).new_page()
    sign_in(therapist, server.url, therapist_email)
    therapist.goto(f"{server.url}/plans/{plan_id}/print")
    expect(therapist.get_by_text("Only Ingrid sees these: 1 photo.")).to_be_visible()
    assert therapist.locator("figure.hm-print-photo").count() == 0
    expect(therapist.get_by_text("The plan fits on one page")).to_be_visible()  # a count adds no page
    shot(therapist, "print-photo-therapist-1280")
