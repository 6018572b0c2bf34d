"""Receivers side by side (`--instance`): each journals to its own folder in files named after it,
a second receiver with the same instance is refused, and ingestion lands every acknowledged event
of all of them once, an event Meta redelivered to the other receiver included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pipelines import warehouse
from pipelines.errors import UsageError
from pipelines.webhooks.exports import sealed_files
from pipelines.webhooks.ingest import WEBHOOKS, ingest
from pipelines.webhooks.instance import journal_place
from tests.conftest import REPO_ROOT
from tests.webhooks import samples as s
from tests.webhooks.receiver_process import SECRET, TOKEN, Receiver, signed_headers

WEBHOOKS_DIR = Path("/data/exports/webhooks")


@pytest.mark.parametrize(("instance", "folder", "prefix"), [
    (None, WEBHOOKS_DIR, "webhooks"),
    ("a", WEBHOOKS_DIR / "a", "webhooks-a"),
    ("eu-west-1_r2", WEBHOOKS_DIR / "eu-west-1_r2", "webhooks-eu-west-1_r2"),
    ("x" * 63, WEBHOOKS_DIR / ("x" * 63), "webhooks-" + "x" * 63),
])
def test_each_instance_journals_to_its_own_folder_and_names(instance, folder, prefix):
    assert journal_place(WEBHOOKS_DIR, instance) == (folder, prefix)


@pytest.mark.parametrize("instance", ["", ".hidden", "-a", "a/b", "..", "a b", "é", "x" * 64, "a.b"])
def test_an_instance_that_is_not_a_plain_name_is_refused(instance):
    with pytest.raises(UsageError, match="--instance: .* is not 1 to 63 letters"):
        journal_place(WEBHOOKS_DIR, instance)


@pytest.mark.parametrize(("env_file", "args", "folder", "prefix"), [
    ("", [], "exports/webhooks", "webhooks"),
    ("MMLENS_RECEIVER_INSTANCE=r7\n", [], "exports/webhooks/r7", "webhooks-r7"),
    ("MMLENS_RECEIVER_INSTANCE=r7\n", ["--instance", "r8"], "exports/webhooks/r8", "webhooks-r8"),
])
def test_the_instance_comes_from_the_option_over_the_configuration(home, monkeypatch, env_file, args, folder, prefix):
    from pipelines.cli import main
    from pipelines.webhooks import receiver

    Path(".env").write_text(f"META_APP_SECRET={SECRET}\nMETA_WEBHOOK_VERIFY_TOKEN={TOKEN}\n{env_file}")
    served = {}
    monkeypatch.setattr(receiver, "serve", lambda **kwargs: served.update(kwargs))
    assert main(["webhooks", "serve", *args]) == 0
    assert (served["folder"], served["prefix"]) == (home / folder, prefix)


@pytest.mark.parametrize(("env", "args", "message"), [
    ({"MMLENS_RECEIVER_INSTANCE": "../up"}, [],
     "mmlens: MMLENS_RECEIVER_INSTANCE: '../up' is not 1 to 63 letters, digits, '-' or '_', starting with a letter or digit"),
    ({}, ["--instance", "a/b"], "mmlens: --instance: 'a/b' is not 1 to 63 letters, digits, '-' or '_', starting with a letter or digit"),
])
def test_a_bad_instance_is_a_one_line_error(monkeypatch, capsys, env, args, message):
    from pipelines.cli import main

    for name, value in {"META_APP_SECRET": SECRET, "META_WEBHOOK_VERIFY_TOKEN": TOKEN, **env}.items():
        monkeypatch.setenv(name, value)
    assert main(["webhooks", "serve", *args]) == 2
    assert capsys.readouterr().err.strip() == message


def _body(n: int) -> bytes:
    return s.line(s.changes(("marketing_message_deliveries", s.echo(n, marketing_message_tracking_id=f"side-{n}"))))


def _post(receiver: Receiver, body: bytes) -> None:
    response = httpx.post(f"{receiver.url}/webhooks", content=body, headers=signed_headers(body), timeout=30)
    assert response.status_code == 200, response.text


def test_two_receivers_share_an_exports_folder_and_every_event_lands_once(home: Path):
    a = Receiver(home, "--instance", "a").wait_ready()
    b = Receiver(home, "--instance", "b").wait_ready()
    try:
        _post(a, _body(1))
        _post(b, _body(2))
        _post(b, _body(1))  # Meta's retry of body 1 reached the other receiver
        env = {**os.environ, "MMLENS_HOME": str(home), "META_APP_SECRET": SECRET,
               "META_WEBHOOK_VERIFY_TOKEN": TOKEN, "PYTHONPATH": str(REPO_ROOT)}
        again = subprocess.run([sys.executable, "-m", "pipelines.cli", "webhooks", "serve", "--port", "0",
                                "--instance", "a"], env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 2
        assert again.stderr.strip().splitlines() == [
            f"mmlens: another receiver is already writing to {home / 'exports' / 'webhooks' / 'a'}; stop it first, "
        "or give each receiver its own --instance"]
    finally:
        assert a.stop() in (0, -15) and b.stop() in (0, -15)

    webhooks = home / "exports" / "webhooks"
    files = sealed_files(webhooks)
    assert [(f.parent.name, f.name.split("-2")[0]) for f in files] == [("a", "webhooks-a"), ("b", "webhooks-b")]
    assert [len(f.read_bytes().splitlines()) for f in files] == [1, 2]
    with warehouse.connect(home / "warehouse.duckdb") as con:
        stats = ingest(con, home / "exports", WEBHOOKS)
        rows = con.execute("select tracking_id, count(*) from raw.webhook_events group by all order by 1").fetchall()
    assert stats.balanced and stats.lines_quarantined == 0
    assert rows == [("side-1", 1), ("side-2", 1)]
