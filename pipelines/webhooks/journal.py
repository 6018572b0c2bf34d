"""Durable, append-only journal of webhook POST bodies: `exports/webhooks/*.ndjson`.

One line per POST. A body is acknowledged only after its line is written and fsynced; bodies
that arrive while a fsync is running are written together by the next one (group commit), so
throughput grows with concurrency instead of being capped by the disk's fsync rate. The next
batch is written and its sync started while the previous sync is still running (at most
SYNCS_IN_FLIGHT at once), and batches are acknowledged in file order: a POST waits for about one
sync, not for the rest of the one in flight and then its own. If a sync fails, that batch and
every later one still in flight fail (their POSTs get an error and Meta retries them) and the file
is cut back to the end of the last acknowledged batch, so no unacknowledged bytes sit between
acknowledged lines.

Files rotate every UTC hour. A file being written is named `*.ndjson.open`; sealing fsyncs it,
renames it to `*.ndjson` and fsyncs the folder, so readers (which ignore `.open` files) never see
a half-written line as complete. On start, leftover `.open` files of a crashed process are
sealed after cutting a torn last line: that line was never acknowledged, so Meta retries it.
One journal (one receiver process) per folder.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

OPEN_SUFFIX = ".open"
SYNCS_IN_FLIGHT = 4


def body_to_line(body: bytes) -> bytes:
    """One line for one POST body. Raw newlines can only be whitespace between JSON tokens
    (inside strings they must be escaped), so turning them into spaces keeps the JSON intact."""
    return body.replace(b"\r", b" ").replace(b"\n", b" ") + b"\n"


def recover(folder: Path) -> list[Path]:
    """Seal every `.open` file left in `folder` by a process that did not shut down cleanly."""
    sealed = []
    for path in sorted(folder.glob(f"*{OPEN_SUFFIX}")):
        with open(path, "r+b") as handle:
            data = handle.read()
            keep = data.rfind(b"\n") + 1
            if keep != len(data):
                handle.truncate(keep)  # a torn, never acknowledged last line
            handle.flush()
            os.fsync(handle.fileno())
        if keep == 0:
            path.unlink()
        else:
            target = path.with_name(path.name[: -len(OPEN_SUFFIX)])
            os.replace(path, target)
            sealed.append(target)
    _fsync_dir(folder)
    return sealed


def _fail(acks: list[asyncio.Future], error: OSError) -> None:
    for future in acks:
        if not future.done():
            future.set_exception(error)


def _datasync(fd: int) -> None:
    # fdatasync flushes the data and the new file size (what reading the line back needs) but
    # not the modification time: one metadata write less per group commit.
    (os.fdatasync if hasattr(os, "fdatasync") else os.fsync)(fd)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    """Group-committing hourly journal; use from one asyncio event loop."""

    def __init__(self, folder: Path, *, prefix: str = "webhooks", clock=time.time) -> None:
        self.folder = folder
        self.prefix = prefix
        self._clock = clock
        self._pending: list[tuple[bytes, asyncio.Future]] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._closing = False
        self._fd: int | None = None
        self._path: Path | None = None
        self._hour: str | None = None
        self._size = 0

    async def start(self) -> list[Path]:
        """Seal leftovers of a crash, then start the writer task."""
        self.folder.mkdir(parents=True, exist_ok=True)
        sealed = await asyncio.to_thread(recover, self.folder)
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="journal-writer")
        return sealed

    async def append(self, body: bytes) -> None:
        """Return once `body` is durably on disk; raise OSError if it could not be written."""
        if self._task is None or self._closing:
            raise RuntimeError("journal is not running")
        future = asyncio.get_running_loop().create_future()
        self._pending.append((body_to_line(body), future))
        self._wake.set()
        await future

    @property
    def current_file(self) -> Path | None:
        return self._path

    async def close(self) -> None:
        """Write what is pending, seal the current file, stop the writer."""
        if self._task is None:
            return
        self._closing = True
        self._wake.set()
        await self._task
        self._task = None
        await asyncio.to_thread(self._seal)

    async def _run(self) -> None:
        in_flight: deque[tuple[list[asyncio.Future], asyncio.Future, int]] = deque()  # (acks, sync, start size)
        while True:
            if not self._pending and in_flight:
                # Wait for the oldest sync or for new bodies, whichever comes first: new bodies are
                # written and synced while the oldest sync still runs.
                self._wake.clear()
                oldest = in_flight[0][1]
                if not self._pending and not self._closing:
                    woken = asyncio.ensure_future(self._wake.wait())
                    await asyncio.wait({woken, oldest}, return_when=asyncio.FIRST_COMPLETED)
                    woken.cancel()
                if oldest.done() or self._closing:
                    await self._acknowledge_oldest(in_flight)
                continue
            if not self._pending:
                if self._closing:
                    return
                self._wake.clear()
                try:
                    # Wake up now and then so an idle file is still sealed when its hour ends.
                    await asyncio.wait_for(self._wake.wait(), timeout=1.0)
                except TimeoutError:
                    pass
                if not self._pending:
                    await asyncio.to_thread(self._rotate)
                    continue
            hour = self._hour_now()
            if len(in_flight) >= SYNCS_IN_FLIGHT or (in_flight and hour != self._hour):
                await self._acknowledge_oldest(in_flight)  # a file is sealed only once its syncs are done
                continue
            batch, self._pending = self._pending, []
            acks = [future for _, future in batch]
            try:
                start = await asyncio.to_thread(self._append, [line for line, _ in batch], hour)
            except OSError as error:
                _fail(acks, error)
                continue
            in_flight.append((acks, asyncio.ensure_future(asyncio.to_thread(_datasync, self._fd)), start))

    async def _acknowledge_oldest(self, in_flight: deque) -> None:
        acks, sync, start = in_flight.popleft()
        try:
            await sync
        except OSError as error:
            # Later batches were written after this one: none of them may be acknowledged.
            later = list(in_flight)
            in_flight.clear()
            for _, other, _ in later:
                await asyncio.gather(other, return_exceptions=True)
            await asyncio.to_thread(self._cut, start)
            _fail(acks, error)
            for other_acks, _, _ in later:
                _fail(other_acks, error)
            return
        for future in acks:
            if not future.done():
                future.set_result(None)

    def _hour_now(self) -> str:
        return datetime.fromtimestamp(self._clock(), tz=UTC).strftime("%Y-%m-%dT%H")

    def _rotate(self, hour: str | None = None) -> None:
        """Seal the current file if its hour is over (no sync may be running on it)."""
        if self._hour is not None and (hour or self._hour_now()) != self._hour:
            self._seal()

    def _append(self, lines: list[bytes], hour: str) -> int:
        """Write `lines` (not yet synced) to the file of `hour`; returns the file's size before them."""
        self._rotate(hour)
        if self._fd is None:
            name = f"{self.prefix}-{hour}-{time.time_ns():020d}.ndjson{OPEN_SUFFIX}"
            self._path = self.folder / name
            self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
            self._hour = hour
            self._size = 0
            _fsync_dir(self.folder)  # the new name itself must survive a crash
        start = self._size
        data = memoryview(b"".join(lines))
        try:
            written = 0
            while written < len(data):
                written += os.write(self._fd, data[written:])
        except OSError:
            self._cut(start)  # drop the partial batch so the next one starts on a clean line
            raise
        self._size += len(data)
        return start

    def _cut(self, size: int) -> None:
        """Cut the current file back to `size` bytes: what follows was never acknowledged."""
        os.ftruncate(self._fd, size)
        self._size = size

    def _seal(self) -> None:
        if self._fd is None:
            return
        os.fsync(self._fd)
        os.close(self._fd)
        os.replace(self._path, self._path.with_name(self._path.name[: -len(OPEN_SUFFIX)]))
        _fsync_dir(self.folder)
        self._fd, self._path, self._hour, self._size = None, None, None, 0
