"""`mmlens webhooks ...` commands."""

import typer

app = typer.Typer(no_args_is_help=True)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8787, help="TCP port."),
    max_body_bytes: int = typer.Option(1024 * 1024, help="Larger POST bodies get 413."),
) -> None:
    """Receive Meta webhooks at /webhooks and append them durably to MMLENS_HOME/exports/webhooks."""
    from pipelines.settings import load_settings
    from pipelines.webhooks.receiver import serve as run_receiver

    settings = load_settings()
    settings.require_for_webhooks()
    typer.echo(f"mmlens webhooks: listening on http://{host}:{port}/webhooks", err=True)
    run_receiver(
        app_secret=settings.app_secret.get_secret_value(),
        verify_token=settings.webhook_verify_token.get_secret_value(),
        folder=settings.exports_dir / "webhooks",
        host=host,
        port=port,
        max_body_bytes=max_body_bytes,
    )
