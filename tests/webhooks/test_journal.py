"""The journal: acknowledged lines are on disk, files rotate hourly and are sealed atomically."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

from pipelines.webhooks.exports import sealed_files
from pipelines.webhooks.journal import SYNCS_IN_FLIGHT, Journal, body_to_line
from pipelines.webhooks.storage import recover

# How long a test waits for an event that normally takes milliseconds; reached only on a bug.
CEILING = 30.0
WAVES = SYNCS_IN_FLIGHT  # batches the writer keeps in flight at once


def test_body_to_line_keeps_json_valid():
    assert body_to_line(b'{\r\n  "a": "x\\ny"\n}') == b'{    "a": "x\\ny" }\n'


def test_concurrent_appends_are_all_written_then_sealed(tmp_path: Path):
    async def scenario() -> None:
        journal = Journal(tmp_path)
        await journal.start()
        await asyncio.gather(*(journal.append(f'{{"n": {n}}}'.encode()) for n in range(200)))
        assert journal.current_file.name.endswith(".ndjson.open")
        assert sealed_files(tmp_path) == []  # readers cannot see the open file
        await journal.close()

    asyncio.run(scenario())
    (path,) = sealed_files(tmp_path)
    assert sorted(path.read_bytes().splitlines()) == sorted(f'{{"n": {n}}}'.encode() for n in range(200))
    assert not list(tmp_path.glob("*.open"))


def test_rotates_every_utc_hour(tmp_path: Path):
    now = [1764201600.0]  # 00:00 UTC

    async def scenario() -> None:
        journal = Journal(tmp_path, clock=lambda: now[0])
        await journal.start()
        await journal.append(b'{"n": 1}')
        now[0] += 3599
        await journal.append(b'{"n": 2}')
        now[0] += 2  # 01:00:01
        await journal.append(b'{"n": 3}')
        await journal.close()

    asyncio.run(scenario())
    first, second = sealed_files(tmp_path)
    assert "2025-11-27T00" in first.name and "2025-11-27T01" in second.name
    assert first.read_bytes() == b'{"n": 1}\n{"n": 2}\n'
    assert second.read_bytes() == b'{"n": 3}\n'


def test_recover_seals_leftovers_cutting_a_torn_last_line(tmp_path: Path):
    (tmp_path / "webhooks-a.ndjson.open").write_bytes(b'{"n": 1}\n{"n": 2}\n{"n": 3, "tor')
    (tmp_path / "webhooks-b.ndjson.open").write_bytes(b'{"n": 4, "torn')  # nothing was acknowledged
    sealed = recover(tmp_path)
    assert [p.name for p in sealed] == ["webhooks-a.ndjson"]
    assert sealed[0].read_bytes() == b'{"n": 1}\n{"n": 2}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["webhooks-a.ndjson"]


def test_a_failed_sync_fails_the_batches_written_after_it(tmp_path: Path, monkeypatch):
    """The next batch is written while a sync runs; if that sync fails, the later batch fails too
    (even though its own sync succeeded) and the file is cut back to the last acknowledged line."""
    from pipelines.webhooks import journal as journal_module

    real = journal_module._datasync
    calls = []
    first_sync_started, second_synced = threading.Event(), threading.Event()
    overlapped = []

    def slow_then_failing(fd):
        calls.append(fd)
        if len(calls) == 1:
            first_sync_started.set()
            # Fails only once the next batch has been written and synced meanwhile (the ceiling
            # only keeps a broken writer from hanging the test).
            overlapped.append(second_synced.wait(timeout=CEILING))
            raise OSError(5, "Input/output error")
        real(fd)
        second_synced.set()

    async def scenario() -> list:
        journal = Journal(tmp_path)
        await journal.start()
        await journal.append(b'{"n": 1}')
        monkeypatch.setattr(journal_module, "_datasync", slow_then_failing)
        first = asyncio.create_task(journal.append(b'{"n": 2}'))
        assert await asyncio.to_thread(first_sync_started.wait, CEILING)
        second = asyncio.create_task(journal.append(b'{"n": 3}'))
        outcomes = await asyncio.gather(first, second, return_exceptions=True)
        await journal.append(b'{"n": 4}')
        await journal.close()
        return outcomes

    outcomes = asyncio.run(scenario())
    assert [getattr(o, "errno", None) for o in outcomes] == [5, 5]
    assert overlapped == [True]  # the second batch's sync ran while the first was in flight
    (path,) = sealed_files(tmp_path)
    assert path.read_bytes() == b'{"n": 1}\n{"n": 4}\n'


def _full_disk(*args):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("failure", ["sync", "torn write"])
def test_a_failed_write_or_sync_fails_its_batch_and_leaves_no_partial_line(tmp_path: Path, failure: str):
    """The caller gets the error (its POST is not acknowledged), half a written batch is cut off,
    and the next batch starts on a clean line."""
    real_write = os.write
    journal = Journal(tmp_path)

    def half_then_full_disk(fd, data):
        if fd != journal._fd:
            return real_write(fd, data)
        real_write(fd, bytes(data[: len(data) // 2]))
        return _full_disk()

    async def scenario() -> None:
        await journal.start()
        await journal.append(b'{"n": 1}')
        with pytest.MonkeyPatch.context() as broken:
            if failure == "sync":
                broken.setattr(os, "fsync", _full_disk)
                broken.setattr(os, "fdatasync", _full_disk)
            else:
                broken.setattr(os, "write", half_then_full_disk)
            with pytest.raises(OSError) as failed:
                await journal.append(b'{"n": 2, "long": "enough to be torn"}')
        assert failed.value.errno == 28
        await journal.append(b'{"n": 3}')
        await journal.close()

    asyncio.run(scenario())
    (path,) = sealed_files(tmp_path)
    assert path.read_bytes() == b'{"n": 1}\n{"n": 3}\n'


def test_acknowledgements_follow_file_order_while_syncs_overlap(tmp_path: Path, monkeypatch):
    """Later batches are written and synced while the first batch's slow sync still runs; their
    syncs finish first, yet every POST is acknowledged in the order of its line in the file."""
    from pipelines.webhooks import journal as journal_module

    real, lock = journal_module._datasync, threading.Lock()
    syncs = {"started": 0, "running": 0, "most": 0}
    started = threading.Condition(lock)

    def first_sync_slowest(fd: int) -> None:
        with lock:
            syncs["started"] += 1
            first = syncs["started"] == 1
            syncs["running"] += 1
            syncs["most"] = max(syncs["most"], syncs["running"])
            started.notify_all()
            if first:  # the first sync ends only after every later wave's sync has started
                started.wait_for(lambda: syncs["started"] >= WAVES, timeout=CEILING)
        real(fd)
        with lock:
            syncs["running"] -= 1

    def wait_for_syncs(count: int) -> bool:
        with lock:
            return started.wait_for(lambda: syncs["started"] >= count, timeout=CEILING)

    monkeypatch.setattr(journal_module, "_datasync", first_sync_slowest)
    acknowledged = []

    async def scenario() -> None:
        journal = Journal(tmp_path)
        await journal.start()

        async def post(n: int) -> None:
            await journal.append(f'{{"n": {n}}}'.encode())
            acknowledged.append(n)

        posts = []
        for wave in range(WAVES):  # one batch per wave, each written while the first sync runs
            posts += [asyncio.create_task(post(wave * 100 + n)) for n in range(100)]
            assert await asyncio.to_thread(wait_for_syncs, wave + 1)
        await asyncio.gather(*posts)
        await journal.close()

    asyncio.run(scenario())
    (path,) = sealed_files(tmp_path)
    in_file = [int(line[6:-1]) for line in path.read_bytes().splitlines()]
    assert sorted(in_file) == list(range(400))
    assert syncs["most"] > 1  # batches really were in flight together
    assert acknowledged == in_file


def test_close_writes_what_is_queued_then_refuses_appends(tmp_path: Path):
    async def scenario() -> list:
        journal = Journal(tmp_path)
        await journal.start()
        posts = [asyncio.create_task(journal.append(f'{{"n": {n}}}'.encode())) for n in range(50)]
        await asyncio.sleep(0)  # all 50 are queued, none acknowledged yet
        await journal.close()
        assert all(post.done() and post.exception() is None for post in posts)
        try:
            await journal.append(b'{"n": 50}')
        except RuntimeError:
            return [post.result() for post in posts]
        raise AssertionError("a closed journal must refuse appends")

    assert asyncio.run(scenario()) == [None] * 50
    (path,) = sealed_files(tmp_path)
    assert len(path.read_bytes().splitlines()) == 50
    assert not list(tmp_path.glob("*.open"))


def test_an_idle_file_is_sealed_when_its_hour_ends(tmp_path: Path):
    now = [1764205199.0]  # 00:59:59 UTC

    async def scenario() -> None:
        journal = Journal(tmp_path, clock=lambda: now[0])
        await journal.start()
        await journal.append(b'{"n": 1}')
        assert sealed_files(tmp_path) == []  # still its hour
        now[0] += 2  # no more POSTs: the writer notices on its own (it wakes up every second)
        for _ in range(int(CEILING / 0.01)):  # checked often; the ceiling is reached only on a bug
            await asyncio.sleep(0.01)
            if sealed_files(tmp_path):
                break
        assert not list(tmp_path.glob("*.open"))
        await journal.close()

    asyncio.run(scenario())
    (path,) = sealed_files(tmp_path)
    assert "2025-11-27T00" in path.name and path.read_bytes() == b'{"n": 1}\n'


def test_a_removed_open_file_fails_its_posts_and_the_next_write_starts_a_fresh_file(tmp_path: Path):
    """Lines written to a removed file can never be read: they are not acknowledged (Meta retries
    them), and the journal does not keep writing to the removed file."""
    async def scenario() -> tuple:
        journal = Journal(tmp_path)
        await journal.start()
        await journal.append(b'{"n": 1}')
        journal.current_file.unlink()
        with pytest.raises(OSError) as failed:
            await journal.append(b'{"n": 2}')
        await journal.append(b'{"n": 3}')
        await journal.append(b'{"n": 4}')
        await journal.close()
        return failed.value.errno, failed.value.strerror

    assert asyncio.run(scenario()) == (2, "the open journal file was removed")  # ENOENT
    (path,) = sealed_files(tmp_path)
    assert path.read_bytes() == b'{"n": 3}\n{"n": 4}\n'


def _eio(*args):
    raise OSError(5, "Input/output error")


def test_a_seal_that_fails_fails_the_waiting_posts_then_the_journal_recovers(tmp_path: Path):
    """The hour ends and the seal's rename fails (EIO): the POST that was waiting gets the error, the
    writer keeps running, and the next write seals the file left behind before starting a new one."""
    now = [1764205190.0]  # 00:59:50 UTC

    async def scenario() -> int:
        journal = Journal(tmp_path, clock=lambda: now[0])
        await journal.start()
        await journal.append(b'{"n": 1}')
        with pytest.MonkeyPatch.context() as broken:
            broken.setattr(os, "replace", _eio)
            now[0] += 20  # 01:00:10: the next write (or the idle writer) seals the 00 file, and fails
            with pytest.raises(OSError) as failed:
                await journal.append(b'{"n": 2}')
        await journal.append(b'{"n": 3}')
        await journal.close()
        return failed.value.errno

    assert asyncio.run(scenario()) == 5
    first, second = sealed_files(tmp_path)
    assert "2025-11-27T00" in first.name and first.read_bytes() == b'{"n": 1}\n'
    assert "2025-11-27T01" in second.name and second.read_bytes() == b'{"n": 3}\n'
    assert not list(tmp_path.glob("*.open"))


def test_an_unexpected_error_in_the_writer_fails_the_waiting_posts_instead_of_hanging_them(tmp_path: Path):
    journal = Journal(tmp_path)
    real_append = journal._append
    calls = []

    def broken_once(lines, hour):
        calls.append(len(lines))
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return real_append(lines, hour)

    journal._append = broken_once

    async def scenario() -> int:
        await journal.start()
        with pytest.raises(OSError) as failed:
            await asyncio.wait_for(journal.append(b'{"n": 1}'), timeout=60)  # a ceiling, not a sleep
        await journal.append(b'{"n": 2}')
        await journal.close()
        return failed.value.errno

    assert asyncio.run(scenario()) == 5
    (path,) = sealed_files(tmp_path)
    assert path.read_bytes() == b'{"n": 2}\n'


def test_one_journal_per_folder(tmp_path: Path):
    from pipelines.errors import UsageError

    async def scenario() -> None:
        first = Journal(tmp_path)
        await first.start()
        with pytest.raises(UsageError, match="another receiver is already writing to"):
            await Journal(tmp_path).start()
        await first.close()  # releases the lock
        second = Journal(tmp_path)
        await second.start()
        await second.close()

    asyncio.run(scenario())
