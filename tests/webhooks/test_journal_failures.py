"""The journal's writer under failure: a bug in the writer while batches are in flight, a torn batch
that cannot be cut off, and a batch of a new hour while the last hour's sync runs. Time is the
journal's injected clock, never a sleep."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

from pipelines.webhooks import journal as journal_module
from pipelines.webhooks.exports import sealed_files
from pipelines.webhooks.journal import Journal
from tests.webhooks.test_journal_edges import CEILING, MIDNIGHT, _eio


def test_a_writer_failing_while_a_failing_sync_is_in_flight_still_answers_every_post(tmp_path: Path, monkeypatch):
    """The writer meets a bug writing the second batch while the first batch's sync is still running,
    and that sync then fails: both POSTs get the writer's error, none is left waiting."""
    journal = Journal(tmp_path)
    real_append, real_sync = journal._append, journal_module._datasync
    syncing, release = threading.Event(), threading.Event()
    calls = []

    def failing_sync(fd: int) -> None:
        if len(calls) == 1:  # the first batch's sync: fails once the writer has met its bug
            syncing.set()
            assert release.wait(CEILING)
            raise OSError(5, "Input/output error")
        real_sync(fd)

    def broken_second(lines, hour):
        calls.append(len(lines))
        if len(calls) == 2:
            release.set()
            raise RuntimeError("a bug")
        return real_append(lines, hour)

    journal._append = broken_second
    monkeypatch.setattr(journal_module, "_datasync", failing_sync)

    async def scenario() -> list:
        await journal.start()
        first = asyncio.create_task(journal.append(b'{"n": 1}'))
        assert await asyncio.to_thread(syncing.wait, CEILING)
        second = asyncio.create_task(journal.append(b'{"n": 2}'))
        outcomes = await asyncio.wait_for(asyncio.gather(first, second, return_exceptions=True), timeout=CEILING)
        await journal.append(b'{"n": 3}')
        await journal.close()
        return outcomes

    outcomes = asyncio.run(scenario())
    assert [(o.errno, o.strerror) for o in outcomes] == [(5, "journal writer failed (RuntimeError)")] * 2
    # The abandoned file is sealed as it was left (its line unacknowledged: Meta sends it again, and
    # the redelivery lands once); the next POST went to a fresh file.
    assert [path.read_bytes() for path in sealed_files(tmp_path)] == [b'{"n": 1}\n', b'{"n": 3}\n']


def test_a_torn_batch_that_cannot_be_cut_off_leaves_its_file_for_a_fresh_one(tmp_path: Path):
    """The write fails half-way and the file cannot be cut back either: the next batch must not be
    written after the torn line; it goes to a fresh file, and the old one is sealed without it."""
    real_write = os.write
    journal = Journal(tmp_path)

    def torn(fd, data):
        if fd == journal._fd:  # a few bytes of the batch, then a full disk
            real_write(fd, bytes(data[:5]))
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    async def scenario() -> None:
        await journal.start()
        await journal.append(b'{"n": 1}')
        with pytest.MonkeyPatch.context() as broken:
            broken.setattr(os, "write", torn)
            broken.setattr(os, "ftruncate", _eio)
            with pytest.raises(OSError):
                await journal.append(b'{"n": 2, "long": "enough to be torn"}')
        await journal.append(b'{"n": 3}')
        await journal.close()

    asyncio.run(scenario())
    assert [path.read_bytes() for path in sealed_files(tmp_path)] == [b'{"n": 1}\n', b'{"n": 3}\n']


def test_a_batch_of_the_next_hour_waits_for_the_syncs_of_the_last_one(tmp_path: Path, monkeypatch):
    now = [MIDNIGHT + 3599]  # 00:59:59 UTC
    real = journal_module._datasync
    started, go = threading.Event(), threading.Event()

    def first_waits(fd: int) -> None:
        if not started.is_set():
            started.set()
            assert go.wait(CEILING)
        real(fd)

    monkeypatch.setattr(journal_module, "_datasync", first_waits)

    async def scenario() -> None:
        journal = Journal(tmp_path, clock=lambda: now[0])
        await journal.start()
        first = asyncio.create_task(journal.append(b'{"n": 1}'))
        assert await asyncio.to_thread(started.wait, CEILING)
        now[0] += 2  # 01:00:01, while the 00 file's sync still runs
        second = asyncio.create_task(journal.append(b'{"n": 2}'))
        await asyncio.sleep(0)  # one turn of the loop: the second body is queued
        go.set()
        await asyncio.wait_for(asyncio.gather(first, second), timeout=CEILING)
        await journal.close()

    asyncio.run(scenario())
    first, second = sealed_files(tmp_path)
    assert "2025-11-27T00" in first.name and first.read_bytes() == b'{"n": 1}\n'
    assert "2025-11-27T01" in second.name and second.read_bytes() == b'{"n": 2}\n'


def test_a_writer_failing_after_a_batch_was_written_answers_every_post(tmp_path: Path):
    """The writer meets a bug (here its clock) after a first batch was written and acknowledged: no
    POST is left waiting, and the next POSTs land."""
    broken = []

    def clock() -> float:
        if broken:
            broken.clear()
            raise RuntimeError("a bug")
        return MIDNIGHT

    async def scenario() -> list:
        journal = Journal(tmp_path, clock=clock)
        await journal.start()
        await journal.append(b'{"n": 1}')
        broken.append(1)  # the next reading of the clock fails: the idle writer's or the next batch's
        outcome = await asyncio.wait_for(asyncio.gather(journal.append(b'{"n": 2}'), return_exceptions=True),
                                         timeout=CEILING)
        await asyncio.wait_for(journal.append(b'{"n": 3}'), timeout=CEILING)
        await journal.close()
        return outcome

    (outcome,) = asyncio.run(scenario())
    assert outcome is None or (outcome.errno, outcome.strerror) == (5, "journal writer failed (RuntimeError)")
    lines = b"".join(path.read_bytes() for path in sealed_files(tmp_path)).splitlines()
    assert lines[0] == b'{"n": 1}' and lines[-1] == b'{"n": 3}'


def test_when_a_batch_written_after_a_failed_sync_fails_its_own_sync_too_both_posts_get_the_sync_error(
        tmp_path: Path, monkeypatch):
    first_started, second_failed = threading.Event(), threading.Event()
    calls = []

    def both_fail(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:
            first_started.set()
            assert second_failed.wait(CEILING)  # fails only once the later batch's sync has failed
        else:
            second_failed.set()
        raise OSError(5, "Input/output error")

    async def scenario() -> list:
        journal = Journal(tmp_path)
        await journal.start()
        await journal.append(b'{"n": 1}')
        monkeypatch.setattr(journal_module, "_datasync", both_fail)
        first = asyncio.create_task(journal.append(b'{"n": 2}'))
        assert await asyncio.to_thread(first_started.wait, CEILING)
        second = asyncio.create_task(journal.append(b'{"n": 3}'))
        outcomes = await asyncio.wait_for(asyncio.gather(first, second, return_exceptions=True), timeout=CEILING)
        monkeypatch.undo()
        await journal.append(b'{"n": 4}')
        await journal.close()
        return outcomes

    outcomes = asyncio.run(scenario())
    assert [(o.errno, o.strerror) for o in outcomes] == [(5, "Input/output error")] * 2
    assert [path.read_bytes() for path in sealed_files(tmp_path)] == [b'{"n": 1}\n{"n": 4}\n']


def test_short_writes_are_continued_and_a_torn_batch_is_cut_back_to_the_batches_before_it(tmp_path: Path):
    """os.write may write less than it is given; and when a later batch is torn, the file is cut
    back to the end of the batches before it, all of them."""
    real_write = os.write
    journal = Journal(tmp_path)
    calls, tear = [], []

    def short_or_torn(fd, data):
        if fd != journal._fd:
            return real_write(fd, data)
        calls.append(1)
        if tear or len(calls) > 1000:  # the ceiling stops a writer that never advances
            real_write(fd, bytes(data[:3]))
            raise OSError(28, "No space left on device")
        return real_write(fd, bytes(data[:4]))  # four bytes at a time

    async def scenario() -> None:
        await journal.start()
        with pytest.MonkeyPatch.context() as short:
            short.setattr(os, "write", short_or_torn)
            await journal.append(b'{"n": 1}')
            await journal.append(b'{"n": 2}')
            tear.append(1)
            with pytest.raises(OSError):
                await journal.append(b'{"n": 3}')
        await journal.append(b'{"n": 4}')
        await journal.close()

    asyncio.run(scenario())
    assert [path.read_bytes() for path in sealed_files(tmp_path)] == [b'{"n": 1}\n{"n": 2}\n{"n": 4}\n']
