"""Webhook signatures: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body.

Meta signs the body exactly as it sends it (non-ASCII characters escaped as `\\uXXXX`), so the
digest is always computed over the raw request bytes, never over a re-serialized body. The
comparison is constant time so a caller cannot learn the digest byte by byte.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta would send for `body` (used by tests, the bench and the simulator)."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(body: bytes, header: str | None, app_secret: str) -> bool:
    """True when `header` is a valid `sha256=` signature of `body` under `app_secret`.

    A missing header, another algorithm prefix (for example the legacy `sha1=`) or a digest
    that is not 64 hex characters is simply invalid.
    """
    if not header or not header.startswith(PREFIX):
        return False
    received = header[len(PREFIX) :].strip().lower()
    if len(received) != 64:
        return False
    expected = sign(body, app_secret)[len(PREFIX) :]
    return hmac.compare_digest(expected.encode("ascii"), received.encode("ascii", "replace"))
