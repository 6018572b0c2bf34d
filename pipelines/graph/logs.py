"""Credentials kept out of the HTTP libraries' log lines.

httpx logs `HTTP Request: GET <url> ...` at INFO and httpcore logs its connection and HTTP/1.1
events at DEBUG. Our URLs carry `appsecret_proof` (Graph wants it as a parameter), and a
`paging.next` URL from Meta may carry `access_token`, so whoever turns those loggers on (a
`logging.basicConfig(level=DEBUG)`, Dagster's managed loggers) would write them to disk. A filter
on each of those loggers rewrites the record's text through `redact()` before any handler sees it.

A logger's filters apply only to records created on that very logger, not to its children, so
every logger name the libraries use is listed.
"""

from __future__ import annotations

import logging

from pipelines.graph.errors import redact

# httpx's one logger, and httpcore's per-module ones (httpcore/_trace.py is given these names).
HTTP_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


class RedactCredentials(logging.Filter):
    """Replaces the record's message by its redacted text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's problem, not a leak
            text = str(record.msg)
        record.msg = redact(text)
        record.args = None
        return True


_FILTER = RedactCredentials()


def redact_http_logs() -> None:
    """Install the filter on every HTTP library logger (idempotent)."""
    for name in HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
