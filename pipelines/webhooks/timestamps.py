"""Timestamps in exports -> microseconds since the epoch, UTC.

Meta does not document the unit of webhook `timestamp` (its sample, 41412414141, is neither
clean seconds nor milliseconds), and send logs write unix seconds or ISO-8601: the unit is
detected by magnitude, numeric strings are accepted, naive ISO times are taken as UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone

from pipelines.webhooks.errors import BadLine

# Unix time beyond year 9999 in seconds; larger magnitudes are milliseconds or microseconds.
MAX_SECONDS = 253_402_300_799
MAX_MILLIS = MAX_SECONDS * 1000


def epoch_us(value: object, where: str = "ts") -> int:
    """Unix time in seconds, milliseconds or microseconds (by magnitude), a numeric string, or
    ISO-8601 -> microseconds since the epoch, UTC. Raises BadLine."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                return _iso_us(text, where)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadLine(f"timestamp is not a number or date ({where})")
    magnitude = abs(value)
    if magnitude <= MAX_SECONDS:
        us = value * 1_000_000
    elif magnitude <= MAX_MILLIS:
        us = value * 1_000
    elif magnitude <= MAX_MILLIS * 1000:
        us = value
    else:
        raise BadLine(f"timestamp out of range: {value!r} ({where})")
    if value != value or us < 0:  # NaN or before 1970
        raise BadLine(f"timestamp out of range: {value!r} ({where})")
    return int(us)


def _iso_us(text: str, where: str) -> int:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadLine(f"timestamp is not a number or ISO-8601 date: {text[:40]!r} ({where})") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # naive log times are taken as UTC
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
