"""How Meta signs a webhook POST (reference §4.4): `X-Hub-Signature-256: sha256=<hex>`, the
lowercase hex HMAC-SHA256 of the raw body bytes under the app secret. The simulator's own signer."""

from __future__ import annotations

import hashlib
import hmac


def sign(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` header value Meta would send with `body`."""
    return "sha256=" + hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
