"""Mart rebuild benchmark: mmlens's polars transforms against the same logic as DuckDB SQL.

Builds a warehouse with one year of 200 message campaigns (2 ad accounts) and about 10M webhook
events (plus ~4M send attempts), generated in DuckDB so the setup is quick, then in one run:

1. full rebuild of every mart by mmlens (`pipelines.mart_builds.build_all(full=True)`: DuckDB read,
   polars transforms, DuckDB write);
2. the same marts by plain DuckDB SQL (`insert ... select`, ASOF JOIN for the funnel, the error
   catalogue loaded into tables), into schema `bench_sql`, checked equal to mmlens's tables;
3. a daily incremental run after one more day of exports lands: campaign marts for the lookback
   window, funnel and error codes incrementally, estimates whole — and a check that it equals a
   full rebuild.

Prints the times and the ratios (goal: polars / SQL <= 1.2, incremental / full <= 1/20).
Usage: .venv/bin/python bench/marts_rebuild.py [--events 10000000] [--campaigns 200] [--days 365]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402

from pipelines import mart_builds, warehouse  # noqa: E402
from pipelines.transforms.error_codes import CATALOGUE_PATH  # noqa: E402

START = dt.date(2025, 1, 1)
EVENTS_PER_ATTEMPT = 2.4  # measured on the generator below: ~2.57 per accepted send, 93% accepted
SEND_CODES = [2300042, 2300043, 2300044, 2300052, 1893047, 2300035, 2300054, 2300069, 2300070, 2300071,
              2300076, 2300078, 2300028, 2300999]
FAILED_MESSAGES = ["Unknown Error", "This person is not available right now.",
                   "Message failed to send due to frequency capping.",
                   "Message blocked: recipient opted out of marketing messages."]
PIXEL_TYPES = ["purchase", "add_to_cart", "initiate_checkout", "view_content"]

DIMENSIONS = """
insert into raw.ad_accounts values ('1001', 'US shop', 'USD', 100, 'America/Los_Angeles', 1),
                                   ('1002', 'JP shop', 'JPY', 1, 'Asia/Tokyo', 1);
insert into raw.message_campaigns (message_campaign_id, ad_account_id, campaign_name, page_id)
select (120000000000000000 + c)::text, (1001 + c % 2)::text, 'Campaign ' || c, (500 + c % 4)::text
from range($campaigns) t(c);
"""

# One block of days [$first_day, $first_day + $days): sends, their webhook events (with the quirks
# that matter to the funnel: clicks and failures without tracking id, orphans), insights, actions,
# estimates. Attempt i is unique across blocks ($i0 offsets it); every day has its own export files.
FACTS = """
create or replace temp table attempts_gen as
select i,
       (120000000000000000 + i % $campaigns)::text as cid,
       (1001 + (i % $campaigns) % 2)::text as account,
       $first_day + ((i - $i0) // $campaigns) % $days as day_index,
       timestamptz '$start 00:00:00+00' + to_days(($first_day + ((i - $i0) // $campaigns) % $days)::int)
           + to_seconds(28800 + hash(i, 'ts') % 50400) as ts,
       hash(i, 'acc') % 100 >= 7 as success,
       hash(i, 'code') as h
from range($i0, $i0 + $attempts) t(i);
insert into raw.send_attempts (attempt_key, ts, ad_account_id, message_campaign_id, subscription_token,
    http_status, success, tracking_id, error_code, error_subcode, error_message, source_file, source_line)
select 'a' || i, ts, account, cid, 'tok' || i, case when success then 200 else 400 end, success,
       case when success then 'trk' || i end,
       case when success then null when h % 4 = 0 then 100 else $codes[(1 + (h // 4) % len($codes))::bigint] end,
       case when not success and h % 4 = 0 then $codes[(1 + (h // 4) % len($codes))::bigint] end,
       case when not success then 'rejected' end,
       'sends/bench-' || day_index || '.ndjson', i
from attempts_gen;
create or replace temp table fates as
select i, cid, day_index, ts, (500 + (i % $campaigns) % 4)::text as page,
       hash(i, 'echo') % 100 < 98 as echo,
       hash(i, 'dlv') % 100 < 92 as delivered,
       hash(i, 'dlv') % 100 < 55 as read,
       hash(i, 'dlv') % 100 < 8 as clicked,
       hash(i, 'dlv') % 100 >= 96 as failed
from attempts_gen where success;
insert into raw.webhook_events (event_key, event_type, page_id, message_campaign_id, subscription_token,
    tracking_id, event_ts, error_message, source_file, source_line)
select kind || i, kind, page, cid, 'tok' || i, case when kind in ('echo', 'delivery', 'read') then 'trk' || i end,
       ts + to_seconds(lag), msg, 'webhooks/bench-' || day_index || '.ndjson', i * 8 + n
from (
    select *, unnest([1, 2, 3, 4, 5]) as n,
           unnest(['echo', 'delivery', 'read', 'click', 'delivery_failed']) as kind,
           unnest([echo, delivered, read, clicked, failed]) as happened,
           unnest([2, 5 + hash(i, 'l1') % 600, 600 + hash(i, 'l2') % 6600, 7200 + hash(i, 'l3') % 6800, 60]) as lag,
           unnest([null, null, null, null, $messages[(1 + hash(i, 'm') % len($messages))::bigint]]) as msg
    from fates
)
where happened;
insert into raw.webhook_events (event_key, event_type, page_id, message_campaign_id, subscription_token,
    tracking_id, event_ts, error_message, source_file, source_line)
select 'orphan' || i, 'click', page, cid, 'lost' || i, null, ts + to_seconds(30), null,
       'webhooks/bench-' || day_index || '.ndjson', i * 8 + 7
from fates where hash(i, 'orphan') % 1000 < 5;
insert into raw.campaign_insights_daily
select account, cid, cast('$start' as date) + day_index::int, case when account = '1001' then 'USD' else 'JPY' end,
       spend, delivered, clicks, round(100 * reads / nullif(delivered, 0), 6), 92.5,
       round(100 * clicks / nullif(delivered, 0), 6), null, null,
       case when spend > 0 then round(coalesce(value, 0) / spend, 6) end
from (
    select any_value(account) as account, cid, day_index,
           count(*) filter (success and hash(i, 'dlv') % 100 < 92) as delivered,
           count(*) filter (success and hash(i, 'dlv') % 100 < 55) as reads,
           count(*) filter (success and hash(i, 'dlv') % 100 < 8) as clicks,
           cast(count(*) filter (success and hash(i, 'dlv') % 100 < 92) * 0.0125 as decimal(18, 4)) as spend,
           cast(sum(hash(i, 'val') % 5000) filter (success and hash(i, 'dlv') % 100 < 2) / 100 as decimal(18, 4)) as value
    from attempts_gen group by cid, day_index
);
insert into raw.campaign_actions_daily
select ad_account_id, message_campaign_id, date, 'offsite_conversion.fb_pixel_' || t, w,
       1 + hash(message_campaign_id, date, t, w) % 20,
       case when t = 'purchase' and w = 'default' then cast(coalesce(website_purchase_roas * spend, 0) as decimal(18, 2))
            else (hash(message_campaign_id, date, t) % 90000) / 100 end
from raw.campaign_insights_daily, unnest($types) as a(t), unnest(['default', '7d_click', '1d_view']) as b(w)
where date >= cast('$start' as date) + $first_day;
insert into raw.delivery_estimates
select ad_account_id, cast('$start' as date) + $first_day + d::int, '500', 50, 1000, 1400, 12, 18
from (values ('1001'), ('1002')) a(ad_account_id), range($days) r(d);
"""


def _fill(sql: str, **values: object) -> str:
    for name, value in sorted(values.items(), key=lambda item: -len(item[0])):
        sql = sql.replace(f"${name}", str(value))
    return sql


def generate(con: duckdb.DuckDBPyConnection, events: int, campaigns: int, days: int, first_day: int = 0) -> None:
    """Raw rows for `days` days from `first_day` (day 0 = START), ~`events` webhook events."""
    attempts = int(events / EVENTS_PER_ATTEMPT)
    if first_day == 0:
        con.execute(_fill(DIMENSIONS, campaigns=campaigns))
    con.execute(_fill(FACTS, campaigns=campaigns, days=days, attempts=attempts, first_day=first_day,
                      i0=first_day * 10**9, start=START.isoformat(), codes=SEND_CODES, types=PIXEL_TYPES,
                      messages=json.dumps(FAILED_MESSAGES).replace('"', "'")))


def load_catalogue_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The same catalogue as the polars transform, as tables the SQL version joins."""
    doc = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    con.execute("create or replace table bench_sql.cat_codes (code text, name text, category text, retryable boolean, "
                "advice text, family text)")
    con.executemany("insert into bench_sql.cat_codes values (?, ?, ?, ?, ?, ?)",
                    [(e["code"], e["name"], e["category"], e["retryable"], e["advice"], e["family"]) for e in doc["codes"]])
    con.execute("create or replace table bench_sql.cat_variants (code text, ord int, phrase text, name text, "
                "category text, retryable boolean, advice text)")
    con.executemany("insert into bench_sql.cat_variants values (?, ?, ?, ?, ?, ?, ?)",
                    [(e["code"], k, phrase, v["name"], v["category"], v["retryable"], v["advice"])
                     for e in doc["codes"] for k, v in enumerate(e.get("variants", ())) for phrase in v["match"]])
    con.execute("create or replace table bench_sql.cat_messages (phrase text, code text)")
    con.executemany("insert into bench_sql.cat_messages values (rtrim(regexp_replace(lower(trim(?)), '\\s+', ' ', 'g'), '.'), ?)",
                    [(m["message"], m["code"]) for m in doc["messages"]])
# The marts as plain DuckDB SQL: the same rules as pipelines/transforms, written the SQL way.
SQL_MARTS = {
    "campaign_daily": """
insert into bench_sql.campaign_daily
with purchases as (
    select message_campaign_id, date, conversions as purchases, conversion_value as purchase_value
    from raw.campaign_actions_daily
    where action_type = 'offsite_conversion.fb_pixel_purchase' and attribution_window = 'default'
)
select i.ad_account_id, i.message_campaign_id, c.campaign_name, c.page_id, i.date, coalesce(i.currency, a.currency),
       i.spend, i.delivered, cast(round(i.delivered * i.read_rate / 100) as bigint), i.link_clicks, i.read_rate,
       i.delivery_rate, coalesce(p.purchases, 0), coalesce(p.purchase_value, 0),
       case when i.spend <> 0 then cast(coalesce(p.purchase_value, 0) / i.spend as decimal(18, 6)) end,
       i.website_purchase_roas
from raw.campaign_insights_daily as i
left join purchases as p using (message_campaign_id, date)
left join raw.message_campaigns as c using (message_campaign_id)
left join raw.ad_accounts as a on a.ad_account_id = i.ad_account_id
""",
    "conversions_daily": """
insert into bench_sql.conversions_daily
select ad_account_id, message_campaign_id, date, action_type, attribution_window, conversions, conversion_value
from raw.campaign_actions_daily
where starts_with(action_type, 'offsite_conversion.fb_pixel_')
""",
    "delivery_funnel_daily": """
insert into bench_sql.delivery_funnel_daily
with attempts as (
    select timezone('UTC', ts) as ts, message_campaign_id, subscription_token, success, tracking_id
    from raw.send_attempts
),
sends as (
    select row_number() over () as send_id, ts, message_campaign_id, subscription_token, tracking_id
    from attempts where success
),
events as (
    select event_type, page_id, message_campaign_id, subscription_token, tracking_id,
           timezone('UTC', event_ts) as event_ts
    from raw.webhook_events
    where event_type in ('echo', 'delivery', 'read', 'click', 'delivery_failed')
),
by_tracking as (
    select tracking_id, min(send_id) as send_id from sends where tracking_id is not null group by tracking_id
),
attributed as (
    select e.event_type, e.page_id, e.message_campaign_id, e.subscription_token, e.tracking_id, e.event_ts, b.send_id
    from events as e left join by_tracking as b using (tracking_id)
    where e.tracking_id is not null
    union all
    select e.event_type, e.page_id, e.message_campaign_id, e.subscription_token, e.tracking_id, e.event_ts, s.send_id
    from (select * from events where tracking_id is null) as e
    asof left join sends as s
      on e.message_campaign_id = s.message_campaign_id and e.subscription_token = s.subscription_token
     and e.event_ts >= s.ts
),
per_send as (
    select send_id,
           max(case event_type when 'echo' then 1 when 'delivery' then 2 when 'read' then 3 when 'click' then 4 else 0 end)
               as stage,
           bool_or(event_type = 'delivery_failed') as has_failed
    from attributed where send_id is not null group by send_id
),
send_counts as (
    select s.message_campaign_id, cast(s.ts as date) as date, count(*) as sent,
           count(*) filter (p.stage >= 2) as delivered, count(*) filter (p.stage >= 3) as read,
           count(*) filter (p.stage >= 4) as clicked,
           count(*) filter (coalesce(p.has_failed, false) and coalesce(p.stage, 0) < 2) as failed
    from sends as s left join per_send as p using (send_id)
    group by 1, 2
),
attempt_counts as (
    select message_campaign_id, cast(ts as date) as date, count(*) as attempted,
           count(*) filter (success) as accepted, count(*) filter (not success) as rejected
    from attempts group by 1, 2
),
by_send_date as (
    select c.page_id, message_campaign_id, date, a.attempted, a.accepted, a.rejected,
           s.sent, s.delivered, s.read, s.clicked, s.failed
    from attempt_counts as a full join send_counts as s using (message_campaign_id, date)
    left join raw.message_campaigns as c using (message_campaign_id)
),
unattributed as (
    select coalesce(e.page_id, c.page_id) as page_id, e.message_campaign_id, cast(e.event_ts as date) as date,
           count(*) as unattributed_events
    from (select distinct event_type, page_id, message_campaign_id, subscription_token, tracking_id, event_ts
          from attributed where send_id is null) as e
    left join raw.message_campaigns as c using (message_campaign_id)
    group by 1, 2, 3
)
select coalesce(b.page_id, u.page_id), coalesce(b.message_campaign_id, u.message_campaign_id), coalesce(b.date, u.date),
       coalesce(b.attempted, 0), coalesce(b.accepted, 0), coalesce(b.rejected, 0), coalesce(b.sent, 0),
       coalesce(b.delivered, 0), coalesce(b.read, 0), coalesce(b.clicked, 0), coalesce(b.failed, 0),
       coalesce(u.unattributed_events, 0)
from by_send_date as b
full join unattributed as u
  on b.page_id is not distinct from u.page_id and b.message_campaign_id is not distinct from u.message_campaign_id
 and b.date = u.date
""",
    "error_codes_daily": r"""
insert into bench_sql.error_codes_daily
with mm as (select code from bench_sql.cat_codes where family = 'marketing_messages'),
rejected as (
    select cast(timezone('UTC', ts) as date) as date, message_campaign_id, cast(error_code as text) as c,
           cast(error_subcode as text) as s, error_message
    from raw.send_attempts where not success
),
send_rows as (
    select date, message_campaign_id, 'send_api' as source, error_message,
           case when (regexp_full_match(coalesce(s, ''), '2300\d{3}') or s in (select code from mm))
                 and not (regexp_full_match(coalesce(c, ''), '2300\d{3}') or coalesce(c in (select code from mm), false))
                then s else coalesce(c, s, 'unknown') end as error_code
    from rejected
),
failed as (
    select cast(timezone('UTC', event_ts) as date) as date, message_campaign_id, error_message,
           rtrim(regexp_replace(lower(trim(error_message)), '\s+', ' ', 'g'), '.') as norm
    from raw.webhook_events where event_type = 'delivery_failed'
),
message_codes as (
    select f.norm, coalesce(
        (select any_value(m.code) from bench_sql.cat_messages as m where m.phrase = f.norm),
        (select arg_max(m.code, length(m.phrase)) from bench_sql.cat_messages as m
         where m.phrase <> '' and contains(f.norm, m.phrase)),
        'unknown') as error_code
    from (select distinct norm from failed where norm is not null) as f
),
hook_rows as (
    select f.date, f.message_campaign_id, 'delivery_failed_webhook' as source, f.error_message,
           coalesce(m.error_code, 'unknown') as error_code
    from failed as f left join message_codes as m using (norm)
),
all_rows as (select * from send_rows union all select * from hook_rows),
keys as (
    select distinct error_code, error_message,
           rtrim(regexp_replace(lower(trim(error_message)), '\s+', ' ', 'g'), '.') as norm
    from all_rows
),
variant as (
    select k.error_code, k.error_message, arg_min(v.name, v.ord) as name, arg_min(v.category, v.ord) as category,
           arg_min(v.retryable, v.ord) as retryable, arg_min(v.advice, v.ord) as advice
    from keys as k join bench_sql.cat_variants as v on v.code = k.error_code and contains(k.norm, v.phrase)
    group by 1, 2
),
described as (
    select k.error_code, k.error_message,
           case when v.error_code is not null then v.name else c.name end as error_name,
           case when v.error_code is not null then v.category else coalesce(c.category, 'unknown') end as category,
           case when v.error_code is not null then v.retryable else c.retryable end as retryable,
           case when v.error_code is not null then v.advice
                else coalesce(c.advice, 'Not in the error catalogue: check Meta''s documentation.') end as advice
    from keys as k
    left join bench_sql.cat_codes as c on c.code = k.error_code
    left join variant as v on v.error_code = k.error_code and v.error_message is not distinct from k.error_message
),
grouped as (
    select r.date, r.message_campaign_id, r.source, r.error_code, d.error_name, d.category, d.retryable, d.advice,
           count(*) as n
    from all_rows as r
    left join described as d on d.error_code = r.error_code and d.error_message is not distinct from r.error_message
    group by all
)
select date, message_campaign_id, source, error_code, arg_max(error_name, n), arg_max(category, n),
       arg_max(retryable, n), arg_max(advice, n), sum(n)
from grouped
group by date, message_campaign_id, source, error_code
""",
    "delivery_estimates": """
insert into bench_sql.delivery_estimates
with actuals as (
    select ad_account_id, date as snapshot_date, sum(delivered) as delivered, sum(spend) as spend
    from bench_sql.campaign_daily group by 1, 2
)
select e.ad_account_id, e.snapshot_date, e.page_id, a.currency, e.daily_budget, e.estimate_delivery_lower_bound,
       e.estimate_delivery_upper_bound, e.estimate_cost_lower_bound, e.estimate_cost_upper_bound,
       case when x.delivered is not null then 1 else 0 end, x.delivered, x.spend,
       x.delivered between e.estimate_delivery_lower_bound and e.estimate_delivery_upper_bound,
       x.spend between e.estimate_cost_lower_bound and e.estimate_cost_upper_bound
from raw.delivery_estimates as e
left join actuals as x using (ad_account_id, snapshot_date)
left join raw.ad_accounts as a using (ad_account_id)
""",
}


def prepare_sql_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists bench_sql")
    for name in mart_builds.MART_NAMES:
        con.execute(f"create or replace table bench_sql.{name} as select * from marts.{name} limit 0")
    load_catalogue_tables(con)


def rebuild_sql(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Every mart by DuckDB SQL, each as delete + insert in one transaction (like mmlens)."""
    times = {}
    for name, sql in SQL_MARTS.items():
        started = time.perf_counter()
        con.execute("begin transaction")
        con.execute(f"delete from bench_sql.{name}")
        con.execute(sql)
        con.execute("commit")
        times[name] = time.perf_counter() - started
    return times


def differences(con: duckdb.DuckDBPyConnection, left: str, right: str) -> dict[str, int]:
    """Rows in one schema's marts and not the other's (both directions), per mart."""
    out = {}
    for name in mart_builds.MART_NAMES:
        ((a,),) = con.execute(f"select count(*) from (from {left}.{name} except all from {right}.{name})").fetchall()
        ((b,),) = con.execute(f"select count(*) from (from {right}.{name} except all from {left}.{name})").fetchall()
        out[name] = a + b
    return out


def rebuild_mmlens(con: duckdb.DuckDBPyConnection, days: int) -> dict[str, float]:
    """Every mart by mmlens, full; per-mart times."""
    until = START + dt.timedelta(days=days - 1)
    times = {}
    started = time.perf_counter()
    mart_builds.build_campaign_marts(con, START, until)
    times["campaign_daily+conversions_daily"] = time.perf_counter() - started
    for name, build in (("delivery_funnel_daily", lambda: mart_builds.build_funnel(con, full=True)),
                        ("error_codes_daily", lambda: mart_builds.build_error_codes(con, full=True)),
                        ("delivery_estimates", lambda: mart_builds.build_estimates(con))):
        started = time.perf_counter()
        build()
        times[name] = time.perf_counter() - started
    return times


def incremental_mmlens(con: duckdb.DuckDBPyConnection, last_day: dt.date, lookback_days: int) -> dict[str, float]:
    """What a daily run does after a new day landed: the lookback window of the insight marts,
    the export marts incrementally, the estimates whole."""
    times = {}
    started = time.perf_counter()
    mart_builds.build_campaign_marts(con, last_day - dt.timedelta(days=lookback_days - 1), last_day)
    times["campaign_daily+conversions_daily"] = time.perf_counter() - started
    for name, build in (("delivery_funnel_daily", lambda: mart_builds.build_funnel(con)),
                        ("error_codes_daily", lambda: mart_builds.build_error_codes(con)),
                        ("delivery_estimates", lambda: mart_builds.build_estimates(con))):
        started = time.perf_counter()
        build()
        times[name] = time.perf_counter() - started
    return times


def _show(title: str, times: dict[str, float]) -> float:
    total = sum(times.values())
    print(f"{title}: {total:.2f} s  (" + ", ".join(f"{k} {v:.2f}" for k, v in times.items()) + ")")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--campaigns", type=int, default=200)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--lookback-days", type=int, default=28)
    parser.add_argument("--repeat", type=int, default=2, help="full rebuilds per engine (best is kept)")
    parser.add_argument("--dir", type=Path, default=None, help="where to build the warehouse (default: a temp dir)")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="mmlens-bench-marts-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "warehouse.duckdb"
    path.unlink(missing_ok=True)
    with warehouse.connect(path) as con:
        started = time.perf_counter()
        generate(con, args.events, args.campaigns, args.days)
        con.execute("checkpoint")
        ((events,),) = con.execute("select count(*) from raw.webhook_events").fetchall()
        ((attempts,),) = con.execute("select count(*) from raw.send_attempts").fetchall()
        print(f"generated {events:,} webhook events, {attempts:,} send attempts, {args.campaigns} campaigns x "
              f"{args.days} days in {time.perf_counter() - started:.1f} s")
        prepare_sql_schema(con)

        polars_runs, sql_runs, polars_cpu, sql_cpu = [], [], [], []
        for _ in range(args.repeat):
            cpu = time.process_time()
            polars_runs.append(_show("mmlens full rebuild (polars)", rebuild_mmlens(con, args.days)))
            polars_cpu.append(time.process_time() - cpu)
            cpu = time.process_time()
            sql_runs.append(_show("same logic as DuckDB SQL    ", rebuild_sql(con)))
            sql_cpu.append(time.process_time() - cpu)
        print("CPU s (the process, all threads): mmlens " + ", ".join(f"{c:.2f}" for c in polars_cpu)
              + "; SQL " + ", ".join(f"{c:.2f}" for c in sql_cpu))
        diff = differences(con, "marts", "bench_sql")
        print("rows differing mmlens vs SQL:", diff)
        full, sql = min(polars_runs), min(sql_runs)
        paired = ", ".join(f"{p / q:.2f}" for p, q in zip(polars_runs, sql_runs, strict=True))
        print(f"polars / SQL = {full / sql:.2f} best of each (goal <= 1.2); run by run: {paired}")

        # One more day lands (new export files, insights, estimate); then the daily run.
        generate(con, args.events // args.days, args.campaigns, 1, first_day=args.days)
        con.execute("checkpoint")
        last_day = START + dt.timedelta(days=args.days)
        incremental = _show("mmlens daily incremental", incremental_mmlens(con, last_day, args.lookback_days))
        print(f"incremental / full = 1/{full / incremental:.1f} (goal <= 1/20)")

        con.execute("create schema if not exists bench_incremental")
        for name in mart_builds.MART_NAMES:
            con.execute(f"create or replace table bench_incremental.{name} as from marts.{name}")
        rebuild_mmlens(con, args.days + 1)
        print("rows differing incremental vs full:", differences(con, "marts", "bench_incremental"))
    if args.dir is None:
        for leftover in folder.glob("*"):
            leftover.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
