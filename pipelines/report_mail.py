"""The daily report by e-mail: one message after each successful daily run, a notice after a failed one.

The message carries the page's headline figures as text (the same `reports.metrics.headlines` over
`marts.campaign_daily`, formatted as the report formats them) and the report's HTML file attached.
Figures are read from the analyst snapshot, which a successful run publishes after the report, so
reading them never waits on the warehouse's single writer.

Delivery is optional (`Settings.mail` is None unless MMLENS_SMTP_HOST and MMLENS_REPORT_TO are set)
and never fails a run: `deliver_report` and `deliver_failure_notice` return a `Delivery` whose one
line is to be shown, also when sending failed. No line, log record or exception here ever holds the SMTP password.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from pipelines import warehouse
from pipelines.errors import MmlensError
from pipelines.settings import MailSettings, Settings
from reports import metrics
from reports.figures import accounts_label
from reports.frames import load_frames
from reports.text import headline_value, signed_percent

log = logging.getLogger("mmlens.mail")
# The caller shows the outcome (the CLI prints it, a sensor logs it to Dagster): without a handler
# of its own, an unconfigured process would print every warning a second time (logging.lastResort).
log.addHandler(logging.NullHandler())

SMTP_TIMEOUT_SECONDS = 30
MAX_ERROR_CHARS = 300


class MailError(MmlensError):
    """The message could not be handed to the SMTP server; the text is one line without secrets."""


@dataclasses.dataclass(frozen=True)
class Delivery:
    """What became of one message: sent or not, and one line saying so (without secrets)."""

    sent: bool
    line: str


def headline_lines(rows: list[metrics.Headline]) -> list[str]:
    """The headline cards as text: a heading per group of accounts, one line per figure."""
    lines: list[str] = []
    for currency in dict.fromkeys(row.currency for row in rows):
        group = [row for row in rows if row.currency == currency]
        lines.append(f"{accounts_label(group[0])} ({currency})")
        for row in group:
            lines.append(
                f"  {row.label}: {headline_value(row, row.current)} "
                f"(previous 7 days {headline_value(row, row.previous)}, change {signed_percent(row.change)})"
            )
    return lines


def _new_message(mail: MailSettings, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = mail.sender
    message["To"] = ", ".join(mail.recipients)
    message["Date"] = format_datetime(dt.datetime.now(dt.timezone.utc))
    message["Message-ID"] = make_msgid(domain=mail.sender.rsplit("@", 1)[1])
    # Quoted-printable keeps the body 7-bit: a relay without 8BITMIME still takes ×, – and ·.
    message.set_content(body, cte="quoted-printable")
    return message


def report_message(mail: MailSettings, rows: list[metrics.Headline], run_date: dt.date, report: Path) -> EmailMessage:
    """The daily report's message: headline figures in the body, the report file attached."""
    period = metrics.Period.ending(run_date, metrics.HEADLINE_DAYS)
    body = [f"mmlens daily report for {run_date.isoformat()}.", ""]
    if rows:
        body += [f"Headline figures, {period.label()}, against the 7 days before:", "", *headline_lines(rows)]
    else:
        body.append("No campaign activity in the last 14 days.")
    body += ["", "ROAS = purchase value / spend. The full report is attached; open it in a browser (it loads nothing",
             f"from the network). It is also at {report}."]
    message = _new_message(mail, f"mmlens daily report {run_date.isoformat()}", "\n".join(body) + "\n")
    message.add_attachment(report.read_bytes(), maintype="text", subtype="html", params={"charset": "utf-8"},
                           filename=f"mmlens-report-{run_date.isoformat()}.html")
    return message


def failure_message(
    mail: MailSettings, run_id: str, partitions: str, step: str | None, error: str, where: str
) -> EmailMessage:
    """The notice of a failed daily run: which step failed, the one-line error, where to look."""
    body = [
        f"The mmlens daily run for {partitions} failed; no report was sent for it.",
        "",
        f"Step: {step or 'none (the run failed outside a step)'}",
        f"Error: {_one_line(error)}",
        f"Run: {run_id}",
        f"Where to look: {where}",
    ]
    return _new_message(mail, f"mmlens daily run failed ({partitions})", "\n".join(body) + "\n")


def _one_line(text: str, secret: str | None = None) -> str:
    line = " ".join(str(text).split())
    if secret:
        line = line.replace(secret, "***")
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        return f"the server answered {error.smtp_code} {reply}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"every recipient was refused ({', '.join(error.recipients)})"
    if isinstance(error, TimeoutError):
        return f"no answer within {SMTP_TIMEOUT_SECONDS} s"
    return f"{type(error).__name__}: {error}"


def send(mail: MailSettings, message: EmailMessage) -> None:
    """Hand `message` to the SMTP server; raise MailError (one line, no password) if that fails."""
    password = mail.password.get_secret_value() if mail.password else None
    try:
        context = ssl.create_default_context()
        if mail.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(mail.host, mail.port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
        else:
            client = smtplib.SMTP(mail.host, mail.port, timeout=SMTP_TIMEOUT_SECONDS)
        with client:
            if mail.security == "starttls":
                client.starttls(context=context)
            if mail.user and password:
                client.login(mail.user, password)
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        # `from None`: the chained exception and its frames would carry the password in `login`'s locals.
        raise MailError(_one_line(f"SMTP {mail.host}:{mail.port}: {_describe(error)}", password)) from None


def _deliver(mail: MailSettings, build, what: str) -> Delivery:
    """Build and send one message; never raises."""
    try:
        send(mail, build())
    except MailError as error:
        line = f"{what} not sent: {error}"
    except Exception as error:  # delivery is optional: nothing here may fail the run that finished
        line = _one_line(f"{what} not sent: {type(error).__name__}: {error}")
    else:
        done = Delivery(True, f"{what} mailed to {', '.join(mail.recipients)}")
        log.info(done.line)
        return done
    log.warning(line)
    return Delivery(False, line)


def deliver_report(settings: Settings, run_date: dt.date) -> Delivery | None:
    """After a successful daily run: mail the report of `run_date`. None when delivery is off."""
    mail = settings.mail
    if mail is None:
        return None

    def build() -> EmailMessage:
        with warehouse.connect(settings.snapshot_path, read_only=True) as con:
            frames = load_frames(con, run_date)
        rows = metrics.headlines(frames.campaign_daily, run_date)
        return report_message(mail, rows, run_date, settings.reports_dir / f"{run_date.isoformat()}.html")

    return _deliver(mail, build, f"report {run_date.isoformat()}")


def deliver_failure_notice(
    settings: Settings, run_id: str, partitions: str, step: str | None, error: str
) -> Delivery | None:
    """After a failed daily run: mail the failure notice. None when delivery is off."""
    mail = settings.mail
    if mail is None:
        return None
    where = f"the event log of Dagster run {run_id} (the traceback), in the UI: MMLENS_HOME={settings.home.resolve()} make dev"
    return _deliver(mail, lambda: failure_message(mail, run_id, partitions, step, error, where), "failure notice")
