"""The report mail, against a real SMTP server on loopback (aiosmtpd): the message carries the
headline figures as the report formats them and the report itself; a failed run's notice names the
step and the error; a server that is down or refuses the login costs one line, never the run, and
the password is in no line, log record or exception.

The expected lines are written by hand from a small campaign_daily: EUR account 1 doubles its spend
week on week and loses half its clicks; JPY account 2 has no previous week (no change shown)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from pipelines import report_mail, warehouse
from pipelines.settings import ConfigError, load_settings
from reports import metrics
from reports.frames import normalise
from tests.smtp_server import Logins, attachments, closed_port, smtp_server, text_body

# aiosmtpd warns that AUTH without TLS is unsafe; on loopback nothing crosses a network.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

RUN = dt.date(2026, 11, 25)
PASSWORD = "s3cret-Pa55word-canary"
REPORT_HTML = "<!doctype html><title>mmlens daily report · 2026-11-25</title><p>Flash “48h” ×</p>\n"

EXPECTED_HEADLINES = [
    "act_1 (EUR)",
    "  Spend: 20.00 EUR (previous 7 days 10.00 EUR, change +100.0%)",
    "  Delivered: 200 (previous 7 days 100, change +100.0%)",
    "  Link clicks: 5 (previous 7 days 10, change −50.0%)",
    "  Purchases: 3 (previous 7 days 1, change +200.0%)",
    "  Purchase value: 60.00 EUR (previous 7 days 15.00 EUR, change +300.0%)",
    "  ROAS: 3.00× (previous 7 days 1.50×, change +100.0%)",
    "act_2 (JPY)",
    "  Spend: 1,000 JPY (previous 7 days –, change –)",
    "  Delivered: 40 (previous 7 days –, change –)",
    "  Link clicks: 4 (previous 7 days –, change –)",
    "  Purchases: 2 (previous 7 days –, change –)",
    "  Purchase value: 2,500 JPY (previous 7 days –, change –)",
    "  ROAS: 2.50× (previous 7 days –, change –)",
]


def day(offset: int) -> dt.date:
    return RUN - dt.timedelta(days=offset)


ROWS = [
    {"ad_account_id": "1", "currency": "EUR", "date": day(0), "spend": "12", "delivered": 120, "link_clicks": 3,
     "purchases": "2", "purchase_value": "40"},
    {"ad_account_id": "1", "currency": "EUR", "date": day(6), "spend": "8", "delivered": 80, "link_clicks": 2,
     "purchases": "1", "purchase_value": "20"},
    {"ad_account_id": "1", "currency": "EUR", "date": day(7), "spend": "10", "delivered": 100, "link_clicks": 10,
     "purchases": "1", "purchase_value": "15"},
    # 14 days back: in neither week, so in no figure.
    {"ad_account_id": "1", "currency": "EUR", "date": day(14), "spend": "999", "delivered": 999, "link_clicks": 999,
     "purchases": "99", "purchase_value": "999"},
    {"ad_account_id": "2", "currency": "JPY", "date": day(1), "spend": "1000", "delivered": 40, "link_clicks": 4,
     "purchases": "2", "purchase_value": "2500"},
]


def campaign_daily() -> pl.DataFrame:
    rows = [{"message_campaign_id": f"c{r['ad_account_id']}", "campaign_name": "n", "api_roas": None, **r} for r in ROWS]
    for row in rows:
        for key in ("spend", "purchases", "purchase_value"):
            row[key] = Decimal(row[key])
    return normalise("campaign_daily", pl.DataFrame(rows, infer_schema_length=None))


def mail_env(port: int, **extra: str) -> dict[str, str]:
    return {"MMLENS_SMTP_HOST": "127.0.0.1", "MMLENS_SMTP_PORT": str(port), "MMLENS_SMTP_SECURITY": "none",
            "MMLENS_REPORT_FROM": "mmlens@example.org", "MMLENS_REPORT_TO": "ana@example.org, Ops <ops@example.org>",
            **extra}


def published(home: Path, port: int, **extra: str):
    """Settings for `home`, with a snapshot holding ROWS and the run date's report on disk."""
    settings = load_settings({"MMLENS_HOME": str(home), **mail_env(port, **extra)}, env_file=None)
    frame = campaign_daily()
    with warehouse.connect(settings.snapshot_path) as con:
        con.register("frame", frame.to_arrow())
        con.execute("insert into marts.campaign_daily by name select * from frame")
    settings.reports_dir.mkdir(parents=True)
    (settings.reports_dir / f"{RUN.isoformat()}.html").write_text(REPORT_HTML, encoding="utf-8")
    return settings


def test_headline_lines_are_the_report_figures() -> None:
    assert report_mail.headline_lines(metrics.headlines(campaign_daily(), RUN)) == EXPECTED_HEADLINES


def test_the_report_arrives_with_its_figures_and_the_page_attached(home: Path) -> None:
    with smtp_server() as (port, mailbox):
        delivery = report_mail.deliver_report(published(home, port), RUN)
    assert delivery == report_mail.Delivery(True, "report 2026-11-25 mailed to ana@example.org, ops@example.org")
    [message] = mailbox.messages
    assert mailbox.envelopes == [("mmlens@example.org", ["ana@example.org", "ops@example.org"])]
    assert message["Subject"] == "mmlens daily report 2026-11-25"
    assert message["From"] == "mmlens@example.org"
    assert message["To"] == "ana@example.org, ops@example.org"
    body = text_body(message).splitlines()
    assert body[:4] == [
        "mmlens daily report for 2026-11-25.",
        "",
        "Headline figures, 2026-11-19 – 2026-11-25, against the 7 days before:",
        "",
    ]
    assert body[4:4 + len(EXPECTED_HEADLINES)] == EXPECTED_HEADLINES
    assert attachments(message) == {"mmlens-report-2026-11-25.html": REPORT_HTML.encode()}


def test_login_is_used_when_configured(home: Path) -> None:
    logins = Logins("mmlens", PASSWORD)
    with smtp_server(logins) as (port, mailbox):
        delivery = report_mail.deliver_report(
            published(home, port, MMLENS_SMTP_USER="mmlens", MMLENS_SMTP_PASSWORD=PASSWORD), RUN
        )
    assert delivery.sent and logins.attempts == [True] and len(mailbox.messages) == 1


def test_a_refused_login_is_one_line_without_the_password(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with smtp_server(Logins("mmlens", "another password")) as (port, mailbox):
        settings = published(home, port, MMLENS_SMTP_USER="mmlens", MMLENS_SMTP_PASSWORD=PASSWORD)
        delivery = report_mail.deliver_report(settings, RUN)
        with pytest.raises(report_mail.MailError) as caught:
            report_mail.send(settings.mail, report_mail.failure_message(settings.mail, "r", "d", None, "e", "w"))
    assert mailbox.messages == []
    assert not delivery.sent
    assert delivery.line.startswith(f"report 2026-11-25 not sent: SMTP 127.0.0.1:{port}: the server answered 535")
    assert "\n" not in delivery.line
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("mmlens")]
    assert ours == [delivery.line]
    assert PASSWORD not in str(caught.value) and caught.value.__cause__ is None
    assert PASSWORD not in caplog.text + delivery.line + repr(settings)


def test_smtp_down_is_one_line(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    with closed_port() as port:
        delivery = report_mail.deliver_report(published(home, port), RUN)
    assert delivery == report_mail.Delivery(
        False, f"report 2026-11-25 not sent: SMTP 127.0.0.1:{port}: ConnectionRefusedError: [Errno 111] Connection refused"
    )
    assert [r.getMessage() for r in caplog.records if r.name == "mmlens.mail"] == [delivery.line]


def test_failure_notice_names_the_step_the_error_and_where_to_look(home: Path) -> None:
    with smtp_server() as (port, mailbox):
        settings = load_settings({"MMLENS_HOME": str(home), **mail_env(port)}, env_file=None)
        delivery = report_mail.deliver_failure_notice(
            settings, "run-1", "2026-11-10..2026-11-19", "graph_raw",
            "ad account 1: the access token was rejected (code 190)\nsecond line",
        )
    assert delivery == report_mail.Delivery(True, "failure notice mailed to ana@example.org, ops@example.org")
    [message] = mailbox.messages
    assert message["Subject"] == "mmlens daily run failed (2026-11-10..2026-11-19)"
    assert text_body(message).splitlines() == [
        "The mmlens daily run for 2026-11-10..2026-11-19 failed; no report was sent for it.",
        "",
        "Step: graph_raw",
        "Error: ad account 1: the access token was rejected (code 190) second line",
        "Run: run-1",
        f"Where to look: the event log of Dagster run run-1 (the traceback), in the UI: MMLENS_HOME={home.resolve()} make dev",
    ]
    assert list(message.iter_attachments()) == []


def test_delivery_is_off_without_host_and_recipients(home: Path) -> None:
    settings = load_settings({"MMLENS_HOME": str(home)}, env_file=None)
    assert settings.mail is None
    assert report_mail.deliver_report(settings, RUN) is None
    assert report_mail.deliver_failure_notice(settings, "r", "d", None, "e") is None


def test_defaults() -> None:
    mail = load_settings({"MMLENS_SMTP_HOST": "smtp.example.org", "MMLENS_SMTP_USER": "bot@example.org",
                          "MMLENS_SMTP_PASSWORD": PASSWORD, "MMLENS_REPORT_TO": "ana@example.org"}, env_file=None).mail
    assert (mail.port, mail.security, mail.sender, mail.recipients) == (587, "starttls", "bot@example.org", ("ana@example.org",))
    assert PASSWORD not in repr(mail)
    ssl_port = load_settings({"MMLENS_SMTP_HOST": "h", "MMLENS_SMTP_SECURITY": "ssl", "MMLENS_REPORT_FROM": "a@b.org",
                              "MMLENS_REPORT_TO": "c@d.org"}, env_file=None).mail.port
    assert ssl_port == 465


BASE = {"MMLENS_SMTP_HOST": "smtp.example.org", "MMLENS_REPORT_FROM": "a@example.org", "MMLENS_REPORT_TO": "b@example.org"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"MMLENS_SMTP_HOST": None}, "MMLENS_SMTP_HOST: required when MMLENS_REPORT_TO is set"),
        ({"MMLENS_REPORT_TO": None}, "MMLENS_REPORT_TO: required when MMLENS_SMTP_HOST is set"),
        ({"MMLENS_SMTP_PORT": "smtp"}, "MMLENS_SMTP_PORT: 'smtp' is not a whole number"),
        ({"MMLENS_SMTP_PORT": "70000"}, "MMLENS_SMTP_PORT: 70000 is out of range (1 to 65535)"),
        ({"MMLENS_SMTP_SECURITY": "tls"}, "MMLENS_SMTP_SECURITY: 'tls' is not one of starttls, ssl, none"),
        ({"MMLENS_SMTP_USER": "bot"}, "MMLENS_SMTP_PASSWORD: required when the other SMTP login variable is set"),
        ({"MMLENS_SMTP_PASSWORD": PASSWORD}, "MMLENS_SMTP_USER: required when the other SMTP login variable is set"),
        ({"MMLENS_SMTP_SECURITY": "none", "MMLENS_SMTP_USER": "bot", "MMLENS_SMTP_PASSWORD": PASSWORD},
         "MMLENS_SMTP_SECURITY: none sends the SMTP password unencrypted; use starttls or ssl"),
        ({"MMLENS_REPORT_FROM": None}, "MMLENS_REPORT_FROM: required when MMLENS_SMTP_HOST is set"),
        ({"MMLENS_REPORT_FROM": "a@example.org, c@example.org"}, "MMLENS_REPORT_FROM: give one address"),
        ({"MMLENS_REPORT_TO": "ana"}, "MMLENS_REPORT_TO: 'ana' is not an e-mail address"),
        ({"MMLENS_REPORT_TO": ","}, "MMLENS_REPORT_TO: no e-mail address in ','"),
    ],
)
def test_bad_mail_settings_are_one_line(values: dict[str, str | None], message: str) -> None:
    env = {k: v for k, v in {**BASE, **values}.items() if v is not None}
    with pytest.raises(ConfigError) as caught:
        load_settings(env, env_file=None)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)
    assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    ("security", "start"),
    [
        ("starttls", "SMTPNotSupportedError: STARTTLS extension not supported by server."),
        ("ssl", "SSLError: "),
    ],
)
def test_tls_the_server_does_not_speak_is_one_line(home: Path, security: str, start: str) -> None:
    with smtp_server() as (port, mailbox):
        delivery = report_mail.deliver_report(published(home, port, MMLENS_SMTP_SECURITY=security), RUN)
    assert mailbox.messages == []
    assert not delivery.sent and "\n" not in delivery.line
    assert delivery.line.startswith(f"report 2026-11-25 not sent: SMTP 127.0.0.1:{port}: {start}")
