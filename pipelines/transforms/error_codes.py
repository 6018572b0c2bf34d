"""The error-code catalogue and `marts.error_codes_daily`.

Grain of the mart: UTC date × message_campaign_id × source × error_code. Sources:
- `send_api`: rejected Send API attempts (`raw.send_attempts` with success false). The code is the
  MM code: `error_subcode` when `error_code` is a generic Graph code (1, 100, 613, ...) and the
  subcode is a Marketing Messages code — the reference does not say which field carries it. A code
  Meta sent as a name (`error_name`) counts under the number the catalogue's `names` give it, so a
  frequency cap named `WEEKLY_MM_LOAD_CAP_REACHED` and one numbered 2300042 are the same rows.
- `delivery_failed_webhook`: `marketing_message_delivery_failed` events, which carry only an
  `error_message`; texts Meta documents, and documented names, map to a code through the catalogue.

Unknown codes keep their number (or their name) with category `unknown`; a message the catalogue
does not know becomes the code `unknown`. Nothing is dropped: every rejected attempt and every
delivery_failed event is counted once.

The catalogue (`error_catalogue.json`) is versioned data. Codes 2300069-2300079 mean the pacing and
budget limits of the changelog (Mar 31, 2026); an entry's `variants` carry the API reference's
older meaning, chosen only when the error message matches one of their phrases.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from pipelines.transforms.frames import utc_date, utc_naive

CATALOGUE_PATH = Path(__file__).with_name("error_catalogue.json")
UNKNOWN = "unknown"
SEND_API = "send_api"
DELIVERY_FAILED_WEBHOOK = "delivery_failed_webhook"
# MM codes are 2300000-2300999; a few Messenger-era codes are MM too (1893047, 4017070).
_MM_CODE = re.compile(r"^2300\d{3}$")
_DIGITS = re.compile(r"-?[0-9]+")

ERROR_CODES_SCHEMA = {
    "date": pl.Date,
    "message_campaign_id": pl.String,
    "source": pl.String,
    "error_code": pl.String,
    "error_name": pl.String,
    "category": pl.String,
    "retryable": pl.Boolean,
    "advice": pl.String,
    "occurrences": pl.Int64,
}


@dataclass(frozen=True)
class ErrorInfo:
    code: str
    name: str | None
    category: str
    retryable: bool | None
    advice: str | None
    source: str | None


def _normalize(message: str) -> str:
    return " ".join(message.lower().split()).rstrip(".")


def _code_text(value: object) -> str | None:
    """Codes arrive as ints, numeric strings or NULL; they are compared as text."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


class Catalogue:
    """Lookups over the catalogue document (see `error_catalogue.json`)."""

    def __init__(self, document: dict) -> None:
        self.version: str = document["version"]
        self._entries: dict[str, dict] = {entry["code"]: entry for entry in document["codes"]}
        self._names: dict[str, str] = {n["name"]: n["code"] for n in document.get("names", ())}
        # A delivery_failed text may be, or hold, a documented name as well as a documented text.
        self._messages: dict[str, str] = {_normalize(name): code for name, code in self._names.items()}
        self._messages.update({_normalize(m["message"]): m["code"] for m in document["messages"]})
        # Longest phrases first, so a specific text wins over a shorter one it contains.
        self._phrases = sorted(self._messages.items(), key=lambda item: -len(item[0]))

    def is_mm_code(self, code: str | None) -> bool:
        if code is None:
            return False
        entry = self._entries.get(code)
        return bool(_MM_CODE.match(code)) or (entry is not None and entry["family"] == "marketing_messages")

    def code_for_name(self, name: str | None) -> str | None:
        """The code behind a name Meta documents, or a code sent as digits; None otherwise."""
        text = _code_text(name)
        if text is None:
            return None
        return text if _DIGITS.fullmatch(text) else self._names.get(text)

    def resolve_send_code(self, code: object, subcode: object, name: str | None = None) -> str:
        """The code a Send API error is counted under: an MM code in `code`, else an MM subcode or
        an MM code sent as a name, else whatever number or name there is."""
        code_text, subcode_text, named = _code_text(code), _code_text(subcode), self.code_for_name(name)
        for candidate in (code_text, subcode_text, named):
            if self.is_mm_code(candidate):
                return candidate  # type: ignore[return-value]
        return code_text or subcode_text or named or _code_text(name) or UNKNOWN

    def code_for_message(self, message: str | None) -> str:
        """The code behind a `delivery_failed` error_message, or `unknown`."""
        if not message:
            return UNKNOWN
        text = _normalize(message)
        if text in self._messages:
            return self._messages[text]
        for phrase, code in self._phrases:
            if phrase and phrase in text:
                return code
        return UNKNOWN

    def info(self, code: str, message: str | None = None, name: str | None = None) -> ErrorInfo:
        """Name, category, retryability and advice of a code; a matching variant wins. A documented
        name sent beside the code describes it: the numbers behind the cap names are only inferred."""
        named = self._names.get(name.strip()) if name else None
        entry = self._entries.get(named or code)
        if entry is None:
            return ErrorInfo(code, None, UNKNOWN, None, "Not in the error catalogue: check Meta's documentation.", None)
        chosen = entry
        text = _normalize(message) if message else ""
        for variant in entry.get("variants", ()):
            if text and any(phrase in text for phrase in variant["match"]):
                chosen = variant
                break
        return ErrorInfo(code, chosen["name"], chosen["category"], chosen["retryable"], chosen["advice"], chosen["source"])

    def frame(self) -> pl.DataFrame:
        """One row per catalogue code (default meanings), for analysts and joins."""
        rows = [self.info(code).__dict__ for code in sorted(self._entries, key=int)]
        return pl.DataFrame(rows, schema={"code": pl.String, "name": pl.String, "category": pl.String,
                                          "retryable": pl.Boolean, "advice": pl.String, "source": pl.String})


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    return Catalogue(json.loads(path.read_text(encoding="utf-8")))


def _describe(keys: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """Catalogue facts for each distinct (error_code, error_message, sent_name) (few, so Python is fine)."""
    rows = []
    for code, message, name in keys.select("error_code", "error_message", "sent_name").iter_rows():
        info = catalogue.info(code, message, name)
        rows.append({"error_code": code, "error_message": message, "sent_name": name, "error_name": info.name,
                     "category": info.category, "retryable": info.retryable, "advice": info.advice})
    return pl.DataFrame(rows, schema={"error_code": pl.String, "error_message": pl.String, "sent_name": pl.String,
                                      "error_name": pl.String, "category": pl.String, "retryable": pl.Boolean,
                                      "advice": pl.String})


def error_codes_daily(attempts: pl.DataFrame, events: pl.DataFrame, catalogue: Catalogue | None = None) -> pl.DataFrame:
    """`marts.error_codes_daily` from send attempts and webhook events.

    attempts: ts, message_campaign_id, success, error_code, error_subcode, error_name, error_message.
    events: event_type, message_campaign_id, event_ts, error_message (other types are ignored).
    """
    catalogue = catalogue or load_catalogue()
    attempts, events = utc_naive(attempts, "ts"), utc_naive(events, "event_ts")
    rejected = attempts.filter(~pl.col("success").fill_null(False))
    fields = ["error_code", "error_subcode", "error_name"]
    code_keys = rejected.select(fields).unique()
    resolved = code_keys.with_columns(
        pl.Series("resolved", [catalogue.resolve_send_code(*key) for key in code_keys.iter_rows()], dtype=pl.String)
    )
    sends = (
        rejected.join(resolved, on=fields, how="left", nulls_equal=True)
        .select(
            utc_date("ts").alias("date"),
            pl.col("message_campaign_id"),
            pl.lit(SEND_API).alias("source"),
            pl.col("resolved").alias("error_code"),
            pl.col("error_message").cast(pl.String),
            pl.col("error_name").cast(pl.String).alias("sent_name"),
        )
    )
    failed = events.filter(pl.col("event_type") == "delivery_failed")
    messages = failed.select(pl.col("error_message").cast(pl.String)).unique()
    mapped = messages.with_columns(
        pl.Series("error_code", [catalogue.code_for_message(m) for m in messages["error_message"]], dtype=pl.String)
    )
    hooks = failed.join(mapped, on="error_message", how="left", nulls_equal=True).select(
        utc_date("event_ts").alias("date"),
        pl.col("message_campaign_id"),
        pl.lit(DELIVERY_FAILED_WEBHOOK).alias("source"),
        pl.col("error_code"),
        pl.col("error_message").cast(pl.String),
        pl.lit(None, dtype=pl.String).alias("sent_name"),
    )
    rows = pl.concat([sends, hooks])
    described_by = ["error_code", "error_message", "sent_name"]
    facts = _describe(rows.select(described_by).unique(), catalogue)
    described = rows.join(facts, on=described_by, how="left", nulls_equal=True)
    # A code with two meanings on one day (2300078 as budget and as rate limit) stays one row of the
    # grain: the most frequent meaning names it, the occurrences of both are summed.
    keys = ["date", "message_campaign_id", "source", "error_code"]
    grouped = described.group_by([*keys, "error_name", "category", "retryable", "advice"]).agg(
        pl.len().cast(pl.Int64).alias("occurrences")
    )
    by_count = pl.col("occurrences")
    merged = grouped.group_by(keys).agg(
        *[pl.col(name).sort_by(by_count, descending=True).first() for name in ("error_name", "category", "retryable",
                                                                                "advice")],
        by_count.sum(),
    )
    return merged.select([pl.col(name).cast(dtype) for name, dtype in ERROR_CODES_SCHEMA.items()])
