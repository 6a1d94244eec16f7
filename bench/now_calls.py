"""Where the calls sit on every step of "I need help now" (/now), in headless Chromium.

Starts a live Trygg on a temporary SQLite database, signs in a client whose plan fills every
section (so the walk-through has all nine steps), opens /now at 360x740 (and 390x844) in nb and sv
and steps through with "Next step". For each step it prints the y (top..bottom, CSS px from the
top of the viewport) of the step's own emergency call (`tel:113`), of the first own person's call,
and of the help strip's emergency call; "(below)" marks one under the first screen, "-" a step
without it.

    .venv/bin/python bench/now_calls.py [--shots DIR]

Prints figures; it does not pass or fail (tests/e2e/test_now_calls_browser.py does).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from playwright.sync_api import sync_playwright  # noqa: E402

from backend.accounts.services import create_user  # noqa: E402
from backend.db import session_scope  # noqa: E402
from backend.i18n_tools import compile_all  # noqa: E402
from support.live import CHROMIUM_ARGS, chromium_path, start_live_server  # noqa: E402

PASSWORD = "a calm walk by the river"
SIZES = ((360, 740), (390, 844))
LANGS = {"nb": "nb-NO", "sv": "sv-SE"}
STRIP_CALL = '.help-strip a[href="tel:113"]'
STEP_CALL = '[data-step]:visible a[href="tel:113"]'
FIRST_PERSON = '[data-step]:visible a[href="tel:+4791234567"]'  # "Mamma", the first of the plan's own people
MAX_STEPS = 12  # the walk-through has at most nine; stop in any case


def full_plan_ops() -> list[dict]:
    """Something in every section a step shows: nine steps in all."""
    from support.plans import add_op

    return [
        add_op("warning_signs", "Jeg slutter å svare på meldinger"),
        add_op("inner_coping", "Holde noe kaldt i hånden"),
        add_op("inner_coping", "Gå en tur rundt kvartalet"),
        add_op("distraction", "Biblioteket på Grünerløkka"),
        add_op("support", "Mamma", phone="+47 912 34 567", agreed=True, sms_message="Kan du ringe meg?"),
        add_op("support", "Søster Kari", phone="+47 999 88 777"),
        add_op("professionals", "Fastlegen min", phone="+47 22 00 00 00"),
        add_op("safe_environment", "Kari tar vare på medisinene mine"),
        add_op("reasons", "Katten min Pus"),
        add_op("reasons", "Turen til Lofoten i sommer"),
    ]


def seed(app, lang: str) -> str:
    """A Norwegian client with a full plan; returns the email."""
    from safety_plans import ops, plans

    email = f"now-{lang}@example.org"
    with app.test_request_context(), session_scope(app) as db:
        user = create_user(db, email, PASSWORD, role="client", locale=lang, country="NO", display_name="Ingrid")
        plan = plans.get_or_create_plan(db, user)
        ops.apply_ops(db, plan, user, full_plan_ops())
    return email


def box_of(page, selector: str):
    """(top, bottom) of the first visible match, or None."""
    for handle in page.locator(selector).all():
        if handle.is_visible():
            box = handle.bounding_box()
            if box:
                return box["y"], box["y"] + box["height"]
    return None


def walk(browser, url: str, email: str, lang: str, size: tuple[int, int], shots: Path | None) -> list[tuple]:
    """Sign in, open /now, step through; one row per step: (n, title, emergency, first person)."""
    context = browser.new_context(
        locale=LANGS[lang], viewport={"width": size[0], "height": size[1]}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{url}/auth/login?lang={lang}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url("**/plans/*")
    page.goto(f"{url}/now")
    rows = []
    for n in range(1, MAX_STEPS + 1):
        step = page.locator("[data-step]:visible")
        title = step.locator(".now-title").inner_text()
        rows.append((n, title, box_of(page, STEP_CALL), box_of(page, FIRST_PERSON), box_of(page, STRIP_CALL)))
        if shots:
            page.screenshot(path=str(shots / f"now-{lang}-{size[0]}-step{n}.png"))
        following = step.locator("[data-next]")
        if not following.count():
            break
        following.click()
        page.locator(f"#step-{n + 1}").wait_for(state="visible")
    context.close()
    return rows


def show(box, height: int) -> str:
    """A box as "top..bottom", marked when it reaches below the first screen."""
    if box is None:
        return "-"
    return f"{box[0]:.0f}..{box[1]:.0f}" + ("" if box[1] <= height else " (below)")


def main() -> int:
    """Measure and print one table per language and size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, help="save a screenshot of every step here")
    args = parser.parse_args()
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    compile_all()
    with tempfile.TemporaryDirectory() as tmp:
        server, thread, live, _ = start_live_server(Path(tmp))
        try:
            emails = {lang: seed(live.app, lang) for lang in LANGS}
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
                for size in SIZES:
                    for lang in LANGS:
                        rows = walk(browser, live.url, emails[lang], lang, size, args.shots)
                        print(f"\n/now, {lang}, {size[0]}x{size[1]}: y of the calls (CSS px, top..bottom)")
                        print(
                            f"{'step':>4}  {'emergency call':<16}  {'first own person':<16}  {'strip call':<12}  title"
                        )
                        for n, title, emergency, person, strip in rows:
                            print(
                                f"{n:>4}  {show(emergency, size[1]):<16}  {show(person, size[1]):<16}  "
                                f"{show(strip, size[1]):<12}  {title}"
                            )
                browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
