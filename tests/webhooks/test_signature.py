"""X-Hub-Signature-256 verification over the raw bytes (reference §4.4)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from pipelines.webhooks.signature import sign, verify

SECRET = "app-secret-for-tests"
# Meta signs the escaped form of non-ASCII text: "äöå" travels as \u00e4\u00f6\u00e5.
ESCAPED = b'{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"x","value":{"t":"\\u00e4\\u00f6\\u00e5"}}]}]}'


def _hex(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("header", "body", "expected"),
    [
        pytest.param("sha256=" + _hex(ESCAPED), ESCAPED, True, id="valid"),
        pytest.param("sha256=" + _hex(ESCAPED).upper(), ESCAPED, True, id="valid-uppercase-hex"),
        pytest.param("sha256=" + _hex(ESCAPED, "other-secret"), ESCAPED, False, id="wrong-secret"),
        pytest.param("sha256=" + "0" * 64, ESCAPED, False, id="invalid-digest"),
        pytest.param(None, ESCAPED, False, id="missing"),
        pytest.param("", ESCAPED, False, id="empty"),
        pytest.param("sha1=" + hmac.new(SECRET.encode(), ESCAPED, hashlib.sha1).hexdigest(), ESCAPED, False,
                     id="wrong-algorithm-prefix"),
        pytest.param(_hex(ESCAPED), ESCAPED, False, id="no-prefix"),
        pytest.param("sha256=" + _hex(ESCAPED)[:-2], ESCAPED, False, id="truncated-digest"),
        pytest.param("sha256=" + _hex(ESCAPED), ESCAPED[:-2] + b"]}" [::-1], False, id="one-byte-altered"),
        pytest.param("sha256=" + _hex(ESCAPED), ESCAPED.replace(b"\\u00e4", b"\\u00e5"), False, id="escape-altered"),
        # The same text decoded and re-encoded as UTF-8 is a different byte string: not what was signed.
        pytest.param("sha256=" + _hex(ESCAPED), ESCAPED.decode("unicode_escape").encode("utf-8"), False,
                     id="non-ascii-unescaped"),
        pytest.param("sha256=" + "é" * 64, ESCAPED, False, id="non-ascii-header"),
    ],
)
def test_verify(header, body, expected):
    """Every way a signature can be missing or wrong is rejected; only the raw signed bytes pass."""
    assert verify(body, header, SECRET) is expected


def test_one_byte_altered_anywhere_fails():
    header = sign(ESCAPED, SECRET)
    for i in range(0, len(ESCAPED), 7):
        altered = ESCAPED[:i] + bytes([ESCAPED[i] ^ 1]) + ESCAPED[i + 1 :]
        assert not verify(altered, header, SECRET)
    assert verify(ESCAPED, header, SECRET)
