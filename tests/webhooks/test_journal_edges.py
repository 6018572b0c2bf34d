"""The journal's edges: the names of its files, which sync it asks for, what its errors say, and a
writer that fails before its first write. Time is the journal's injected clock, never a sleep."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest

from pipelines.webhooks.exports import sealed_files
from pipelines.webhooks.journal import Journal

CEILING = 30.0  # how long a test waits for what normally takes milliseconds; reached only on a bug
MIDNIGHT = 1764201600.0  # 2025-11-27 00:00:00 UTC


def test_files_are_named_after_the_prefix_the_hour_and_a_sortable_start(tmp_path: Path):
    async def scenario() -> None:
        for prefix in (None, "sends"):
            journal = Journal(tmp_path, clock=lambda: MIDNIGHT) if prefix is None else Journal(
                tmp_path, prefix=prefix, clock=lambda: MIDNIGHT)
            await journal.start()
            await journal.append(b'{"n": 1}')
            await journal.close()

    asyncio.run(scenario())
    names = sorted(path.name for path in sealed_files(tmp_path))
    assert len(names) == 2
    assert re.fullmatch(r"sends-2025-11-27T00-\d{20}\.ndjson", names[0]), names
    assert re.fullmatch(r"webhooks-2025-11-27T00-\d{20}\.ndjson", names[1]), names


def test_a_batch_is_made_durable_with_fdatasync(tmp_path: Path, monkeypatch):
    """fdatasync, not fsync: it skips the modification time, one metadata write less per batch."""
    real = os.fdatasync
    synced = []

    def recording(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fdatasync", recording)
    journal = Journal(tmp_path)

    async def scenario() -> int:
        await journal.start()
        await journal.append(b'{"n": 1}')
        fd = journal._fd
        await journal.close()
        return fd

    assert asyncio.run(scenario()) in synced


def test_a_writer_that_fails_before_its_first_write_fails_the_waiting_post(tmp_path: Path, caplog):
    calls = []

    def clock() -> float:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return MIDNIGHT

    async def scenario() -> OSError:
        journal = Journal(tmp_path, clock=clock)
        await journal.start()
        with pytest.raises(OSError) as failed:
            await asyncio.wait_for(journal.append(b'{"n": 1}'), timeout=CEILING)
        await asyncio.wait_for(journal.append(b'{"n": 2}'), timeout=CEILING)
        await journal.close()
        return failed.value

    with caplog.at_level("ERROR", logger="mmlens.webhooks"):
        error = asyncio.run(scenario())
    assert (error.errno, error.strerror) == (5, "journal writer failed (RuntimeError)")  # EIO
    (record,) = [r for r in caplog.records if r.name == "mmlens.webhooks"]
    assert record.getMessage() == "the journal writer failed; the next write starts a fresh file"
    assert str(record.exc_info[1]) == "a bug"
    (path,) = sealed_files(tmp_path)
    assert path.read_bytes() == b'{"n": 2}\n'


def test_a_journal_not_started_refuses_posts_and_says_it_is_not_running(tmp_path: Path):
    async def scenario() -> None:
        journal = Journal(tmp_path)
        assert journal.current_file is None
        assert await journal.storage_problem() == "journal not running"
        with pytest.raises(RuntimeError, match="^journal is not running$"):
            await journal.append(b'{"n": 1}')
        await journal.close()  # nothing to write or seal
        await journal.start()
        await journal.append(b'{"n": 1}')
        assert journal.current_file.name.endswith(".ndjson.open")
        await journal.close()
        assert journal.current_file is None
        assert await journal.storage_problem() == "journal not running"

    asyncio.run(scenario())
    assert [path.read_bytes() for path in sealed_files(tmp_path)] == [b'{"n": 1}\n']


def test_start_seals_the_leftovers_of_a_crash_and_says_which(tmp_path: Path):
    (tmp_path / "webhooks-old.ndjson.open").write_bytes(b'{"n": 0}\n')

    async def scenario() -> list[Path]:
        journal = Journal(tmp_path)
        sealed = await journal.start()
        assert "journal-writer" in {task.get_name() for task in asyncio.all_tasks()}  # named for debugging
        assert await journal.storage_problem() is None  # the folder takes a synced write
        await journal.close()
        return sealed

    assert asyncio.run(scenario()) == [tmp_path / "webhooks-old.ndjson"]
    assert (tmp_path / "webhooks-old.ndjson").read_bytes() == b'{"n": 0}\n'


def test_a_closed_journal_releases_its_lock_once_and_can_take_it_again(tmp_path: Path):
    from pipelines.errors import UsageError

    async def scenario() -> None:
        journal = Journal(tmp_path)
        await journal.start()
        await journal.close()
        await journal.close()  # the lock is released once; closing again is harmless
        journal.lock()  # taken again: a second journal on the folder is refused
        with pytest.raises(UsageError, match="another receiver is already writing to"):
            Journal(tmp_path).lock()
        journal.unlock()
        other = Journal(tmp_path)
        other.lock()
        other.unlock()

    asyncio.run(scenario())


def _eio(*args):
    raise OSError(5, "Input/output error")


def _no_reason(*args):
    raise OSError  # no errno, no text: the log names the type


def test_each_failure_is_logged_with_what_failed_and_why(tmp_path: Path, caplog):
    real_write = os.write
    journal = Journal(tmp_path)

    def failing_write(fd, data):
        return _no_reason() if fd == journal._fd else real_write(fd, data)

    async def scenario() -> None:
        await journal.start()
        with pytest.MonkeyPatch.context() as broken:
            broken.setattr(os, "write", failing_write)
            with pytest.raises(OSError):
                await journal.append(b'{"n": 1}')
        with pytest.MonkeyPatch.context() as broken:
            broken.setattr(os, "fdatasync", _eio)
            with pytest.raises(OSError):
                await journal.append(b'{"n": 2}')
        await journal.append(b'{"n": 3}')
        with pytest.MonkeyPatch.context() as broken:
            broken.setattr(os, "replace", _eio)
            await journal.close()  # the POSTs are answered; the file stays `.open` for the next start

    with caplog.at_level("ERROR", logger="mmlens.webhooks"):
        asyncio.run(scenario())
    assert [r.getMessage() for r in caplog.records if r.name == "mmlens.webhooks"] == [
        "could not write to the journal: OSError",
        "could not sync the journal: Input/output error",
        "could not seal the journal file at shutdown: Input/output error",
    ]
    (left,) = tmp_path.glob("*.ndjson.open")
    assert sealed_files(tmp_path) == [] and left.read_bytes() == b'{"n": 3}\n'  # the failed batches were cut


def test_an_idle_seal_that_fails_is_logged_and_the_writer_keeps_going(tmp_path: Path, caplog):
    now = [MIDNIGHT + 3590]  # 00:59:50 UTC

    async def scenario() -> None:
        journal = Journal(tmp_path, clock=lambda: now[0])
        await journal.start()
        await journal.append(b'{"n": 1}')
        with pytest.MonkeyPatch.context() as broken:
            broken.setattr(os, "replace", _eio)
            now[0] += 20  # 01:00:10, no more POSTs: the idle writer (awake every second) tries to seal
            for _ in range(int(CEILING / 0.01)):  # checked often; the ceiling is reached only on a bug
                await asyncio.sleep(0.01)
                if any(r.getMessage().startswith("could not seal the journal file:") for r in caplog.records):
                    break
        await asyncio.wait_for(journal.append(b'{"n": 2}'), timeout=CEILING)  # the writer still runs
        await journal.close()

    with caplog.at_level("ERROR", logger="mmlens.webhooks"):
        asyncio.run(scenario())
    assert [r.getMessage() for r in caplog.records if r.name == "mmlens.webhooks"] == [
        "could not seal the journal file: Input/output error"]
    assert [path.read_bytes() for path in sealed_files(tmp_path)] == [b'{"n": 1}\n', b'{"n": 2}\n']


def test_files_are_named_after_the_utc_hour_whatever_the_local_zone(tmp_path: Path, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")  # UTC+05:30
    time.tzset()
    try:
        async def scenario() -> None:
            journal = Journal(tmp_path, clock=lambda: MIDNIGHT)
            await journal.start()
            await journal.append(b'{"n": 1}')
            await journal.close()

        asyncio.run(scenario())
    finally:
        monkeypatch.undo()
        time.tzset()
    (path,) = sealed_files(tmp_path)
    assert path.name.startswith("webhooks-2025-11-27T00-")


def test_an_idle_file_stays_open_while_its_hour_lasts(tmp_path: Path):
    readings = []

    def clock() -> float:
        readings.append(1)
        return MIDNIGHT + 60

    async def scenario() -> None:
        journal = Journal(tmp_path, clock=clock)
        await journal.start()
        await journal.append(b'{"n": 1}')
        seen = len(readings)
        for _ in range(int(CEILING / 0.01)):  # until the idle writer (awake every second) reads the clock
            await asyncio.sleep(0.01)
            if len(readings) > seen or sealed_files(tmp_path):
                break
        assert sealed_files(tmp_path) == [] and journal.current_file.name.endswith(".ndjson.open")
        await journal.close()

    asyncio.run(scenario())


def test_journal_files_are_readable_by_all_and_writable_by_the_receiver(tmp_path: Path):
    umask = os.umask(0o022)
    try:
        async def scenario() -> int:
            journal = Journal(tmp_path)
            await journal.start()
            await journal.append(b'{"n": 1}')
            mode = journal.current_file.stat().st_mode & 0o777
            await journal.close()
            return mode

        assert asyncio.run(scenario()) == 0o644
    finally:
        os.umask(umask)
