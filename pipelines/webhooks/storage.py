"""The journal's folder: one receiver at a time (an exclusive lock), a write probe for `/healthz`,
and sealing the `.open` files a crash or a failed seal left behind.

The lock and probe files start with a dot, so export readers never see them (`exports.is_sealed`).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from pathlib import Path

from pipelines.errors import UsageError

OPEN_SUFFIX = ".open"
LOCK_NAME = ".receiver.lock"
PROBE_NAME = ".healthz"


def lock_folder(folder: Path) -> int:
    """Take the folder's exclusive lock and return its descriptor (closing it releases the lock).

    Two receivers on one folder would seal each other's open file; the second one to start is
    refused instead. `flock` is released by the kernel when the process dies, even by kill -9, so a
    crash never leaves a stale lock behind.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise UsageError(f"another receiver is already writing to {folder}; "
                         "stop it first, or give each receiver its own --instance") from None
    except BaseException:
        os.close(fd)
        raise
    return fd


class Probe:
    """`probe` for `/healthz`: a success stands for `every` seconds unless `forget` is called (the
    journal does after any failed write), so a flood of health checks is not a flood of syncs."""

    def __init__(self, folder: Path, every: float = 1.0) -> None:
        self.folder, self.every = folder, every
        self._ok_at: float | None = None
        self._lock = asyncio.Lock()

    def forget(self) -> None:
        self._ok_at = None

    async def problem(self) -> str | None:
        """None if the folder takes a synced write, else the reason."""
        async with self._lock:
            if self._ok_at is not None and time.monotonic() - self._ok_at < self.every:
                return None
            try:
                await asyncio.to_thread(probe, self.folder)
            except OSError as error:
                self._ok_at = None
                return error.strerror or type(error).__name__
            self._ok_at = time.monotonic()
            return None


def probe(folder: Path) -> None:
    """Write and sync a few bytes in `folder`; raises OSError where the journal could not write.

    A read-only or full file system, a folder gone or replaced by a file, a disk failing its syncs:
    each makes this raise, as it would make the journal's next write fail.
    """
    fd = os.open(folder / PROBE_NAME, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        os.write(fd, b"ok\n")
        os.fsync(fd)
    finally:
        os.close(fd)


def recover(folder: Path) -> list[Path]:
    """Seal every `.open` file left in `folder` by a process that did not shut down cleanly, or
    by a seal of this process that failed (the journal calls this before its next file)."""
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
    fsync_dir(folder)
    return sealed


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
