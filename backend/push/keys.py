"""VAPID keys: the server's identity towards browsers' push services.

Taken from the environment (VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY, VAPID_SUBJECT) when set, else
generated once into the instance folder, like the secret key. Browsers bind a subscription to the
public key, so losing the private key means every device has to subscribe again.
"""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from py_vapid import Vapid

PRIVATE_FILE = "vapid_private.pem"


@dataclass(frozen=True)
class VapidKeys:
    """The signing key, its public half as browsers want it (base64url, uncompressed point) and
    the contact (`sub` claim) push services may use to reach us."""

    vapid: Vapid
    public_key: str
    subject: str


def b64url(data: bytes) -> str:
    """Unpadded base64url, the encoding of every key in Web Push."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_of(private_key: ec.EllipticCurvePrivateKey) -> str:
    """The applicationServerKey a browser subscribes with."""
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(raw)


def new_private_pem() -> bytes:
    """A fresh P-256 private key in PKCS#8 PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _instance_private_pem(instance_path: Path) -> bytes:
    """The key kept in the instance folder, created on first use (owner-only, atomically, so two
    processes starting at once end up with the same key)."""
    key_file = instance_path / PRIVATE_FILE
    if key_file.exists():
        return key_file.read_bytes()
    tmp = key_file.with_name(f"{PRIVATE_FILE}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(new_private_pem())
    try:
        os.link(tmp, key_file)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return key_file.read_bytes()


def default_subject(base_url: str) -> str:
    """Push services want a way to contact the sender: the site itself when it has a public name."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme == "https" and "." in host and not parts.port:
        return f"https://{host}"
    return "mailto:trygg@localhost"


def load_keys(app: Flask) -> VapidKeys:
    """The app's VAPID keys (cached on the app after the first call)."""
    cached = app.extensions.get("trygg.vapid")
    if cached is not None:
        return cached
    private = app.config.get("VAPID_PRIVATE_KEY") or os.environ.get("VAPID_PRIVATE_KEY")
    if private:
        private = private.strip()
        vapid = Vapid.from_pem(private.encode()) if private.startswith("-----") else Vapid.from_string(private)
    else:
        vapid = Vapid.from_pem(_instance_private_pem(Path(app.instance_path)))
    public = public_key_of(vapid.private_key)
    configured_public = app.config.get("VAPID_PUBLIC_KEY") or os.environ.get("VAPID_PUBLIC_KEY")
    if configured_public and configured_public.strip().rstrip("=") != public:
        raise RuntimeError("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY")
    subject = (app.config.get("VAPID_SUBJECT") or os.environ.get("VAPID_SUBJECT")
               or default_subject(app.config["TRYGG_BASE_URL"]))
    keys = VapidKeys(vapid=vapid, public_key=public, subject=subject)
    app.extensions["trygg.vapid"] = keys
    return keys
