"""`mmlens webhooks ...` commands."""

import typer

from pipelines.errors import UsageError

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

    # Checked here rather than with typer's min/max so that a bad value is a one-line usage error.
    if not 0 <= port <= 65535:
        raise UsageError(f"--port: {port} is not between 0 and 65535")
    if max_body_bytes < 1:
        raise UsageError(f"--max-body-bytes: {max_body_bytes} is not a positive number of bytes")
    settings = load_settings()
    settings.require_for_webhooks()
    run_receiver(
        app_secret=settings.app_secret.get_secret_value(),
        verify_token=settings.webhook_verify_token.get_secret_value(),
        folder=settings.exports_dir / "webhooks",
        host=host,
        port=port,
        max_body_bytes=max_body_bytes,
        announce=lambda url: typer.echo(f"mmlens webhooks: listening on {url}/webhooks", err=True),
    )
