"""What one anonymous client may hold of the receiver: time, connections, unverified bytes.

The receiver's port faces the internet (through a TLS proxy), and nothing is known about a
client until its body's signature checks out, so every resource a client can hold before that
point is bounded here:

- `header_timeout`: from a connection's first byte (or the next request's first byte on a
  kept-alive connection) to the end of the request headers; a connection that opens and sends
  nothing is closed after this too. uvicorn has no such limit of its own.
- `body_timeout`: from the end of the headers to the last byte of the body.
- `keep_alive_timeout`: how long an idle kept-alive connection stays open (uvicorn's
  `timeout_keep_alive`). A proxy in front should close its idle upstream connections sooner, or it
  may send a POST on a connection the receiver is closing at that moment.
- `max_connections`: requests on connections beyond this get a quick 503 (uvicorn's
  `limit_concurrency`); connections beyond it plus `ACCEPT_MARGIN` are closed as soon as they are
  accepted, so the number of open descriptors stays bounded even when nobody sends a header. The
  default keeps it under the process's open-file limit, leaving room for the journal.
- `max_unsigned_bytes`: body bytes received but not yet verified, summed over all requests; a POST
  that would go over it gets 503 before its body is read.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass, field

from pipelines.errors import UsageError

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_UNSIGNED_BYTES = 32 * 1024 * 1024
# Request line plus headers; Meta's are well under 4 KiB. llhttp (httptools) keeps no limit of its own.
MAX_HEADER_BYTES = 64 * 1024
# Connections over `max_connections` still accepted, so their requests get a 503 instead of a reset.
ACCEPT_MARGIN = 16
# Descriptors kept for everything but client connections: the journal's file and folder, its lock,
# the listening socket, the event loop, the worker threads, standard streams.
RESERVED_DESCRIPTORS = 64
MAX_CONNECTIONS_CEILING = 1000


def default_max_connections() -> int:
    """`MAX_CONNECTIONS_CEILING`, or less if the open-file limit would not hold that many."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS_CEILING
    return max(1, min(MAX_CONNECTIONS_CEILING, soft - RESERVED_DESCRIPTORS - ACCEPT_MARGIN))


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_unsigned_bytes: int = DEFAULT_MAX_UNSIGNED_BYTES
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    keep_alive_timeout: int = 5
    max_connections: int = field(default_factory=default_max_connections)

    def check(self) -> Limits:
        """Raise a one-line usage error (named after the CLI option) for a value that cannot work."""
        for option, value, unit in (("--max-body-bytes", self.max_body_bytes, " of bytes"),
                                    ("--max-unsigned-bytes", self.max_unsigned_bytes, " of bytes"),
                                    ("--max-connections", self.max_connections, ""),
                                    ("--keep-alive-timeout", self.keep_alive_timeout, " of seconds")):
            if value < 1:
                raise UsageError(f"{option}: {value} is not a positive number{unit}")
        for option, seconds in (("--header-timeout", self.header_timeout), ("--body-timeout", self.body_timeout)):
            if not 0 < seconds <= 3600:
                raise UsageError(f"{option}: {seconds} is not a number of seconds between 0 and 3600")
        if self.max_unsigned_bytes < self.max_body_bytes:
            raise UsageError(f"--max-unsigned-bytes: {self.max_unsigned_bytes} is less than --max-body-bytes "
                             f"({self.max_body_bytes}), so the largest allowed body could never be read")
        return self
