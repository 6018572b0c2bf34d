"""Asset checks on the marts: grain, signs, reconciliation with Meta's numbers, funnel order.
Each check's SQL is in `sql/queries/mart_check_*.sql` and returns the violating rows. Freshness is
not a check: it is the marts' freshness policy (`pipelines/freshness.py`), evaluated by Dagster."""

import dagster as dg
import polars as pl

from assets.metadata import DUCKDB_POOL, mart_key, table_preview
from pipelines.resources import Warehouse
from pipelines.warehouse import sql_text

GRAIN_CHECK = "grain_unique"
NON_NEGATIVE_CHECK = "non_negative"
ROAS_CHECK = "roas_matches_meta"
WEBHOOK_DELIVERED_CHECK = "webhook_delivered_matches_insights"
FUNNEL_CHECK = "funnel_monotone"
RESPONSES_CHECK = "every_tap_counted"

# Ours vs Meta's website_purchase_roas: 1%, or half a cent of a ratio Meta rounded to 2 decimals.
ROAS_RELATIVE_TOLERANCE = 0.01
ROAS_ABSOLUTE_TOLERANCE = 0.005
# Insights exclude recipients in regions Meta leaves out (Europe, Japan), so insights delivered may
# sit below the webhook deliveries, but never clearly above them.
INSIGHTS_MIN_SHARE_OF_WEBHOOK = 0.8
INSIGHTS_MAX_SHARE_OF_WEBHOOK = 1.02


def _violations(warehouse: Warehouse, query: str, params: list | dict | None = None) -> pl.DataFrame:
    # Read-only: a check never migrates or writes, and takes DuckDB's shared lock. It still runs in
    # the `duckdb` pool, because DuckDB refuses even a reader while another process writes.
    with warehouse.connect(read_only=True) as con:
        return con.sql(sql_text(f"queries/{query}.sql"), params=params).pl()


def _result(rows: pl.DataFrame, severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
            **extra: dg.MetadataValue) -> dg.AssetCheckResult:
    count = int(rows["violations"][0]) if rows.height else 0
    shown = rows.drop("violations", strict=False)
    metadata = {"violations": dg.MetadataValue.int(count), **extra}
    if count:
        metadata["examples"] = table_preview(shown)
    return dg.AssetCheckResult(passed=count == 0, severity=severity, metadata=metadata)


def _grain_check(mart: str, grain: tuple[str, ...]) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=mart_key(mart), name=GRAIN_CHECK, blocking=True, pool=DUCKDB_POOL,
                    description=f"No two rows of marts.{mart} share the grain ({', '.join(grain)}).")
    def check(warehouse: Warehouse) -> dg.AssetCheckResult:
        return _result(_violations(warehouse, "mart_check_grain", {"mart": f"marts.{mart}", "grain": list(grain)}))

    return check


def _sign_check(mart: str, what: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=mart_key(mart), name=NON_NEGATIVE_CHECK, blocking=True, pool=DUCKDB_POOL,
                    description=f"marts.{mart}: {what} never negative.")
    def check(warehouse: Warehouse) -> dg.AssetCheckResult:
        return _result(_violations(warehouse, f"mart_check_negative_{mart}"))

    return check


GRAINS = {
    "campaign_daily": ("message_campaign_id", "date"),
    "conversions_daily": ("message_campaign_id", "date", "action_type", "attribution_window"),
    "delivery_funnel_daily": ("page_id", "message_campaign_id", "date"),
    "error_codes_daily": ("date", "message_campaign_id", "source", "error_code"),
    "delivery_estimates": ("ad_account_id", "snapshot_date"),
    "responses_daily": ("page_id", "message_campaign_id", "date", "kind", "title", "payload"),
}
SIGNS = {
    "campaign_daily": "spend, delivered, reads, clicks, purchases and purchase value",
    "conversions_daily": "conversions and their value",
    "delivery_funnel_daily": "every count",
    "error_codes_daily": "occurrences (at least one)",
    "delivery_estimates": "bounds and actuals",
    "responses_daily": "responses (at least one; attributed exactly when there is a campaign)",
}
grain_checks = [_grain_check(mart, grain) for mart, grain in GRAINS.items()]
sign_checks = [_sign_check(mart, what) for mart, what in SIGNS.items()]


@dg.asset_check(asset=mart_key("campaign_daily"), name=ROAS_CHECK, pool=DUCKDB_POOL,
                description="Our roas (purchase_value / spend) equals Meta's website_purchase_roas within 1% "
                "(or 0.005 absolute, for Meta's 2-decimal rounding) on every campaign-day where both exist.")
def roas_matches_meta(warehouse: Warehouse) -> dg.AssetCheckResult:
    rows = _violations(warehouse, "mart_check_roas_reconciliation", [ROAS_RELATIVE_TOLERANCE, ROAS_ABSOLUTE_TOLERANCE])
    ((compared,),) = _violations(warehouse, "mart_check_roas_compared").rows()
    return _result(rows, compared=dg.MetadataValue.int(int(compared)))


@dg.asset_check(asset=mart_key("campaign_daily"), name=WEBHOOK_DELIVERED_CHECK, pool=DUCKDB_POOL,
                additional_deps=[dg.AssetKey(["raw", "webhook_events"])],
                description="Webhook deliveries vs insights marketing_messages_delivered per campaign and account-local "
                "day: insights may be up to 20% lower (regions Meta excludes) and at most 2% higher. Warning only.")
def webhook_delivered_matches_insights(warehouse: Warehouse) -> dg.AssetCheckResult:
    rows = _violations(warehouse, "mart_check_webhook_vs_insights",
                       [INSIGHTS_MIN_SHARE_OF_WEBHOOK, INSIGHTS_MAX_SHARE_OF_WEBHOOK])
    return _result(rows, severity=dg.AssetCheckSeverity.WARN)


@dg.asset_check(asset=mart_key("delivery_funnel_daily"), name=FUNNEL_CHECK, pool=DUCKDB_POOL,
                description="sent >= delivered >= read >= clicked, sent <= accepted and accepted + rejected = attempted "
                "on every row.")
def funnel_monotone(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _result(_violations(warehouse, "mart_check_funnel_monotone"))


@dg.asset_check(asset=mart_key("responses_daily"), name=RESPONSES_CHECK, blocking=True, pool=DUCKDB_POOL,
                additional_deps=[dg.AssetKey(["raw", "webhook_events"])],
                description="Every postback and quick-reply tap in raw.messenger_events is counted once in "
                "marts.responses_daily, attributed or not, on its UTC date.")
def every_tap_counted(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _result(_violations(warehouse, "mart_check_responses_accounted"))

