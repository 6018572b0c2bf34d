"""The daily report reaches people: `mmlens run` against the simulator, with mail configured for a
real SMTP server on loopback (aiosmtpd).

A successful run delivers exactly one message, with the report attached byte for byte and the
headline figures the page's cards show (read back from the page's figure JSON and formatted as the
cards' own number formats say); a failed run delivers one failure notice; an SMTP server that is
down costs one printed line and the run still succeeds; the SMTP password is nowhere. The sensors
that mail after runs of the schedule and the UI are evaluated on the runs recorded here."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import warnings
from pathlib import Path

import dagster as dg
import pytest

from pipelines.resources import MmlensSettings
from pipelines.sensors import report_failure_mail_sensor, report_mail_sensor
from pipelines.simulator.server import running_simulator
from pipelines.simulator.world import World, WorldSize
from tests.e2e.helpers import files_containing, mmlens
from tests.smtp_server import attachments, closed_port, smtp_server, text_body

TOKEN = "EAAmailTOKEN0123456789zzQ"
PASSWORD = "smtp-Pa55word-canary-9"
TODAY = dt.date(2026, 11, 20)
SINCE, UNTIL = "2026-11-06", "2026-11-19"
FIGURE = re.compile(r'<script type="application/json" class="figure-data" data-target="[^"]*">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=5, size=WorldSize(accounts=2, campaigns_per_account=2, days=20, sends_per_campaign_day=10), today=TODAY)


@pytest.fixture(scope="module")
def simulator(world: World):
    with running_simulator(seed=5, world=world, today=TODAY, access_token=TOKEN) as url:
        yield url


def env_for(home: Path, url: str, world: World, port: int, token: str = TOKEN, **mail: str) -> dict[str, str]:
    return {"MMLENS_HOME": str(home), "META_GRAPH_URL": url, "META_ACCESS_TOKEN": token,
            "META_AD_ACCOUNT_IDS": ",".join(a.account_id for a in world.accounts),
            "MMLENS_SMTP_HOST": "127.0.0.1", "MMLENS_SMTP_PORT": str(port), "MMLENS_SMTP_SECURITY": "none",
            "MMLENS_REPORT_FROM": "mmlens@example.org", "MMLENS_REPORT_TO": "ana@example.org", **mail}


def _d3(value: float, spec: str) -> str:
    """A number as the page draws it: the d3 formats used (',.2f', '.2f', '+.1%') read the same in
    Python, except that d3 writes a minus as U+2212."""
    return format(value, spec).replace("-", "−")


ANY_PREVIOUS = "\x00"


def page_headline_lines(page: str) -> list[str]:
    """The page's headline cards, as the lines the mail should carry. A card without a change
    (previous week 0 or absent) does not show the previous value: ANY_PREVIOUS stands for it."""
    indicators = [t for m in FIGURE.finditer(page) for t in json.loads(m.group(1))["data"] if t["type"] == "indicator"]
    assert indicators, "the page has no headline cards"
    lines: list[str] = []
    for card in indicators:
        label, accounts = card["title"]["text"].split(" · ")
        currency = card["name"].rsplit("(", 1)[1].rstrip(")")
        heading = f"{accounts} ({currency})"
        if heading not in lines:
            lines.append(heading)
        number = card["number"]

        def shown(value: float, number=number) -> str:
            return _d3(value, number["valueformat"]) + number.get("suffix", "")

        if "delta" in card:
            reference = card["delta"]["reference"]
            previous = shown(reference)
            change = _d3((card["value"] - reference) / reference, card["delta"]["valueformat"])
        else:
            previous, change = ANY_PREVIOUS, "–"
        lines.append(f"  {label}: {shown(card['value'])} (previous 7 days {previous}, change {change})")
    return lines


def same_figures(mail: list[str], page: list[str]) -> bool:
    patterns = [re.escape(line).replace(ANY_PREVIOUS, "[^,]+") for line in page]
    return len(mail) == len(page) and all(re.fullmatch(p, line) for p, line in zip(patterns, mail, strict=True))


def mail_headline_lines(body: str) -> list[str]:
    lines = body.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Headline figures")) + 2
    return lines[start:lines.index("", start)]


def recorded_run(home: Path, event_type: dg.DagsterEventType) -> tuple[dg.DagsterInstance, dg.DagsterRun, dg.DagsterEvent]:
    """The one run recorded under `home`, and its event of `event_type`. The code location is
    loaded first, as the daemon has it loaded when a sensor runs (its error classes included)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        importlib.import_module("pipelines.definitions")
    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    [run] = instance.get_runs()
    [record] = instance.all_logs(run.run_id, of_type=event_type)
    return instance, run, record.dagster_event


def test_a_daily_run_mails_the_report_with_the_page_figures(
    tmp_path: Path, simulator: str, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    with smtp_server() as (port, mailbox):
        env = env_for(home, simulator, world, port)
        done = mmlens("run", "--since", SINCE, "--until", UNTIL, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "report 2026-11-19 mailed to ana@example.org" in done.stderr
        [message] = mailbox.messages
        page = (home / "reports" / f"{UNTIL}.html").read_bytes()
        assert attachments(message) == {f"mmlens-report-{UNTIL}.html": page}
        assert message["Subject"] == f"mmlens daily report {UNTIL}"
        lines = mail_headline_lines(text_body(message))
        # Two accounts in two currencies: two groups of six figures.
        assert len(lines) == 14
        assert same_figures(lines, page_headline_lines(page.decode("utf-8"))), lines
        assert TOKEN not in message.as_string()

        # Under the Dagster daemon the sensor mails; for a run of `mmlens run` it leaves that to the CLI.
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        instance, run, event = recorded_run(home, dg.DagsterEventType.RUN_SUCCESS)
        resources = {"settings": MmlensSettings(home=str(home))}
        with dg.build_run_status_sensor_context("report_mail_sensor", event, instance, run, resources=resources) as context:
            assert isinstance(report_mail_sensor(context), dg.SkipReason)
        assert len(mailbox.messages) == 1
        scheduled = run._replace(tags={k: v for k, v in run.tags.items() if k != "mmlens/cli"})
        with dg.build_run_status_sensor_context("report_mail_sensor", event, instance, scheduled, resources=resources) as context:
            assert report_mail_sensor(context) is None
        assert len(mailbox.messages) == 2
        assert mail_headline_lines(text_body(mailbox.messages[1])) == lines


def test_a_failed_run_mails_one_failure_notice(
    tmp_path: Path, simulator: str, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    with smtp_server() as (port, mailbox):
        env = env_for(home, simulator, world, port, token="EAAwrongTOKEN")
        done = mmlens("run", "--since", SINCE, "--until", UNTIL, env=env)
        assert done.returncode == 2, done.stderr[-3000:]
        [error_line] = [line for line in done.stderr.splitlines() if line.startswith("mmlens:")]
        assert "code 190" in error_line
        assert "failure notice mailed to ana@example.org" in done.stderr
        [message] = mailbox.messages
        assert message["Subject"] == f"mmlens daily run failed ({SINCE}..{UNTIL})"
        body = text_body(message).splitlines()
        step = next(line for line in body if line.startswith("Step: "))
        error = next(line for line in body if line.startswith("Error: "))
        # One of the Graph pull steps, whichever met the rejected token first.
        assert step in {"Step: graph_entities", "Step: campaign_insights", "Step: delivery_estimates"}
        # The CLI's line is the notice's error followed by where the traceback is.
        assert error_line.startswith("mmlens: " + error.removeprefix("Error: ") + " (traceback in the event log")
        assert "EAAwrongTOKEN" not in message.as_string()
        assert list(message.iter_attachments()) == []

        for name, value in env.items():
            monkeypatch.setenv(name, value)
        instance, run, event = recorded_run(home, dg.DagsterEventType.RUN_FAILURE)
        scheduled = run._replace(tags={k: v for k, v in run.tags.items() if k != "mmlens/cli"})
        with dg.build_run_status_sensor_context(
            "report_failure_mail_sensor", event, instance, scheduled, resources={"settings": MmlensSettings(home=str(home))}
        ) as context:
            assert report_failure_mail_sensor(context.for_run_failure()) is None
        [_, notice] = mailbox.messages
        assert [line for line in text_body(notice).splitlines() if line.startswith(("Step: ", "Error: "))] == [step, error]


def test_smtp_down_the_run_succeeds_with_one_line_and_the_password_is_nowhere(
    tmp_path: Path, simulator: str, world: World
) -> None:
    home = tmp_path / "home"
    with closed_port() as port:
        env = env_for(home, simulator, world, port, MMLENS_SMTP_USER="mmlens", MMLENS_SMTP_PASSWORD=PASSWORD)
        done = mmlens("run", "--since", SINCE, "--until", UNTIL, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if "not sent" in line]
    assert lines == [f"report 2026-11-19 not sent: SMTP 127.0.0.1:{port}: ConnectionRefusedError: [Errno 111] Connection refused"]
    assert "Traceback" not in done.stderr
    assert (home / "reports" / f"{UNTIL}.html").is_file()
    assert PASSWORD not in done.stdout + done.stderr
    assert files_containing(home, PASSWORD.encode()) == []
