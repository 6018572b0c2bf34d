"""Building `marts.delivery_funnel_daily`: read the send log and the webhook events, call the funnel
transform, replace the rows from the first date that can change.

- Incremental: `marts.build_watermarks` records how far (rowid) the mart has read each raw export
  table; the rebuild starts at the UTC date of the earliest row past that. The window also takes in
  the days of the older sends those events belong to (a click today for yesterday's send changes
  yesterday's row), so the result equals a full rebuild. `full=True` (or an empty state) rebuilds
  everything.
- The older sends (the as-of rule reaches back however far) are found through `marts.send_keys`, a
  directory of 32-bit hashes of each accepted send's (campaign, token) and tracking id with its
  rowid, kept up to date by rowid watermark like the marts (rebuilt when raw.send_attempts was).
  Only what the window's own sends cannot explain is looked up, so a daily run reads a few hundred
  older sends instead of scanning the whole send history.
- A full rebuild lets DuckDB link the events that carry a tracking id to their send inside the read
  (the one big join, on Meta's string ids, where the rows are): those events reach polars as a type
  and a rowid, and only the others are read whole (bench/README.md has the profile).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pipelines.mart_io import (
    BEGINNING,
    BuildResult,
    incremental_start,
    read_query,
    transaction,
    utc_start,
    write_window,
)
from pipelines.transforms.funnel import (
    accepted_sends,
    attribute_events,
    context_lookups,
    context_sends,
    delivery_funnel_daily,
    earliest_touched_send,
)
from pipelines.warehouse import sql_text


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
    candidates = read_query(con, "mart_read_context_sends", [
        utc_start(since), ids, pairs["message_campaign_id"].to_list(), pairs["subscription_token"].to_list()])
    return context_sends(candidates, ids, pairs)


def _update_send_keys(con: duckdb.DuckDBPyConnection, reach: pl.DataFrame) -> None:
    """Inside a transaction: bring the send directory up to `reach` (how far raw.send_attempts reaches now): append the
    sends past the rowid it has, or rebuild it when the counts do not add up (the raw table was
    rebuilt). Independent of a mart's full rebuild: the directory depends on raw rows only."""
    now = reach.filter(pl.col("source_table") == "send_attempts")
    seen = read_query(con, "mart_build_watermarks", ["send_keys"])
    (now_rowid, now_count) = now.select("max_rowid", "row_count").row(0)
    rebuild, past = True, -1
    if seen.height:
        (seen_rowid, seen_count) = seen.select("max_rowid", "row_count").row(0)
        if (seen_rowid, seen_count) == (now_rowid, now_count):
            return
        ((new_rows,),) = con.execute(sql_text("queries/mart_count_sends_past.sql"), [seen_rowid]).fetchall()
        rebuild, past = seen_count + new_rows != now_count, seen_rowid
    if rebuild:
        con.execute(sql_text("queries/mart_clear_send_keys.sql"))
        past = -1
    con.execute(sql_text("queries/mart_append_send_keys.sql"), [past])
    con.register("watermark_rows", now)  # unregistered on success only, as in `write_window`
    con.execute(sql_text("queries/mart_replace_build_watermarks.sql"), ["send_keys"])
    con.unregister("watermark_rows")


def _export_frames(con: duckdb.DuckDBPyConnection, since: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Send attempts and funnel events from `since` (UTC), plus the older sends they may point at."""
    start = utc_start(since)
    attempts = read_query(con, "mart_read_send_attempts", [start])
    events = read_query(con, "mart_read_webhook_events", [start])
    return pl.concat([attempts, _older_sends(con, since, attempts, events)]), events


def _full_frames(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """A full rebuild's attempts, the events DuckDB linked to their send by tracking id (type and
    send rowid only), and every other funnel event whole (untracked, or an id no send carries)."""
    start = utc_start(BEGINNING)
    attempts = read_query(con, "mart_read_send_attempts", [start])
    linked = read_query(con, "mart_read_webhook_events_linked", [start])
    events = read_query(con, "mart_read_webhook_events_untracked", [start])
    unlinked = linked["unlinked_rowid"].drop_nulls()
    if unlinked.len():
        events = pl.concat([events, read_query(con, "mart_read_webhook_events_by_rowid", [unlinked.to_list()])])
    return attempts, events, linked.select("event_type", "send_rowid")


def _funnel_window(con: duckdb.DuckDBPyConnection, attempts: pl.DataFrame, events: pl.DataFrame, since: dt.date,
                   read: tuple[int, int]) -> tuple[dt.date, pl.DataFrame]:
    """The first send date the new rows can change, given frames loaded from `since` (the date of
    the earliest new row) and the rowids read before. New events may belong to older sends (a click
    after midnight for yesterday's send): those sends' days change. And a newly landed send may
    capture events an older send had (a send log that lands after its webhooks): that older send's
    day changes too. Only events read before can have had an older send (new ones were counted
    nowhere), so only theirs are looked up. Also returns the attribution of the events, which the
    funnel reuses when the window stays at `since`."""
    sends_rowid, events_rowid = read
    # One attribution of all the events serves both questions (an event's send depends on the sends alone).
    attributed = attribute_events(attempts, events)
    is_new = pl.col("raw_rowid") > events_rowid
    new_sends = accepted_sends(attempts).filter(pl.col("raw_rowid") > sends_rowid).select("send_id")
    oldest, captured = pl.collect_all([
        attributed.lazy().filter(is_new).select(pl.col("send_ts").min()),
        attributed.lazy().filter(~is_new).join(new_sends.lazy(), on="send_id", how="semi").drop("event_id", "raw_rowid"),
    ])
    first = oldest.item()
    touched = [None if first is None else first.date()]
    if captured.height:  # old events a new send now captures
        # The window's own older sends (not the context loaded for other events: a send found by
        # its tracking id need not be the latest of its campaign and token).
        old = attempts.filter((pl.col("raw_rowid") <= sends_rowid) & (pl.col("ts") >= dt.datetime.combine(since, dt.time())))
        old = pl.concat([old, _older_sends(con, since, old, captured)])
        touched.append(earliest_touched_send(old, captured))
    return min([since, *[day for day in touched if day is not None]]), attributed


def build_funnel(con: duckdb.DuckDBPyConnection, full: bool = False) -> BuildResult:
    """Rebuild marts.delivery_funnel_daily from the earliest date new export rows can change.

    Rows before that date are exact without re-reading: new events belong to sends inside the
    window, and old events keep their sends unless a newly landed send captured them, which the
    window also covers (a send only captures events after it).
    """
    reach = read_query(con, "mart_source_watermarks")
    with transaction(con):  # the send directory and the funnel land together (and one WAL flush)
        _update_send_keys(con, reach)
        since, is_full, read = incremental_start(con, "delivery_funnel_daily", full, reach)
        if since is None:
            return BuildResult(pl.DataFrame(), None)
        linked = attributed = None
        if is_full:
            attempts, events, linked = _full_frames(con)
        else:
            attempts, events = _export_frames(con, since)
            window, attributed = _funnel_window(con, attempts, events, since, read)
            if window < since:
                since, attributed = window, None
                attempts, events = _export_frames(con, since)
        funnel = delivery_funnel_daily(attempts, events, read_query(con, "mart_read_campaigns"), since=since,
                                       linked=linked, attributed=attributed)
        write_window(con, "mart_delete_funnel_since", [since], "mart_insert_delivery_funnel_daily", funnel,
                     state=("delivery_funnel_daily", reach))
    return BuildResult(funnel, since, is_full)
