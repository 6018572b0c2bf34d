"""What every mart build shares (pipelines/mart_io.py), on an in-memory warehouse: one transaction
that lands whole or not at all, a window replaced with its build state, and where an incremental
build starts from the rowid watermarks."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from pipelines.mart_io import (
    BEGINNING,
    BuildResult,
    incremental_start,
    read_query,
    replace_window,
    transaction,
    utc_start,
    write_window,
)
from tests.marts.seed import UTC, at, attempt, event, is_registered, watermarks


def error_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select date, error_code, occurrences from marts.error_codes_daily order by all").fetchall()


def seed_errors(con: duckdb.DuckDBPyConnection) -> None:
    for day, code in ((dt.date(2026, 5, 1), "2300042"), (dt.date(2026, 5, 2), "2300052")):
        con.execute("insert into marts.error_codes_daily (date, source, error_code, category, occurrences) "
                    "values (?, 'send_api', ?, 'frequency_cap', 1)", [day, code])


def new_errors(day: dt.date, code: str, occurrences: int) -> pl.DataFrame:
    return pl.DataFrame({"date": [day], "message_campaign_id": ["c1"], "source": ["send_api"], "error_code": [code],
                         "error_name": [None], "category": ["frequency_cap"], "retryable": [None], "advice": [None],
                         "occurrences": [occurrences]},
                        schema_overrides={"error_name": pl.String, "retryable": pl.Boolean, "advice": pl.String})


def test_a_build_result_counts_the_rows_it_wrote() -> None:
    result = BuildResult(pl.DataFrame({"n": [1, 2, 3]}), dt.date(2026, 5, 1))
    assert (result.rows_written, result.since, result.full) == (3, dt.date(2026, 5, 1), False)
    assert BuildResult(pl.DataFrame(), None, True).rows_written == 0


def test_utc_start_is_midnight_utc() -> None:
    start = utc_start(dt.date(2026, 5, 2))
    assert start == dt.datetime(2026, 5, 2, tzinfo=UTC)
    assert start.tzinfo is dt.timezone.utc
    assert BEGINNING == dt.date(1970, 1, 1)


def test_read_query_binds_its_parameters(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("insert into marts.build_watermarks values ('funnel', 'send_attempts', 4, 5), "
                "('other', 'send_attempts', 1, 2)")
    frame = read_query(con, "mart_build_watermarks", ["funnel"])
    assert frame.columns == ["source_table", "max_rowid", "row_count"]
    assert frame.rows() == [("send_attempts", 4, 5)]
    assert read_query(con, "mart_count_sends_past", [-1]).rows() == [(0,)]
    # Without parameters: a query that takes none.
    assert read_query(con, "mart_read_campaigns").height == 0


def test_a_transaction_commits_what_its_body_did(con: duckdb.DuckDBPyConnection) -> None:
    other = con.cursor()  # a second connection to the same database sees only what was committed
    with transaction(con):
        seed_errors(con)
        assert error_rows(other) == []
    assert len(error_rows(other)) == 2


def test_a_failed_body_rolls_everything_back_and_raises_its_own_error(con: duckdb.DuckDBPyConnection) -> None:
    seed_errors(con)
    before = error_rows(con)
    with pytest.raises(KeyError, match="boom"), transaction(con):
        con.execute("delete from marts.error_codes_daily")
        raise KeyError("boom")
    assert error_rows(con) == before
    assert error_rows(con.cursor()) == before
    con.execute("begin transaction")  # no transaction was left open
    con.execute("rollback")


def test_write_window_deletes_the_window_inserts_the_rows_and_records_the_state(con: duckdb.DuckDBPyConnection) -> None:
    seed_errors(con)
    state = pl.DataFrame({"source_table": ["send_attempts", "webhook_events"], "max_rowid": [6, 9], "row_count": [7, 10]})
    with transaction(con):
        write_window(con, "mart_delete_error_codes_since", [dt.date(2026, 5, 2)], "mart_insert_error_codes_daily",
                     new_errors(dt.date(2026, 5, 2), "2300099", 4), state=("error_codes_daily", state))
    assert error_rows(con) == [(dt.date(2026, 5, 1), "2300042", 1), (dt.date(2026, 5, 2), "2300099", 4)]
    assert watermarks(con, "error_codes_daily") == [("send_attempts", 6, 7), ("webhook_events", 9, 10)]
    assert not is_registered(con, "mart_rows") and not is_registered(con, "watermark_rows")


def test_write_window_without_state_leaves_the_watermarks_alone(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("insert into marts.build_watermarks values ('error_codes_daily', 'send_attempts', 1, 2)")
    write_window(con, "mart_delete_error_codes_since", [dt.date(2026, 5, 1)], "mart_insert_error_codes_daily",
                 new_errors(dt.date(2026, 5, 3), "2300042", 2))
    assert error_rows(con) == [(dt.date(2026, 5, 3), "2300042", 2)]
    assert watermarks(con, "error_codes_daily") == [("send_attempts", 1, 2)]
    assert not is_registered(con, "mart_rows")


def test_a_failed_replace_keeps_the_previous_rows_and_state(con: duckdb.DuckDBPyConnection) -> None:
    """The delete has run when the insert fails: the rollback must bring the window's rows back."""
    seed_errors(con)
    con.execute("insert into marts.build_watermarks values ('error_codes_daily', 'send_attempts', 1, 2)")
    before = error_rows(con)
    broken = new_errors(dt.date(2026, 5, 1), "2300042", 1).drop("occurrences")  # the insert names a missing column
    state = pl.DataFrame({"source_table": ["send_attempts"], "max_rowid": [8], "row_count": [9]})
    with pytest.raises(duckdb.BinderException, match="occurrences"):
        replace_window(con, "mart_delete_error_codes_since", [dt.date(2026, 5, 1)], "mart_insert_error_codes_daily",
                       broken, state=("error_codes_daily", state))
    assert error_rows(con) == before
    assert error_rows(con.cursor()) == before  # nothing committed either
    assert watermarks(con, "error_codes_daily") == [("send_attempts", 1, 2)]
    assert not is_registered(con, "mart_rows") and not is_registered(con, "watermark_rows")


def test_replace_window_commits_the_new_window(con: duckdb.DuckDBPyConnection) -> None:
    seed_errors(con)
    state = pl.DataFrame({"source_table": ["send_attempts"], "max_rowid": [3], "row_count": [4]})
    replace_window(con, "mart_delete_error_codes_since", [dt.date(2026, 5, 2)], "mart_insert_error_codes_daily",
                   new_errors(dt.date(2026, 5, 4), "2300050", 3), state=("error_codes_daily", state))
    other = con.cursor()
    assert error_rows(other) == [(dt.date(2026, 5, 1), "2300042", 1), (dt.date(2026, 5, 4), "2300050", 3)]
    assert watermarks(other, "error_codes_daily") == [("send_attempts", 3, 4)]


def record(con: duckdb.DuckDBPyConnection, mart: str, sends: tuple[int, int] | None, events: tuple[int, int] | None) -> None:
    for table, mark in (("send_attempts", sends), ("webhook_events", events)):
        if mark is not None:
            con.execute("insert into marts.build_watermarks values (?, ?, ?, ?)", [mart, table, *mark])


def start(con: duckdb.DuckDBPyConnection, full: bool = False) -> tuple:
    return incremental_start(con, "funnel", full, read_query(con, "mart_source_watermarks"))


def seed_two_of_each(con: duckdb.DuckDBPyConnection) -> None:
    """Rowids 0 and 1 in both export tables."""
    attempt(con, "a1", at(1), "tok1", "t1")
    attempt(con, "a2", at(2), "tok2", "t2")
    event(con, "e1", "delivery", at(1, 13), "tok1", "t1")
    event(con, "e2", "read", at(2, 13), "tok2", "t2")


def test_incremental_start_rebuilds_everything_without_a_complete_state(con: duckdb.DuckDBPyConnection) -> None:
    seed_two_of_each(con)
    assert start(con) == (BEGINNING, True, (-1, -1))
    record(con, "funnel", (1, 2), None)  # only one of the two tables recorded
    assert start(con) == (BEGINNING, True, (-1, -1))
    record(con, "funnel", None, (1, 2))
    assert start(con) == (None, False, (1, 1))  # the rowids read so far
    assert start(con, full=True) == (BEGINNING, True, (-1, -1))


def test_incremental_start_begins_at_the_utc_date_of_the_earliest_new_row(con: duckdb.DuckDBPyConnection) -> None:
    seed_two_of_each(con)
    record(con, "funnel", (1, 2), (1, 2))
    # 20:30 in Los Angeles on May 4 is May 5 in UTC.
    la = dt.timezone(dt.timedelta(hours=-7))
    event(con, "e3", "click", dt.datetime(2026, 5, 4, 20, 30, tzinfo=la), "tok2")
    assert start(con) == (dt.date(2026, 5, 5), False, (1, 1))
    attempt(con, "a3", at(3, 23), "tok3", "t3")
    assert start(con) == (dt.date(2026, 5, 3), False, (1, 1))


def test_incremental_start_sees_a_new_send_alone(con: duckdb.DuckDBPyConnection) -> None:
    seed_two_of_each(con)
    record(con, "funnel", (1, 2), (1, 2))
    attempt(con, "a3", at(7, 1), "tok3", None, code=2300042)
    assert start(con) == (dt.date(2026, 5, 7), False, (1, 1))


@pytest.mark.parametrize("table", ["send_attempts", "webhook_events"])
def test_incremental_start_rebuilds_everything_when_a_raw_table_was_rebuilt(con: duckdb.DuckDBPyConnection,
                                                                              table: str) -> None:
    seed_two_of_each(con)
    record(con, "funnel", (1, 2), (1, 2))
    key = "attempt_key = 'a1'" if table == "send_attempts" else "event_key = 'e1'"
    con.execute(f"delete from raw.{table} where {key}")  # one row gone and one new: the count is still 2
    if table == "send_attempts":
        attempt(con, "a3", at(3), "tok3", "t3")
    else:
        event(con, "e3", "read", at(3), "tok3", "t3")
    assert start(con) == (BEGINNING, True, (-1, -1))
