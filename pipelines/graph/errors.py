"""Graph API error envelopes, classified by the reference's tables (meta-api.md §1.8, §5.2, §5.3).

Every class here carries a one-line message that names the ad account and Meta's code, and never
the access token: messages are built from the envelope's text after `redact()`, never from a URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from pipelines.errors import MmlensError, UsageError
from pipelines.numbers import digits_int

# Generic transient codes (§5.2): 1 unknown/possibly downtime, 2 service temporarily unavailable.
TRANSIENT_CODES = frozenset({1, 2})
# Throttling codes (§5.3): app, user, pages, custom, application limit and every BUC type.
THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, *range(80000, 80007), 80008, 80009, 80014})
# Insights error table (§1.8): (code, subcode) pairs that mean "ask for less" rather than "retry".
REDUCE_DATA_SUBCODES = frozenset({(100, 1487534), (100, 1504018), (2, 1504038), (-3, 1504045)})
# Insights error table (§1.8): intermittent / "report failed, later" pairs worth retrying.
TRANSIENT_SUBCODES = frozenset({(2, 1504043), (2, 1504044), (-2, 2490547)})
# Insights error table (§1.8): invalid breakdowns / custom metrics are permanent even with code 2.
PERMANENT_SUBCODES = frozenset({(2, 1504041), (2, 1504042)})
AUTH_CODES = frozenset({102, 190})
# 100/33 is Graph's "object does not exist or cannot be loaded"; 803 "some aliases do not exist".
UNKNOWN_OBJECT = frozenset({(100, 33), (803, None)})
REDUCE_DATA_TEXT = "reduce the amount of data"
# Meta's messages are kept to this many characters, after redaction (so no secret is ever cut in two).
MESSAGE_CHARS = 300

# Query-string credentials: the token itself and its HMAC (the proof is a credential for this
# token: with it, a stolen token works even where Meta requires the proof).
_TOKEN_PARAM = re.compile(r"((?:access_token|appsecret_proof)=)[^&\s\"']+", re.IGNORECASE)
_BEARER = re.compile(r"(bearer\s+)[^\s\"']+", re.IGNORECASE)


class Kind(Enum):
    AUTH = "auth"
    PERMISSION = "permission"
    UNKNOWN_OBJECT = "unknown_object"
    THROTTLED = "throttled"
    TRANSIENT = "transient"
    REDUCE_DATA = "reduce_data"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class GraphErrorInfo:
    """The fields of Meta's error envelope that decide what to do (§5.1)."""

    code: int | None
    subcode: int | None
    message: str
    is_transient: bool = False
    http_status: int | None = None

    @property
    def kind(self) -> Kind:
        return classify(self)

    def describe(self) -> str:
        code = "?" if self.code is None else str(self.code)
        if self.subcode is not None:
            code += f"/{self.subcode}"
        return f"code {code}"


def redact(text: str, *secrets: str | None) -> str:
    """`text` without any secret and without `access_token=` values or Bearer credentials."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    text = _TOKEN_PARAM.sub(r"\1[redacted]", text)
    return _BEARER.sub(r"\1[redacted]", text)


def clean_message(text: str, secrets: tuple[str | None, ...] = ()) -> str:
    """Meta's error text as kept and shown: secrets redacted first, then one line, then cut to
    `MESSAGE_CHARS`. Redacting after the cut would leave the part of a secret before the cut."""
    return " ".join(redact(text, *secrets).split())[:MESSAGE_CHARS]


def as_int(value: object) -> int | None:
    """An integer given as a JSON number or a string of ASCII digits (an optional minus sign, at most
    18 digits); anything else (booleans too) is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        number = digits_int(text.removeprefix("-"))
        return None if number is None else -number if text.startswith("-") else number
    return None


def parse_error(
    body: object, http_status: int | None = None, secrets: tuple[str | None, ...] = ()
) -> GraphErrorInfo | None:
    """The error envelope in a decoded body, or None when the body is not an error; its message
    is `clean_message`d, so no unredacted text is kept on the info."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return None
    error = body["error"]
    message = error.get("error_user_msg") or error.get("message") or ""
    return GraphErrorInfo(
        code=as_int(error.get("code")),
        subcode=as_int(error.get("error_subcode")),
        message=clean_message(str(message), secrets),
        is_transient=error.get("is_transient") is True,
        http_status=http_status,
    )


def classify(info: GraphErrorInfo) -> Kind:
    """Decide from the documented tables only; an unlisted code is permanent (never guessed)."""
    pair = (info.code, info.subcode)
    if info.code in AUTH_CODES:
        return Kind.AUTH
    if info.code == 10 or (info.code is not None and 200 <= info.code <= 299) or pair == (100, 3191001):
        return Kind.PERMISSION
    if pair in UNKNOWN_OBJECT or (info.code, None) in UNKNOWN_OBJECT:
        return Kind.UNKNOWN_OBJECT
    if pair in REDUCE_DATA_SUBCODES or REDUCE_DATA_TEXT in info.message.lower():
        return Kind.REDUCE_DATA
    if pair in PERMANENT_SUBCODES:
        return Kind.PERMANENT
    if info.code in THROTTLE_CODES:
        return Kind.THROTTLED
    if info.code in TRANSIENT_CODES or pair in TRANSIENT_SUBCODES or info.is_transient:
        return Kind.TRANSIENT
    return Kind.PERMANENT


class GraphError(MmlensError):
    """A Graph call failed for good (exit code 1). `info` is None for transport failures."""

    def __init__(self, message: str, info: GraphErrorInfo | None = None) -> None:
        super().__init__(message)
        self.info = info


class GraphUnreachableError(GraphError):
    """No connection to the Graph URL after the client's attempts (refused, unresolvable, connect
    timeout): most often a wrong META_GRAPH_URL or no network, which waiting minutes does not mend."""


class ReduceDataError(GraphError):
    """Meta asked for less data per call; the caller splits the date range."""


class GraphUsageError(UsageError):
    """Credentials, permissions or account ids are wrong (exit code 2, one line)."""

    def __init__(self, message: str, info: GraphErrorInfo | None = None) -> None:
        super().__init__(message)
        self.info = info


class GraphAuthError(GraphUsageError):
    """The access token is invalid or expired (190, 102)."""


class GraphPermissionError(GraphUsageError):
    """The token lacks a permission on the object (10, 200-299)."""


class UnknownAccountError(GraphUsageError):
    """The ad account does not exist or is not visible to the token."""


def error_for(info: GraphErrorInfo, account: str | None, secrets: tuple[str | None, ...] = ()) -> MmlensError:
    """The exception to raise for a final (not retried) error envelope."""
    where = f"act_{account}" if account else "Graph API"
    text = redact(info.message, *secrets)
    kind = info.kind
    if kind is Kind.AUTH:
        return GraphAuthError(f"{where}: access token rejected ({info.describe()}): {text}", info)
    if kind is Kind.PERMISSION:
        return GraphPermissionError(f"{where}: missing permission ({info.describe()}): {text}", info)
    if kind is Kind.UNKNOWN_OBJECT:
        return UnknownAccountError(f"{where}: unknown or inaccessible object ({info.describe()}): {text}", info)
    if kind is Kind.REDUCE_DATA:
        return ReduceDataError(f"{where}: Meta asked for less data ({info.describe()}): {text}", info)
    return GraphError(f"{where}: Graph API error ({info.describe()}): {text}", info)
