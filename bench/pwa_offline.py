"""The installable app in headless Chromium: what the crisis view costs and how fast it opens offline.

Starts a live Trygg on a temporary SQLite database, signs a client with a filled plan in through
a persistent Chromium profile, and measures:

- crisis view, cold (new profile, nothing cached): requests and bytes on the wire (compressed),
  the HTML response alone, and what blocks rendering;
- crisis view, warm (service worker installed and the page saved): requests that reach the
  network;
- JavaScript: compressed bytes of every script each main page loads (budget 50 KB per page);
- offline open: with the server stopped and the context offline, the median time from starting
  the navigation to the plan's first section being visible (target <= 300 ms), over many opens;
  the same for "I need help now" (/now, the home-screen shortcut) to its first step;
- the crisis view's first screen at 390x844: the y of the emergency call and of the first call
  link to one of the person's own people (both must end above 844).

Prints figures; it does not pass or fail.
"""

from __future__ import annotations

import gzip
import logging
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from playwright.sync_api import sync_playwright  # noqa: E402

from backend.accounts.services import create_user  # noqa: E402
from backend.db import session_scope  # noqa: E402
from backend.i18n_tools import compile_all  # noqa: E402
from safety_plans import commitments, ops, plans  # noqa: E402
from support.live import CHROMIUM_ARGS, chromium_path, start_live_server  # noqa: E402
from support.plans import add_op  # noqa: E402

PASSWORD = "a calm walk by the river"
OPENS = 25
FIRST_SECTION = ".sp-help"  # the help-now block: emergency number and crisis lines
FIRST_STEP = "#step-1-title"  # the walk-through's first screen: "In danger now? Call 113"


def seed(app) -> tuple[str, int]:
    """A client with a plan as full as a real one gets."""
    with app.test_request_context(), session_scope(app) as db:
        user = create_user(db, "bench@example.org", PASSWORD, role="client", locale="nb", country="NO")
        plan = plans.get_or_create_plan(db, user)
        batch = [add_op("warning_signs", f"Tegn nummer {n}: jeg trekker meg unna") for n in range(5)]
        batch += [add_op("inner_coping", f"Noe jeg kan gjøre alene, nummer {n}") for n in range(5)]
        batch += [add_op("support", f"Person {n}", phone=f"+47 900 00 0{n}{n}", agreed=True) for n in range(4)]
        batch += [add_op("reasons", f"Det som betyr noe for meg, nummer {n}") for n in range(4)]
        ops.apply_ops(db, plan, user, batch)
        commitments.add_commitment(db, plan, user, "Gå en tur hver dag")
        db.flush()
        return user.email, plan.id


def wire_bytes(response) -> int:
    """Bytes on the wire: the compressed body (Content-Length), as the network carried it."""
    length = response.headers.get("content-length")
    return int(length) if length else len(response.body())


def load_and_count(page, url: str) -> dict:
    """Open a page and count what went over the network (not answered by the service worker)."""
    seen = []

    def keep(response):
        seen.append(response)

    page.on("response", keep)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    page.remove_listener("response", keep)
    network = [r for r in seen if not r.from_service_worker]
    return {
        "requests": len(network),
        "bytes": sum(wire_bytes(r) for r in network),
        "html": next((wire_bytes(r) for r in network if r.request.resource_type == "document"), 0),
        "types": sorted({r.request.resource_type for r in network}),
    }


def script_bytes(base: str, page, url: str) -> int:
    """gzip size of every script the page loads (the modules it imports included)."""
    scripts = []
    page.on("request", lambda r: r.resource_type == "script" and scripts.append(r.url))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    total = 0
    for src in sorted(set(scripts)):
        if not src.startswith(base):
            raise SystemExit(f"a page loaded a script from another origin: {src}")
        with urllib.request.urlopen(src) as answer:
            total += len(gzip.compress(answer.read(), compresslevel=6))
    return total


def main() -> int:
    """Run the measurements and print them."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    compile_all()
    with tempfile.TemporaryDirectory() as tmp:
        server, thread, live, _ = start_live_server(Path(tmp))
        base = live.url
        email, plan_id = seed(live.app)
        plan_url = f"{base}/plans/{plan_id}"
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(Path(tmp) / "profile"),
                executable_path=chromium_path(),
                headless=True,
                args=CHROMIUM_ARGS,
                locale="nb-NO",
                viewport={"width": 390, "height": 844},
            )
            page = context.new_page()
            page.goto(f"{base}/auth/login?lang=nb")
            page.get_by_label("E-post").fill(email)
            page.get_by_label("Passord").fill(PASSWORD)
            page.get_by_role("button", name="Logg inn").click()
            page.wait_for_selector(FIRST_SECTION)

            cold_context = playwright.chromium.launch_persistent_context(
                str(Path(tmp) / "cold"),
                executable_path=chromium_path(),
                headless=True,
                args=CHROMIUM_ARGS,
                locale="nb-NO",
            )
            cold_context.add_cookies(context.cookies())
            cold = load_and_count(cold_context.new_page(), plan_url)
            cold_context.close()

            deadline = time.monotonic() + 20
            saved = "caches.open('trygg-pages').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"
            while time.monotonic() < deadline and not {f"/plans/{plan_id}", "/now"} <= set(page.evaluate(saved)):
                time.sleep(0.2)  # the service worker installs and saves the plan and the walk-through
            page.reload()  # now controlled by the service worker
            warm = load_and_count(page, plan_url)
            first_screen = page.evaluate("""() => {
              const box = (el) => el && el.getBoundingClientRect();
              const e = box(document.querySelector('.sp-emergency a[href^="tel:"]'));
              const p = box(document.querySelector('.sp-people a.sp-call'));
              return {emergency: [e.top, e.bottom], person: p ? [p.top, p.bottom] : null};
            }""")

            js = {
                name: script_bytes(base, page, f"{base}{path}")
                for name, path in (
                    ("crisis view", f"/plans/{plan_id}"),
                    ("editor", f"/plans/{plan_id}/edit"),
                    ("grounding player", "/grounding/gentle-breathing"),
                    ("grounding catalog", "/grounding/"),
                    ("notifications", "/settings/notifications"),
                )
            }

            server.shutdown()
            thread.join(timeout=5)
            context.set_offline(True)
            timings, paints = [], []
            for _ in range(OPENS):
                page.goto("about:blank")
                start = time.perf_counter()
                page.goto(plan_url, wait_until="commit")
                page.wait_for_selector(FIRST_SECTION, state="visible")
                timings.append((time.perf_counter() - start) * 1000)
                paint = page.evaluate(
                    "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
                )
                if paint:
                    paints.append(paint)
            now_timings = []
            for _ in range(OPENS):
                page.goto("about:blank")
                start = time.perf_counter()
                page.goto(f"{base}/now?source=shortcut", wait_until="commit")
                page.wait_for_selector(FIRST_STEP, state="visible")
                now_timings.append((time.perf_counter() - start) * 1000)
            context.close()

    print("crisis view (a filled plan, nb), headless Chromium")
    print(
        f"  cold: {cold['requests']} requests, {cold['bytes']:,} bytes on the wire "
        f"(HTML response {cold['html']:,} bytes gzip; target <= 14,336); types: {', '.join(cold['types'])}"
    )
    print(f"  warm (service worker): {warm['requests']} requests to the network, {warm['bytes']:,} bytes")
    print("  render-blocking: one stylesheet per package (trygg.css, plans.css); scripts are modules (deferred)")
    for name, size in js.items():
        print(f"  JavaScript on {name}: {size:,} bytes gzip (budget 51,200)")
    print(
        f"  offline open, navigation start -> first section visible: median {statistics.median(timings):.1f} ms, "
        f"max {max(timings):.1f} ms over {len(timings)} opens (target <= 300 ms)"
    )
    if paints:
        print(f"  offline first contentful paint: median {statistics.median(paints):.1f} ms")
    print(
        f"  offline open of \"I need help now\" (/now) -> first step visible: median "
        f"{statistics.median(now_timings):.1f} ms, max {max(now_timings):.1f} ms over {len(now_timings)} opens"
    )
    person = first_screen["person"]
    print(
        f"  first screen at 390x844: emergency call y "
        f"{first_screen['emergency'][0]:.0f}-{first_screen['emergency'][1]:.0f}, "
        + (f"first own-person call y {person[0]:.0f}-{person[1]:.0f}" if person else "no own person with a phone")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
