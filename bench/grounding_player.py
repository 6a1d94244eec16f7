"""Grounding player in headless Chromium: input-to-next-step time and layout shift while stepping.

Starts a live Trygg on a temporary SQLite database, signs a client in, opens an exercise and
steps through it many times with real (CDP) mouse clicks on "Next" / "Back".

- input-to-next-step: from the pointerdown event's timestamp to the start of the first animation
  frame after the step panel changed (that frame paints the new step). One frame at 60 Hz is
  16.7 ms.
- layout shift: every `layout-shift` entry while stepping, *including* the ones the CLS metric
  forgives because they follow input (hadRecentInput) — stepping is input, so those are the ones
  that matter here. Also the largest movement (px) of the Next button between steps.

Prints figures; it does not pass or fail.
"""
from __future__ import annotations

import logging
import statistics
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

EXERCISES = ("five-senses", "gentle-breathing")  # a plain one, and one with the animated pacer
ROUNDS = 40  # forward then back through the steps, this many times
PASSWORD = "a calm walk by the river"

INSTRUMENT = """() => {
  window.__bench = { latencies: [], shifts: [], allShift: 0, inputShift: 0, lastDown: null };
  const b = window.__bench;
  addEventListener('pointerdown', (e) => { b.lastDown = e.timeStamp; }, true);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      b.allShift += entry.value;
      if (entry.hadRecentInput) b.inputShift += entry.value;
      b.shifts.push(entry.value);
    }
  }).observe({ type: 'layout-shift', buffered: false });
  const stage = document.querySelector('[data-stage]');
  new MutationObserver(() => {
    if (b.lastDown === null) return;
    const down = b.lastDown;
    b.lastDown = null;
    requestAnimationFrame((frameStart) => { b.latencies.push(frameStart - down); });
  }).observe(stage, { attributes: true, subtree: true, attributeFilter: ['class'] });
}"""


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def measure(page, base_url: str, slug: str):
    """Step forward and back through one exercise; returns (slug, steps, clicks, moved px, figures)."""
    page.goto(f"{base_url}/grounding/{slug}")
    page.get_by_role("button", name="Start without rating").click()
    page.evaluate(INSTRUMENT)
    steps = page.locator("[data-panel=step]").count()
    next_button = page.locator("[data-action=next]")
    back_button = page.locator("[data-action=back]")
    moved = 0.0
    start_box = next_button.bounding_box()
    clicks = 0
    for _ in range(ROUNDS):
        for _ in range(steps - 1):
            next_button.click()
            clicks += 1
            box = next_button.bounding_box()
            moved = max(moved, abs(box["y"] - start_box["y"]), abs(box["x"] - start_box["x"]))
        for _ in range(steps - 1):
            back_button.click()
            clicks += 1
    page.wait_for_timeout(200)
    return slug, steps, clicks, moved, page.evaluate("window.__bench")


def report(slug: str, steps: int, clicks: int, moved: float, result: dict) -> None:
    """Print one exercise's figures."""
    latencies = result["latencies"]
    print(f"grounding player ({slug}, {steps} steps), headless Chromium, {clicks} step clicks")
    print(f"  input-to-next-step  p50 {statistics.median(latencies):.1f} ms   p95 {percentile(latencies, 95):.1f} ms"
          f"   max {max(latencies):.1f} ms   (n={len(latencies)}; one frame = 16.7 ms)")
    print(f"  layout shift while stepping: {result['allShift']:.4f} total "
          f"({len(result['shifts'])} entries; {result['inputShift']:.4f} of it right after input)")
    print(f"  Next button moved by at most {moved:.1f} px")


def main() -> int:
    """Run the measurement and print the figures."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log in the figures
    compile_all()
    with tempfile.TemporaryDirectory() as tmp:
        server, thread, live, _ = start_live_server(Path(tmp))
        try:
            with live.app.test_request_context(), session_scope(live.app) as db:
                create_user(db, "bench@example.org", PASSWORD, role="client", locale="en")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 390, "height": 844})
                page.goto(live.url + "/auth/login?lang=en")
                page.get_by_label("Email").fill("bench@example.org")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_load_state()
                results = [measure(page, live.url, slug) for slug in EXERCISES]
                browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=5)
    for slug, steps, clicks, moved, result in results:
        report(slug, steps, clicks, moved, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
