"""What the raw Graph assets call: pull accounts, campaigns, insights and estimates.

Accounts are pulled concurrently (bounded) with one shared, thread-safe client. Each account's
insights for the whole requested range come from one synchronous read when the range is small,
else from one async job (split only when Meta asks). If
any account fails, the error of the first failing account (in configured order) is raised after
the others stop, and the caller writes nothing.

The insights and estimates pulls need the account node and, for insights, the account's message
campaigns. When the caller already has them from the same run (`KnownAccount`: the entities pull,
as landed), they are not read again; without them, each pull reads them itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from pipelines.graph.accounts import AdAccount, fetch_account
from pipelines.graph.async_reports import RUN_POLICY, PollPolicy, Progress, ReportRunner
from pipelines.graph.campaigns import MessageCampaign, fetch_campaigns, fetch_message_campaign_ids
from pipelines.graph.client import Cancelled, GraphClient, RetryPolicy
from pipelines.graph.dates import RETENTION_MONTHS, account_today, oldest_insights_day
from pipelines.graph.errors import GraphError, GraphUsageError
from pipelines.graph.estimates import DeliveryEstimate, fetch_estimate
from pipelines.graph.insights import ActionRow, InsightRow, insights_params, is_message_campaign_row, parse_row
from pipelines.graph.throttle import PacingPolicy
from pipelines.settings import Settings, parse_attribution_windows

MAX_CONCURRENT_ACCOUNTS = 4
INSIGHTS_RETENTION_MONTHS = RETENTION_MONTHS  # reference §1.4: a start date older than this is error 3018
T = TypeVar("T")


@dataclass(frozen=True)
class GraphTiming:
    """Every wait the client makes; tests and the simulator demo use shorter ones."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    poll: PollPolicy = RUN_POLICY
    pacing: PacingPolicy = field(default_factory=PacingPolicy)


def make_client(settings: Settings, timing: GraphTiming | None = None) -> GraphClient:
    """A client for the configured Graph API; raises ConfigError when the token is missing."""
    settings.require_for_run()
    assert settings.access_token is not None
    timing = timing or GraphTiming()
    secret = settings.app_secret.get_secret_value() if settings.app_secret else None
    return GraphClient(
        settings.graph_url,
        settings.api_version,
        settings.access_token.get_secret_value(),
        secret,
        retry=timing.retry,
        pacing=timing.pacing,
    )


def check_windows(windows: Sequence[str]) -> tuple[str, ...]:
    """Refuse deprecated or unknown attribution windows before any call (ConfigError)."""
    return parse_attribution_windows(",".join(windows))


def for_each_account(
    account_ids: Sequence[str],
    work: Callable[[str], T],
    client: GraphClient | None = None,
    max_workers: int = MAX_CONCURRENT_ACCOUNTS,
) -> list[T]:
    """`work(account)` for every account, at most `max_workers` at a time, results in input order.

    When one account fails, accounts not started are skipped and `client` is cancelled so the
    running ones stop at their next call or wait; the first real failure (in account order) is
    raised, never the cancellations it caused.
    """
    if not account_ids:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(account_ids)))) as pool:
        futures = [pool.submit(work, account) for account in account_ids]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        if any(f.exception() is not None for f in done):
            for future in futures:
                future.cancel()
            if client is not None:
                client.cancel()
        wait(futures)
        errors = [f.exception() for f in futures if not f.cancelled() and f.exception() is not None]
        real = [e for e in errors if not isinstance(e, Cancelled)]
        if real or errors:
            raise (real or errors)[0]  # type: ignore[misc]
        return [future.result() for future in futures]


@dataclass(frozen=True)
class AccountEntities:
    account: AdAccount
    campaigns: list[MessageCampaign]


def pull_entities(client: GraphClient, account_id: str) -> AccountEntities:
    account = fetch_account(client, account_id)
    return AccountEntities(account, fetch_campaigns(client, account))


@dataclass(frozen=True)
class KnownAccount:
    """An account node and the ids of its message campaigns, as this run's entities pull read them."""

    account: AdAccount
    message_campaign_ids: frozenset[str]


@dataclass(frozen=True)
class InsightsPull:
    """One account's insights for [since, until] (account-local dates)."""

    account: AdAccount
    since: date
    until: date
    rows: list[InsightRow]
    actions: list[ActionRow]
    jobs: int
    splits: int
    skipped_rows: int = 0  # rows of regular ad campaigns on the same account (not message campaigns)
    sync_reads: int = 0  # ranges read with synchronous requests instead of an async job


def pull_insights(
    client: GraphClient,
    account_id: str,
    since: date,
    until: date,
    windows: Sequence[str],
    poll: PollPolicy | None = None,
    on_progress: Progress | None = None,
    known: KnownAccount | None = None,
) -> InsightsPull:
    """Daily campaign insights and pixel actions for one account: one synchronous read for a small
    range, else one async job per range (`PollPolicy`; default `RUN_POLICY`). The account node and
    the message-campaign ids come from `known` when given, else from the API."""
    windows = check_windows(windows)
    if since > until:
        raise GraphError(f"act_{account_id}: since {since} is after until {until}")
    account = known.account if known is not None else fetch_account(client, account_id)
    oldest = oldest_insights_day(account.timezone_name)
    if since < oldest:
        raise GraphUsageError(
            f"act_{account_id}: insights start {since} is more than {INSIGHTS_RETENTION_MONTHS} months ago "
            f"(Meta answers code 3018); the oldest day available is {oldest}"
        )
    # `level=campaign` on the account also returns the account's regular ad campaigns; their rows
    # must not land as message campaigns (their `spend` would count as messaging spend).
    if known is not None:
        message_campaigns = set(known.message_campaign_ids)
    else:
        message_campaigns = fetch_message_campaign_ids(client, account.ad_account_id)
    runner = ReportRunner(client, account.ad_account_id, poll or RUN_POLICY, on_progress=on_progress)
    raw_rows = runner.rows(lambda s, u: insights_params(s, u, windows), since, until, len(message_campaigns))
    rows: dict[tuple[str, date], InsightRow] = {}
    actions: dict[tuple[str, date, str, str], ActionRow] = {}
    skipped = 0
    for raw in raw_rows:
        if str(raw.get("campaign_id")) not in message_campaigns and not is_message_campaign_row(raw):
            skipped += 1
            continue
        row, row_actions = parse_row(raw, account.ad_account_id, account.currency, since, until, windows)
        if (row.message_campaign_id, row.date) in rows:
            raise GraphError(f"act_{account_id}: campaign {row.message_campaign_id} appears twice for {row.date}")
        rows[(row.message_campaign_id, row.date)] = row
        for action in row_actions:
            actions[(action.message_campaign_id, action.date, action.action_type, action.attribution_window)] = action
    return InsightsPull(
        account=account,
        since=since,
        until=until,
        rows=[rows[k] for k in sorted(rows)],
        actions=[actions[k] for k in sorted(actions)],
        jobs=runner.jobs,
        splits=runner.splits,
        skipped_rows=skipped,
        sync_reads=runner.sync_reads,
    )


def pull_estimate(
    client: GraphClient, account_id: str, pages: Mapping[str, str], known: KnownAccount | None = None
) -> DeliveryEstimate | None:
    """Today's delivery estimate (in the account's time zone) for the account's main sending Page
    as landed (`pages`: account id to Page); None when no Page is known. Without `known`, the
    account node is read and, when the landed campaigns name no Page (they may be another run's),
    the campaign list too. With `known`, the landed campaigns are this run's own listing, which
    names no other Page, so it is not read again."""
    account = known.account if known is not None else fetch_account(client, account_id)
    page_id = pages.get(account.ad_account_id)
    if page_id is None and known is None:
        page_id = next((c.page_id for c in fetch_campaigns(client, account) if c.page_id), None)
    if page_id is None:
        return None
    return fetch_estimate(client, account, page_id, account_today(account.timezone_name))
