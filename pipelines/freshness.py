"""When the marts and the report are due. Dagster's freshness daemon (part of `dagster dev`)
evaluates the policy every 30 seconds whether or not a run happens, and the UI shows each asset
as fresh, late (stale) or unknown (never materialized).

The policy is per asset, not per partition: a mart is fresh when it was rebuilt at all in the
24 hours before the deadline, which the daily run (all partitions of the lookback) does."""

from __future__ import annotations

import datetime as dt

import dagster as dg

# The daily schedule runs at 11:00 UTC; its rebuild is due three hours later, every day.
DEADLINE_CRON = "0 14 * * *"
DAILY_REFRESH = dg.FreshnessPolicy.cron(deadline_cron=DEADLINE_CRON, lower_bound_delta=dt.timedelta(hours=24),
                                        timezone="UTC")
