"""The one daily partitions definition. A partition key is a calendar date; each ad account
interprets it in its own time zone (Meta reports insights in the account's time zone)."""

import dagster as dg

PARTITIONS_START = "2024-01-01"

daily_partitions = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START, end_offset=1)
