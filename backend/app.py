"""The app factory: the one place where the platform and the feature packages meet."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from backend import (
    access,
    accounts,
    assets,
    audit,  # noqa: F401 - the access log's table belongs to the platform, not to a feature
    broker,
    compress,
    cookies,
    core,
    db,
    errors,
    guard,
    i18n,
    migrate,
    nav,
    offline,
    push,
    security,
)
from backend.config import REPO_ROOT, build_config


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure Trygg: defaults and environment, then the caller's test config."""
    instance_path = Path(
        os.environ.get("TRYGG_INSTANCE_PATH") or (test_config or {}).get("INSTANCE_PATH")
        or REPO_ROOT / "instance"
    )
    # Keys, mail and (by default) the database live here: only the owner may look inside.
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    instance_path.chmod(0o700)
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder="templates",
        static_folder=None,  # static files belong to the packages that own them
    )
    app.config.from_mapping(build_config(instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    db.init_app(app)
    errors.init_app(app)
    broker.init_app(app)
    guard.init_app(app)
    security.init_app(app)
    compress.init_app(app)
    i18n.init_app(app)
    access.init_app(app)
    accounts.init_app(app)
    cookies.init_app(app)
    core.init_app(app)
    migrate.init_app(app)
    assets.init_app(app)
    offline.init_app(app)
    nav.init_app(app)
    push.init_app(app)
    _register_features(app)
    db.never_reuse_ids(db.Base.metadata)
    _behind_proxies(app)
    return app


def _behind_proxies(app: Flask) -> None:
    """Behind nginx (deploy/), the client's address and scheme come from the proxy's headers, so
    rate limits and the security log see people, not the proxy. Only as many hops as
    `TRYGG_PROXIES` says are trusted (0, the default: no proxy, headers ignored)."""
    hops = int(app.config.get("TRYGG_PROXIES") or os.environ.get("TRYGG_PROXIES", "0") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _register_features(app: Flask) -> None:
    """Feature packages: the only imports of them anywhere in backend."""
    import grounding
    import hope_media
    import pwa
    import safety_plans
    import sessions

    pwa.init_app(app)
    safety_plans.init_app(app)
    grounding.init_app(app)
    sessions.init_app(app)
    hope_media.init_app(app)
