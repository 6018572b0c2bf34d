"""Building the marts in DuckDB: read raw rows, call the pure transforms, replace a window.

Plain Python over a DuckDB connection (no Dagster), so the assets stay thin and the benchmark can
time exactly what the assets run. Every build deletes its window and inserts the new rows in ONE
transaction, so a re-run gives identical tables and a failure leaves the previous rows intact.

Windows:
- campaign_daily / conversions_daily: a range of account-local dates (the partition range).
- delivery_funnel_daily / error_codes_daily: incremental. `marts.build_watermarks` records how far
  (rowid) a mart has read each raw export table; the rebuild starts at the UTC date of the earliest
  row past that. The funnel window also takes in the days of the older sends those events belong to
  (a click today for yesterday's send changes yesterday's row), so the result equals a full
  rebuild. `full=True` (or an empty state) rebuilds everything.
- The funnel's older sends (the as-of rule reaches back however far) are found through
  `marts.send_keys`, a directory of 32-bit hashes of each accepted send's (campaign, token) and
  tracking id with its rowid, kept up to date by rowid watermark like the marts (rebuilt when
  raw.send_attempts was). Only what the window's own sends cannot explain is looked up, so a
  daily run reads a few hundred older sends instead of scanning the whole send history.
- responses_daily: incremental by rowid watermark on raw.messenger_events and raw.webhook_events,
  from the UTC date of the earliest new tap or new echo/delivery naming a recipient (a message
  received can only capture later taps); the window's taps are attributed through every earlier
  echo and delivery of their senders, however old.
- delivery_estimates: rebuilt whole (one row per account and day).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.transforms.campaign_daily import campaign_daily, conversions_daily
from pipelines.transforms.error_codes import error_codes_daily
from pipelines.transforms.estimates import delivery_estimates
from pipelines.transforms.funnel import (
    accepted_sends,
    attribute_events,
    context_lookups,
    context_sends,
    delivery_funnel_daily,
    earliest_touched_send,
)
from pipelines.transforms.responses import RESPONSES_SCHEMA, responses_daily
from pipelines.warehouse import sql_text

MART_NAMES = ("campaign_daily", "conversions_daily", "delivery_funnel_daily", "error_codes_daily", "delivery_estimates",
              "responses_daily")
BEGINNING = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class BuildResult:
    """What a build replaced: rows written and the first date rewritten (None: nothing new)."""

    frame: pl.DataFrame
    since: dt.date | None
    full: bool = False

    @property
    def rows_written(self) -> int:
        return self.frame.height


def _read(con: duckdb.DuckDBPyConnection, name: str, params: list | None = None) -> pl.DataFrame:
    return con.sql(sql_text(f"queries/{name}.sql"), params=params).pl()


def _utc_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)


@contextlib.contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: all of it lands or none (each commit also costs a WAL flush)."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _write(con: duckdb.DuckDBPyConnection, delete: str, delete_params: list, insert: str, rows: pl.DataFrame,
           state: tuple[str, pl.DataFrame] | None = None) -> None:
    """Delete a window and insert its rows (and record the build state), inside a transaction."""
    con.register("mart_rows", rows)
    try:
        con.execute(sql_text(f"queries/{delete}.sql"), delete_params)
        con.execute(sql_text(f"queries/{insert}.sql"))
        if state is not None:
            mart, watermarks = state
            con.register("watermark_rows", watermarks)
            con.execute(sql_text("queries/mart_replace_build_watermarks.sql"), [mart])
    finally:
        con.unregister("mart_rows")
        if state is not None:
            con.unregister("watermark_rows")


def _replace(con: duckdb.DuckDBPyConnection, delete: str, delete_params: list, insert: str, rows: pl.DataFrame,
             state: tuple[str, pl.DataFrame] | None = None) -> None:
    """Delete a window and insert its rows (and record the build state) in one transaction."""
    with _transaction(con):
        _write(con, delete, delete_params, insert, rows, state)


def mart_row_count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    if name not in MART_NAMES:
        raise ValueError(f"not a mart: {name}")
    ((count,),) = con.execute(sql_text("queries/mart_count_rows.sql"), [name]).fetchall()
    return int(count or 0)


def build_campaign_marts(con: duckdb.DuckDBPyConnection, since: dt.date, until: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Replace campaign_daily and conversions_daily for account-local dates [since, until]."""
    insights = _read(con, "mart_read_insights", [since, until])
    actions = _read(con, "mart_read_actions", [since, until])
    campaigns = _read(con, "mart_read_campaigns")
    accounts = _read(con, "mart_read_accounts")
    conversions = conversions_daily(actions)
    daily = campaign_daily(insights, conversions, campaigns, accounts)
    with _transaction(con):
        _write(con, "mart_delete_campaign_daily_window", [since, until], "mart_insert_campaign_daily", daily)
        _write(con, "mart_delete_conversions_daily_window", [since, until], "mart_insert_conversions_daily", conversions)
    return daily, conversions


def _incremental_start(con: duckdb.DuckDBPyConnection, mart: str, full: bool,
                       now: pl.DataFrame) -> tuple[dt.date | None, bool, tuple[int, int]]:
    """(first UTC date to rebuild, whether it is a full rebuild, the (send, webhook) rowids read so
    far); (None, False, ...) when nothing is new.

    `now` is how far the raw export tables reach (rowid, count). Rows past the rowid the mart read
    last time are the new ones; when the counts do not add up (a raw table was rebuilt), or on
    the first build, everything is rebuilt.
    """
    seen = {row[0]: row[1:] for row in _read(con, "mart_build_watermarks", [mart]).iter_rows()}
    if full or len(seen) < now.height:
        return BEGINNING, True, (-1, -1)
    reach = {row[0]: row[1:] for row in now.iter_rows()}
    (sends_rowid, sends_count), (events_rowid, events_count) = seen["send_attempts"], seen["webhook_events"]
    ((earliest, new_rows, new_sends, new_events),) = con.execute(
        sql_text("queries/mart_earliest_new_rows.sql"), [sends_rowid, events_rowid]).fetchall()
    if (reach["send_attempts"][1] - sends_count != (new_sends or 0)
            or reach["webhook_events"][1] - events_count != (new_events or 0)):
        return BEGINNING, True, (-1, -1)  # rows went missing or were rewritten: the raw table was rebuilt
    return (earliest.date() if new_rows and earliest is not None else None), False, (sends_rowid, events_rowid)


def _older_sends(con: duckdb.DuckDBPyConnection, since: dt.date, attempts: pl.DataFrame,
                 events: pl.DataFrame) -> pl.DataFrame:
    """The sends before `since` that these events (from `since` on) may belong to, given the
    attempts from `since` on: only what those attempts cannot explain is looked up (a tracking id
    no window send carries, an untracked event with no window send of its campaign and token at or
    before it), through the directory marts.send_keys, so only the matching rows are read."""
    if since == BEGINNING:  # a full rebuild: there is nothing older
        return attempts.clear()
    ids, pairs = context_lookups(attempts, events)
    if not (ids or pairs.height):
        return attempts.clear()
    ((id_hashes, key_hashes),) = con.execute(sql_text("queries/mart_send_key_hashes.sql"), [
        ids, pairs["message_campaign_id"].to_list(), pairs["subscription_token"].to_list()]).fetchall()
    candidates = _read(con, "mart_read_context_sends", [_utc_start(since), id_hashes, key_hashes])
    return context_sends(candidates, ids, pairs)


def _update_send_keys(con: duckdb.DuckDBPyConnection, reach: pl.DataFrame) -> None:
    """Inside a transaction: bring the send directory up to `reach` (how far raw.send_attempts reaches now): append the
    sends past the rowid it has, or rebuild it when the counts do not add up (the raw table was
    rebuilt). Independent of a mart's full rebuild: the directory depends on raw rows only."""
    now = reach.filter(pl.col("source_table") == "send_attempts")
    seen = _read(con, "mart_build_watermarks", ["send_keys"])
    (now_rowid, now_count) = now.select("max_rowid", "row_count").row(0)
    rebuild, past = True, -1
    if seen.height:
        (seen_rowid, seen_count) = seen.select("max_rowid", "row_count").row(0)
        if (seen_rowid, seen_count) == (now_rowid, now_count):
            return
        ((new_rows,),) = con.execute(sql_text("queries/mart_count_sends_past.sql"), [seen_rowid]).fetchall()
        rebuild, past = seen_count + new_rows != now_count, seen_rowid
    con.register("watermark_rows", now)
    try:
        if rebuild:
            con.execute(sql_text("queries/mart_clear_send_keys.sql"))
            past = -1
        con.execute(sql_text("queries/mart_append_send_keys.sql"), [past])
        con.execute(sql_text("queries/mart_replace_build_watermarks.sql"), ["send_keys"])
    finally:
        con.unregister("watermark_rows")


def _export_frames(con: duckdb.DuckDBPyConnection, since: dt.date,
                   full: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Send attempts and funnel events from `since` (UTC), plus the older sends they may point at.
    `full`: a full rebuild, whose events come with the sends their tracking ids name already
    matched in DuckDB (`send_rowid`; nothing is older)."""
    start = _utc_start(since)
    attempts = _read(con, "mart_read_send_attempts", [start])
    if full:
        return attempts, _read(con, "mart_read_webhook_events_matched", [start])
    events = _read(con, "mart_read_webhook_events", [start])
    return pl.concat([attempts, _older_sends(con, since, attempts, events)]), events


def _funnel_window(con: duckdb.DuckDBPyConnection, attempts: pl.DataFrame, events: pl.DataFrame, since: dt.date,
                   read: tuple[int, int]) -> dt.date:
    """The first send date the new rows can change, given frames loaded from `since` (the date of
    the earliest new row) and the rowids read before. New events may belong to older sends (a click
    after midnight for yesterday's send): those sends' days change. And a newly landed send may
    capture events an older send had (a send log that lands after its webhooks): that older send's
    day changes too. Only events read before can have had an older send (new ones were counted
    nowhere), so only theirs are looked up."""
    sends_rowid, events_rowid = read
    touched = [earliest_touched_send(attempts, events.filter(pl.col("raw_rowid") > events_rowid))]
    if attempts.select((pl.col("raw_rowid") > sends_rowid).any()).item():
        numbered = accepted_sends(attempts)
        captured = attribute_events(attempts, events.filter(pl.col("raw_rowid") <= events_rowid)).join(
            numbered.filter(pl.col("raw_rowid") > sends_rowid).select("send_id"), on="send_id", how="semi")
        if captured.height:
            # The window's own older sends (not the context loaded for other events: a send found by
            # its tracking id need not be the latest of its campaign and token).
            old = attempts.filter((pl.col("raw_rowid") <= sends_rowid) & (pl.col("ts") >= dt.datetime.combine(since, dt.time())))
            old = pl.concat([old, _older_sends(con, since, old, captured)])
            touched.append(earliest_touched_send(old, captured))
    return min([since, *[day for day in touched if day is not None]])


def build_funnel(con: duckdb.DuckDBPyConnection, full: bool = False) -> BuildResult:
    """Rebuild marts.delivery_funnel_daily from the earliest date new export rows can change.

    Rows before that date are exact without re-reading: new events belong to sends inside the
    window, and old events keep their sends unless a newly landed send captured them, which the
    window also covers (a send only captures events after it).
    """
    reach = _read(con, "mart_source_watermarks")
    with _transaction(con):  # the send directory and the funnel land together (and one WAL flush)
        _update_send_keys(con, reach)
        since, is_full, read = _incremental_start(con, "delivery_funnel_daily", full, reach)
        if since is None:
            return BuildResult(pl.DataFrame(), None)
        attempts, events = _export_frames(con, since, full=is_full)
        if not is_full:
            window = _funnel_window(con, attempts, events, since, read)
            if window < since:
                since = window
                attempts, events = _export_frames(con, since)
        funnel = delivery_funnel_daily(attempts, events, _read(con, "mart_read_campaigns"), since=since)
        _write(con, "mart_delete_funnel_since", [since], "mart_insert_delivery_funnel_daily", funnel,
               state=("delivery_funnel_daily", reach))
    return BuildResult(funnel, since, is_full)


def build_error_codes(con: duckdb.DuckDBPyConnection, full: bool = False) -> BuildResult:
    """Rebuild marts.error_codes_daily from the earliest UTC date of new export rows."""
    reach = _read(con, "mart_source_watermarks")
    since, is_full, _ = _incremental_start(con, "error_codes_daily", full, reach)
    if since is None:
        return BuildResult(pl.DataFrame(), None)
    start = _utc_start(since)
    errors = error_codes_daily(_read(con, "mart_read_rejected_attempts", [start]), _read(con, "mart_read_failed_events", [start]))
    _replace(con, "mart_delete_error_codes_since", [since], "mart_insert_error_codes_daily", errors,
             state=("error_codes_daily", reach))
    return BuildResult(errors, since, is_full)


def build_estimates(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Rebuild marts.delivery_estimates whole."""
    frame = delivery_estimates(_read(con, "mart_read_estimates"), _read(con, "mart_read_campaign_daily_all"),
                               _read(con, "mart_read_accounts"))
    _replace(con, "mart_delete_delivery_estimates", [], "mart_insert_delivery_estimates", frame)
    return frame


def _responses_start(con: duckdb.DuckDBPyConnection, full: bool, reach: pl.DataFrame) -> tuple[dt.date | None, bool, bool]:
    """(first UTC date to rebuild or None, whether it is a full rebuild, whether any raw row is new)."""
    seen = {row[0]: row[1:] for row in _read(con, "mart_build_watermarks", ["responses_daily"]).iter_rows()}
    if full or len(seen) < reach.height:
        return BEGINNING, True, True
    now = {row[0]: row[1:] for row in reach.iter_rows()}
    (taps_rowid, taps_count), (events_rowid, events_count) = seen["messenger_events"], seen["webhook_events"]
    ((earliest, new_taps, new_events),) = con.execute(
        sql_text("queries/mart_responses_earliest_new.sql"), [taps_rowid, events_rowid]).fetchall()
    if now["messenger_events"][1] - taps_count != new_taps or now["webhook_events"][1] - events_count != new_events:
        return BEGINNING, True, True  # rows went missing or were rewritten: a raw table was rebuilt
    return (None if earliest is None else earliest.date()), False, bool(new_taps or new_events)


def build_responses(con: duckdb.DuckDBPyConnection, full: bool = False) -> BuildResult:
    """Rebuild marts.responses_daily from the earliest UTC date new taps or received messages can change."""
    reach = _read(con, "mart_responses_source_watermarks")
    since, is_full, moved = _responses_start(con, full, reach)
    if since is None:
        if moved:  # new rows, but no tap and no message received among them: only the state moves on
            _replace(con, "mart_delete_responses_since", [dt.date.max], "mart_insert_responses_daily",
                     pl.DataFrame(schema=RESPONSES_SCHEMA), state=("responses_daily", reach))
        return BuildResult(pl.DataFrame(), None)
    start = _utc_start(since)
    rows = responses_daily(_read(con, "mart_read_taps", [start]), _read(con, "mart_read_taps_received", [start]))
    _replace(con, "mart_delete_responses_since", [since], "mart_insert_responses_daily", rows,
             state=("responses_daily", reach))
    return BuildResult(rows, since, is_full)
