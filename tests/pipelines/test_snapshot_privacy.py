"""The analyst snapshot pseudonymises PSIDs and subscription tokens with a keyed hash that still joins,
and leaves out raw text; `clear` copies them as landed; the key is private and stable."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from pipelines import snapshot_privacy, warehouse
from pipelines.errors import MmlensError
from pipelines.settings import ConfigError, load_settings

KEY = "0" * 64
PSID, TOKEN, TEXT, QUARANTINED = "psid-canary-4711", "tok-canary-0815", "hello-canary-text", "quarantine-canary-raw"


def pseudonym(value: str) -> str:
    # Written out from the documented rule: 'p_' + the first 32 hex digits of sha256(key, 0x1f, value).
    return "p_" + hashlib.sha256(f"{KEY}\x1f{value}".encode()).hexdigest()[:32]


@pytest.fixture
def db(home: Path) -> Path:
    path = home / "warehouse.duckdb"
    with warehouse.connect(path) as con:
        con.execute("insert into raw.ad_accounts values ('1', 'Shop', 'USD', 100, 'UTC', 1)")
        con.execute(
            "insert into raw.webhook_events (event_key, event_type, recipient_id, subscription_token, event_ts,"
            " payload, source_file, source_line) values ('e1', 'delivery', ?, ?, '2026-11-01 10:00:00+00', ?, 'f', 1)",
            [PSID, TOKEN, f'{{"recipient": {{"id": "{PSID}"}}, "token": "{TOKEN}"}}'],
        )
        con.execute(
            "insert into raw.send_attempts (attempt_key, ts, subscription_token, success, source_file, source_line)"
            " values ('a1', '2026-11-01 09:59:00+00', ?, true, 'f', 1)",
            [TOKEN],
        )
        con.execute(
            "insert into raw.messenger_events (event_key, event_type, sender_id, message_text, event_ts, payload,"
            " source_file, source_line) values ('m1', 'message', ?, ?, '2026-11-01 10:01:00+00', ?, 'f', 2)",
            [PSID, TEXT, f'{{"sender": {{"id": "{PSID}"}}, "message": {{"text": "{TEXT}"}}}}'],
        )
        con.execute(
            "insert into raw.ingest_quarantine (source, file, line, item, reason, raw_text) values ('webhooks', 'f', 3, 0, 'x', ?)",
            [QUARANTINED],
        )
    return path


def rows(snapshot: Path, query: str) -> list[tuple]:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_pseudonymised_snapshot_joins_and_holds_no_clear_identifier(db: Path, home: Path) -> None:
    snapshot = warehouse.publish_snapshot(db, home / "analytics.duckdb", pseudonym_key=KEY)
    assert rows(snapshot, "select recipient_id, subscription_token, payload from raw.webhook_events") == [
        (pseudonym(PSID), pseudonym(TOKEN), None)
    ]
    assert rows(snapshot, "select subscription_token from raw.send_attempts") == [(pseudonym(TOKEN),)]
    assert rows(snapshot, "select sender_id, message_text, payload from raw.messenger_events") == [
        (pseudonym(PSID), None, None)
    ]
    assert rows(snapshot, "select reason, raw_text from raw.ingest_quarantine") == [("x", None)]
    joined = "select count(*) from raw.webhook_events w join raw.send_attempts s using (subscription_token)"
    assert rows(snapshot, joined) == [(1,)]
    assert rows(snapshot, "select account_name from raw.ad_accounts") == [("Shop",)]
    assert rows(snapshot, "select count(*) from campaign_performance") == [(0,)]  # the views came along
    data = snapshot.read_bytes()
    for canary in (PSID, TOKEN, TEXT, QUARANTINED):
        assert canary.encode() not in data, canary


def test_clear_snapshot_holds_identifiers_as_landed(db: Path, home: Path) -> None:
    snapshot = warehouse.publish_snapshot(db, home / "analytics.duckdb")
    assert rows(snapshot, "select recipient_id, subscription_token from raw.webhook_events") == [(PSID, TOKEN)]
    assert rows(snapshot, "select message_text from raw.messenger_events") == [(TEXT,)]
    assert rows(snapshot, "select raw_text from raw.ingest_quarantine") == [(QUARANTINED,)]
    data = snapshot.read_bytes()  # the byte check above can see these values when they are there
    assert all(canary.encode() in data for canary in (PSID, TOKEN, TEXT, QUARANTINED))


def test_the_key_is_private_and_stable(home: Path) -> None:
    key = snapshot_privacy.pseudonym_key(home)
    assert len(key) == 64 and set(key) <= set("0123456789abcdef")
    assert snapshot_privacy.pseudonym_key(home) == key
    assert (home / ".snapshot_key").stat().st_mode & 0o777 == 0o600


def test_a_damaged_key_is_one_line(home: Path) -> None:
    home.mkdir(parents=True)
    (home / ".snapshot_key").write_text("not a key\n")
    with pytest.raises(MmlensError, match=r"^\.snapshot_key is not a 64-digit hex key; remove it to make a new one$"):
        snapshot_privacy.pseudonym_key(home)


def test_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().snapshot_identifiers == "pseudonymised"
    monkeypatch.setenv("MMLENS_SNAPSHOT_IDENTIFIERS", "clear")
    assert load_settings().snapshot_identifiers == "clear"
    monkeypatch.setenv("MMLENS_SNAPSHOT_IDENTIFIERS", "plain")
    with pytest.raises(ConfigError, match="MMLENS_SNAPSHOT_IDENTIFIERS: 'plain' is not one of pseudonymised, clear"):
        load_settings()


# Columns that look personal but are not: campaign-level webhook items name campaigns, not people; the responses
# mart's payload is the business's own button or quick-reply payload (a phone number or email address a quick
# reply sends back is replaced by `(phone number)` / `(email address)` before the mart, tests/transforms).
NOT_PERSONAL = {("raw", "campaign_changes", "payload"), ("marts", "responses_daily", "payload")}


def test_every_column_that_can_hold_personal_data_has_its_own_copy(home: Path) -> None:
    """A table added later with a PSID, token or raw-text column must join PSEUDONYMISED_COPIES."""
    with warehouse.connect(home / "warehouse.duckdb") as con:
        columns = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns()"
            " where regexp_matches(column_name, '(psid|token|recipient_id|sender_id|user_ref|raw_text|payload$|message_text)')"
            " and database_name = current_database()"
        ).fetchall()
    uncovered = {c for c in columns if c[:2] not in warehouse.PSEUDONYMISED_COPIES and c not in NOT_PERSONAL}
    assert columns and uncovered == set()
