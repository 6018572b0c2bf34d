"""uvicorn's HTTP protocol with the connection limits uvicorn lacks (see `limits.py`).

uvicorn closes a kept-alive connection that stays idle, but not one that never finishes its
request headers: a client sending nothing, or one byte now and then, held its connection (and a
descriptor) for as long as it liked. Here each request's headers must be complete within
`header_timeout` of the connection opening or of the request's first byte, and must fit in
`MAX_HEADER_BYTES`; connections far over `max_connections` are closed on arrival. The body's own
deadline is the app's (`body.py`): uvicorn hands the request to the app once the headers are in.

uvicorn logs one warning per refused request ("Exceeded concurrency limit.", "Invalid HTTP
request received."): under a flood that is a line per attacker request. `QuietRepeats` lets each
such warning through once a minute, with the count of those it held back.

Works on both of uvicorn's HTTP/1.1 implementations (httptools, else h11): it relies only on what
they share, `connections`, `cycle` (the request in progress, set when its headers are complete)
and `loop`.
"""

from __future__ import annotations

import asyncio
import logging
import time

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from pipelines.webhooks.limits import ACCEPT_MARGIN, MAX_HEADER_BYTES, Limits


def guarded_protocol(limits: Limits, base: type[asyncio.Protocol] = AutoHTTPProtocol) -> type[asyncio.Protocol]:
    """A subclass of `base` (a uvicorn HTTP protocol class) that enforces `limits` per connection."""
    most_open = limits.max_connections + ACCEPT_MARGIN

    class GuardedProtocol(base):  # type: ignore[misc, valid-type]
        _deadline: asyncio.TimerHandle | None = None
        _waiting_for = None  # the request in progress when the deadline was armed
        _header_bytes = 0

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            if len(self.connections) > most_open:
                transport.close()  # before any byte is read: the descriptor is freed at once
                return
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._deadline is None and self._between_requests():
                self._arm()  # the first byte of the next request on a kept-alive connection
            super().data_received(data)
            if self._deadline is None:
                return
            if self.cycle is not self._waiting_for:  # the headers are complete: the app has the request
                self._disarm()
                return
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._disarm()
                self.transport.close()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _between_requests(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def _arm(self) -> None:
            self._waiting_for, self._header_bytes = self.cycle, 0
            self._deadline = self.loop.call_later(limits.header_timeout, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _headers_too_slow(self) -> None:
            self._deadline = None
            if self.cycle is self._waiting_for and not self.transport.is_closing():
                self.transport.close()

    GuardedProtocol.__name__ = GuardedProtocol.__qualname__ = f"Guarded{base.__name__}"
    return GuardedProtocol


class QuietRepeats(logging.Filter):
    """At most one record per `every` seconds for each warning text; errors always pass."""

    def __init__(self, every: float = 60.0, clock=time.monotonic) -> None:
        super().__init__()
        self.every, self._clock = every, clock
        self._seen: dict[str, tuple[float, int]] = {}  # text: (last shown, held back since)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING:
            return True
        now, text = self._clock(), str(record.msg)
        shown, held = self._seen.get(text, (None, 0))
        if shown is not None and now - shown < self.every:
            self._seen[text] = (shown, held + 1)
            return False
        self._seen[text] = (now, 0)
        if held:
            record.msg = f"{text} ({held} more in the last {self.every:g} s not shown)"
        return True
