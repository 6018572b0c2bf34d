"""`mmlens webhooks ...` commands."""

import typer

from pipelines.cli_numbers import whole_number
from pipelines.errors import UsageError
from pipelines.webhooks import limits as receiver_limits

app = typer.Typer(no_args_is_help=True)
DEFAULTS = receiver_limits.Limits(max_connections=1)  # the derived default is computed when serving


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8787, parser=whole_number("--port"), metavar="INTEGER", help="TCP port."),
    max_body_bytes: int = typer.Option(DEFAULTS.max_body_bytes, parser=whole_number("--max-body-bytes"),
                                       metavar="INTEGER", help="Larger POST bodies get 413."),
    max_unsigned_bytes: int = typer.Option(
        DEFAULTS.max_unsigned_bytes, parser=whole_number("--max-unsigned-bytes"), metavar="INTEGER",
        help="Body bytes read but not yet verified, over all requests; beyond: 503."),
    header_timeout: float = typer.Option(DEFAULTS.header_timeout, help="Seconds for a request's headers."),
    body_timeout: float = typer.Option(DEFAULTS.body_timeout, help="Seconds for a request's body; beyond: 408."),
    keep_alive_timeout: int = typer.Option(DEFAULTS.keep_alive_timeout, parser=whole_number("--keep-alive-timeout"),
                                           metavar="INTEGER", help="Seconds an idle connection stays open."),
    max_connections: int = typer.Option(
        None, parser=whole_number("--max-connections"), metavar="INTEGER", show_default=False,
        help=f"Open connections; beyond: 503, then refused. [default: {receiver_limits.MAX_CONNECTIONS_CEILING}, "
             "or less under a low open-file limit]"),
    instance: str = typer.Option(
        None, show_default=False,
        help="This receiver's name when several run side by side: it journals to exports/webhooks/<instance>/ "
             "in files named after it. [default: MMLENS_RECEIVER_INSTANCE, else none: exports/webhooks/ itself]"),
) -> None:
    """Receive Meta webhooks at /webhooks and append them durably to MMLENS_HOME/exports/webhooks."""
    from pipelines.settings import load_settings
    from pipelines.webhooks.instance import journal_place
    from pipelines.webhooks.receiver import serve as run_receiver

    # Checked here rather than with typer's min/max so that a bad value is a one-line usage error.
    if not 0 <= port <= 65535:
        raise UsageError(f"--port: {port} is not between 0 and 65535")
    limits = receiver_limits.Limits(
        max_body_bytes=max_body_bytes, max_unsigned_bytes=max_unsigned_bytes, header_timeout=header_timeout,
        body_timeout=body_timeout, keep_alive_timeout=keep_alive_timeout,
        max_connections=receiver_limits.default_max_connections() if max_connections is None else max_connections,
    ).check()
    settings = load_settings()
    # The option wins over the configuration; the error names whichever the name came from.
    source = "--instance" if instance is not None else "MMLENS_RECEIVER_INSTANCE"
    folder, prefix = journal_place(settings.exports_dir / "webhooks",
                                   instance if instance is not None else settings.receiver_instance, source)
    settings.require_for_webhooks()
    app_secret, verify_token = settings.app_secret, settings.webhook_verify_token
    assert app_secret is not None and verify_token is not None  # require_for_webhooks refused None
    run_receiver(
        app_secret=app_secret.get_secret_value(),
        verify_token=verify_token.get_secret_value(),
        folder=folder,
        prefix=prefix,
        host=host,
        port=port,
        limits=limits,
        announce=lambda url: typer.echo(f"mmlens webhooks: listening on {url}/webhooks", err=True),
    )
