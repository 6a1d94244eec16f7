"""Write every static asset under its content-hashed name, for nginx to serve from disk.

    .venv/bin/python deploy/collect_assets.py /srv/trygg/static

makes /srv/trygg/static/assets/<package>/<name>.<hash>.<ext>, exactly the URLs the pages link to
(`backend.assets.asset_url`). Run it at every deploy, before the app servers restart; old files may
stay (a page still open from the last release may ask for them).
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path


def collect(target: Path) -> int:
    """Copy the assets into `target`; returns how many."""
    from backend import create_app
    from backend.assets import all_assets, asset_url

    app = create_app()
    count = 0
    with app.test_request_context():
        for package, filename in all_assets(app):
            url = asset_url(package, filename)
            source = Path(app.blueprints[package].static_folder or "") / filename
            destination = target / url.lstrip("/")
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            count += 1
    return count


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: collect_assets.py TARGET_DIR")
    print(f"{collect(Path(sys.argv[1]))} assets written to {sys.argv[1]}")
