"""Reading a POST body that is not yet known to be Meta's: size, time and a shared byte budget.

The signature covers the raw body, so the body must be read whole before anything is known about
its sender. What an unknown sender may hold meanwhile is bounded three ways (see `limits.py`): its
size, the time it takes to arrive, and, summed over every request in progress, the bytes read but
not yet verified (`UnsignedBudget`). A request that would go over the budget is answered 503 before
its body is read, from its declared length, or as soon as a chunk would go over it. Every refusal
closes the connection, so what is left of the body is never read.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse

from pipelines.webhooks.limits import Limits


class Refused(Exception):
    """The body was not read; `status` and `text` are the answer, `reason` the log line."""

    def __init__(self, status: int, text: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.text, self.reason = status, text, reason

    def response(self) -> PlainTextResponse:
        return PlainTextResponse(self.text, status_code=self.status, headers={"connection": "close"})


class UnsignedBudget:
    """Bytes of POST bodies read but not yet verified, over all requests (one event loop)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0

    def fits(self, size: int) -> bool:
        return self.held + size <= self.limit


def _declared_length(request: Request) -> int | None:
    declared = request.headers.get("content-length")
    return int(declared) if declared is not None and declared.isascii() and declared.isdigit() else None


@contextlib.asynccontextmanager
async def unsigned_body(request: Request, limits: Limits, budget: UnsignedBudget) -> AsyncIterator[bytes]:
    """The whole body, its bytes counted in `budget` until the block ends; raises `Refused`."""
    declared = _declared_length(request)
    if declared is not None and declared > limits.max_body_bytes:
        raise Refused(413, "payload too large", "declared body over the size limit")
    if declared is not None and not budget.fits(declared):
        raise Refused(503, "busy", "unverified bytes in flight at their limit")
    chunks: list[bytes] = []
    held = 0
    try:
        try:
            async with asyncio.timeout(limits.body_timeout):
                async for chunk in request.stream():
                    if held + len(chunk) > limits.max_body_bytes:
                        raise Refused(413, "payload too large", "body over the size limit")
                    if not budget.fits(len(chunk)):
                        raise Refused(503, "busy", "unverified bytes in flight at their limit")
                    budget.held += len(chunk)
                    held += len(chunk)
                    chunks.append(chunk)
        except TimeoutError:
            raise Refused(408, "request timeout", "body not complete within the body timeout") from None
        except ClientDisconnect:
            raise Refused(400, "incomplete body", "client left before sending its whole body") from None
        yield b"".join(chunks)
    finally:
        budget.held -= held
