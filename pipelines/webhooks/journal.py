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

No failure stops the writer. A failed seal (EIO, the file removed) fails the POSTs waiting on it;
the next write seals any `.open` file left, then starts a fresh file. A file removed while open is
noticed after each sync (link count 0): its POSTs get an error, not an acknowledgement for lines
nobody can read. One journal per folder, enforced by an exclusive lock (`storage.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

from pipelines.webhooks.storage import OPEN_SUFFIX, Probe, fsync_dir, lock_folder, recover

SYNCS_IN_FLIGHT = 4
log = logging.getLogger("mmlens.webhooks")


def body_to_line(body: bytes) -> bytes:
    """One line for one POST body. Raw newlines can only be whitespace between JSON tokens
    (inside strings they must be escaped), so turning them into spaces keeps the JSON intact."""
    return body.replace(b"\r", b" ").replace(b"\n", b" ") + b"\n"


def _fail(acks: list[asyncio.Future], error: OSError) -> None:
    for future in acks:
        if not future.done():
            future.set_exception(error)


def _datasync(fd: int) -> None:
    # fdatasync flushes the data and the new file size (what reading the line back needs) but
    # not the modification time: one metadata write less per group commit.
    (os.fdatasync if hasattr(os, "fdatasync") else os.fsync)(fd)


def _sync(fd: int) -> None:
    _datasync(fd)
    if os.fstat(fd).st_nlink == 0:
        raise FileNotFoundError(errno.ENOENT, "the open journal file was removed")


class Journal:
    """Group-committing hourly journal; use from one asyncio event loop."""

    def __init__(self, folder: Path, *, prefix: str = "webhooks", clock=time.time) -> None:
        self.folder, self.prefix, self._clock = folder, prefix, clock
        self._pending: list[tuple[bytes, asyncio.Future]] = []
        self._writing: list[asyncio.Future] = []  # the acks of the batch being written
        self._in_flight: deque[tuple[list[asyncio.Future], asyncio.Future, int]] = deque()  # acks, sync, start
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._closing = False
        self._lock_fd: int | None = None
        self._fd: int | None = None  # the current file: descriptor, path, hour, size
        self._path: Path | None = None
        self._hour: str | None = None
        self._size = 0
        self._leftovers = False  # an `.open` file of ours may be left unsealed
        self._doomed = False  # the current file could not be cut back: abandon it once its syncs are done
        self._probe = Probe(folder)

    def lock(self) -> None:
        """Take the folder's exclusive lock now (`start` takes it otherwise); UsageError if held."""
        if self._lock_fd is None:
            self._lock_fd = lock_folder(self.folder)

    def unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    async def start(self) -> list[Path]:
        """Lock the folder, seal leftovers of a crash, then start the writer task."""
        self.lock()
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

    async def storage_problem(self) -> str | None:
        """None if the folder takes a synced write now, else why not (for `/healthz`)."""
        if self._task is None or self._task.done():
            return "journal not running"
        return await self._probe.problem()

    async def close(self) -> None:
        """Write what is pending, seal the current file, stop the writer, release the lock."""
        try:
            if self._task is not None:
                self._closing = True
                self._wake.set()
                await self._task
                self._task = None
                try:
                    await asyncio.to_thread(self._seal)
                except OSError as error:
                    self._failed("could not seal the journal file at shutdown", error)
        finally:
            self.unlock()

    def _failed(self, what: str, error: OSError) -> None:
        self._probe.forget()  # the next `/healthz` probes again
        log.error("%s: %s", what, error.strerror or type(error).__name__)

    async def _run(self) -> None:
        while True:
            try:
                await self._write()
                return
            except Exception as error:  # a bug: still, no POST may be left waiting for an answer
                log.error("the journal writer failed; the next write starts a fresh file", exc_info=error)
                self._probe.forget()
                failure = OSError(errno.EIO, f"journal writer failed ({type(error).__name__})")
                await asyncio.gather(*(sync for _, sync, _ in self._in_flight), return_exceptions=True)
                waiting = [acks for acks, _, _ in self._in_flight] + [self._writing, [f for _, f in self._pending]]
                self._in_flight.clear()
                self._pending, self._writing = [], []
                for acks in waiting:
                    _fail(acks, failure)
                self._abandon()

    async def _write(self) -> None:
        in_flight = self._in_flight
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
                    await self._acknowledge_oldest()
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
                    try:
                        await asyncio.to_thread(self._rotate)
                    except OSError as error:
                        self._failed("could not seal the journal file", error)
                    continue
            if self._doomed and not in_flight:
                self._abandon()
            hour = self._hour_now()
            if in_flight and (len(in_flight) >= SYNCS_IN_FLIGHT or hour != self._hour or self._doomed):
                await self._acknowledge_oldest()  # a file is sealed only once its syncs are done
                continue
            batch, self._pending = self._pending, []
            acks = self._writing = [future for _, future in batch]
            try:
                start = await asyncio.to_thread(self._append, [line for line, _ in batch], hour)
            except OSError as error:
                self._failed("could not write to the journal", error)
                _fail(acks, error)
                continue
            self._writing = []  # kept on an unexpected error, for `_run` to fail them
            in_flight.append((acks, asyncio.ensure_future(asyncio.to_thread(_sync, self._fd)), start))

    async def _acknowledge_oldest(self) -> None:
        in_flight = self._in_flight
        acks, sync, start = in_flight.popleft()
        try:
            await sync
        except OSError as error:
            self._failed("could not sync the journal", error)
            # Later batches were written after this one: none of them may be acknowledged.
            later = list(in_flight)
            in_flight.clear()
            for _, other, _ in later:
                await asyncio.gather(other, return_exceptions=True)
            await asyncio.to_thread(self._cut_or_abandon, start)
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
            if self._leftovers:
                recover(self.folder)  # what a failed seal or an abandoned file left: no other is open
                self._leftovers = False
            name = f"{self.prefix}-{hour}-{time.time_ns():020d}.ndjson{OPEN_SUFFIX}"
            self._path = self.folder / name
            self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
            self._hour = hour
            self._size = 0
            fsync_dir(self.folder)  # the new name itself must survive a crash
        start = self._size
        data = memoryview(b"".join(lines))
        try:
            written = 0
            while written < len(data):
                written += os.write(self._fd, data[written:])
        except OSError:
            try:
                self._cut(start)  # drop the partial batch so the next one starts on a clean line
            except OSError:
                self._doomed = True  # syncs may still run on this descriptor: `_write` drops it after them
            raise
        self._size += len(data)
        return start

    def _cut(self, size: int) -> None:
        """Cut the current file back to `size` bytes: what follows was never acknowledged."""
        os.ftruncate(self._fd, size)
        self._size = size

    def _cut_or_abandon(self, size: int) -> None:
        """`_cut`, or leave the file for a fresh one if it was removed or cannot be cut (no sync
        may be running on it)."""
        try:
            if os.fstat(self._fd).st_nlink > 0:
                self._cut(size)
                return
        except OSError:
            pass
        self._abandon()

    def _abandon(self) -> None:
        """Stop writing to the current file without sealing it; the next write starts a fresh one."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd, self._path, self._hour, self._size = None, None, None, 0
        self._leftovers, self._doomed = True, False

    def _seal(self) -> None:
        if self._fd is None:
            return
        fd, path = self._fd, self._path
        # Forgotten before anything can fail: a half-done seal must not leave a closed descriptor
        # behind for the next write. What it leaves on disk is sealed by `recover` before that write.
        self._fd, self._path, self._hour, self._size = None, None, None, 0
        self._leftovers = True
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(path, path.with_name(path.name[: -len(OPEN_SUFFIX)]))
        fsync_dir(self.folder)
        self._leftovers = False
