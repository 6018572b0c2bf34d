"""The commands of `mmlens`, registered on the typer app in one place."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from pipelines.backfill_commands import backfill
    from pipelines.lake.cli import app as lake_app
    from pipelines.run_commands import demo, run, sql
    from pipelines.simulator.cli import app as simulator_app
    from pipelines.webhooks.cli import app as webhooks_app

    app.command()(demo)
    app.command()(run)
    app.command()(sql)
    app.command()(backfill)
    app.add_typer(simulator_app, name="simulator", help="The built-in Graph API simulator.")
    app.add_typer(webhooks_app, name="webhooks", help="The webhook receiver.")
    app.add_typer(lake_app, name="lake", help="Lake mode: ingestion shards, export marts, upkeep (docs/deploy.md).")
