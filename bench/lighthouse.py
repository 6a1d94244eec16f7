"""Lighthouse mobile on the crisis view and the sign-in page (issue 15, point 5: LCP ≤ 1.0 s, CLS 0).

Starts `make run`'s server (gevent, access log off) over a fresh database with one signed-in client,
then runs Lighthouse's performance audit with its default mobile settings (a mid-range phone on slow
4G, simulated) against Debian's Chromium, RUNS times per page, each from a cold start (Lighthouse
resets storage). The crisis view is opened with the client's session cookie. Prints per page the
median (and range) of LCP, FCP, TBT, CLS and the score, and the bytes and requests of one load.

Lighthouse comes from the npm registry into bench/.lighthouse (pinned, installed on first use).

    .venv/bin/python bench/lighthouse.py [--db sqlite|postgresql] [--runs 3]

Simulated throttling scales what the page took on this machine: run it with nothing else busy.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serving  # noqa: E402

LIGHTHOUSE_VERSION = "12.8.2"
HOME = Path(__file__).resolve().parent / ".lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")


def lighthouse() -> Path:
    """The pinned Lighthouse, installed with npm on first use."""
    binary = HOME / "node_modules" / ".bin" / "lighthouse"
    package = HOME / "node_modules" / "lighthouse" / "package.json"
    if not binary.exists() or json.loads(package.read_text())["version"] != LIGHTHOUSE_VERSION:
        HOME.mkdir(exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(HOME), "--no-audit", "--no-fund", "--silent",
                        f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)
    return binary


def audit(binary: Path, url: str, cookie: str = "") -> dict:
    """One Lighthouse run (mobile defaults): the figures this bench prints."""
    command = [str(binary), url, "--only-categories=performance", "--output=json", "--output-path=stdout",
               "--quiet", "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    for attempt in (1, 2):  # Chromium's start now and then fails on a busy machine: once more
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": CHROMIUM})
        if done.returncode == 0:
            break
        if attempt == 2:
            raise SystemExit(f"Lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    audits = report["audits"]
    requests = audits["network-requests"]["details"]["items"]
    return {
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "score": report["categories"]["performance"]["score"],
        "kb": sum(r.get("transferSize", 0) for r in requests) / 1024,
        "requests": len(requests),
        "final": report.get("finalDisplayedUrl", ""),
    }


def show(name: str, runs: list[dict]) -> None:
    def cell(key: str, form: str) -> str:
        values = [r[key] for r in runs]
        return f"{format(statistics.median(values), form)} ({format(min(values), form)}–{format(max(values), form)})"

    first = runs[0]
    print(f"{name:13} LCP {cell('lcp', '.2f')} s   FCP {cell('fcp', '.2f')} s   TBT {cell('tbt', '.0f')} ms   "
          f"CLS {cell('cls', '.3f')}   score {cell('score', '.2f')}   "
          f"{first['kb']:.0f} KB, {first['requests']} requests")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    binary = lighthouse()
    database = serving.fresh_database(args.db)
    try:
        email, plan_id, _ = serving.seed(database, 1)[0]
        server = serving.start_server(database, "gevent")
        try:
            cookie, _ = serving.sign_in(server.url, email)
            pages = [("sign-in", f"{server.url}/auth/login", ""),
                     ("crisis view", f"{server.url}/plans/{plan_id}", cookie)]
            print(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile defaults (simulated slow 4G, 4x CPU), {args.db}, "
                  f"{args.runs} cold runs per page; median (range)")
            for name, url, page_cookie in pages:
                runs = [audit(binary, url, page_cookie) for _ in range(args.runs)]
                if not runs[0]["final"].startswith(url.split("?")[0]):
                    raise SystemExit(f"{name}: Lighthouse ended on {runs[0]['final']}, not the page asked for")
                show(name, runs)
        finally:
            server.stop()
    finally:
        database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
