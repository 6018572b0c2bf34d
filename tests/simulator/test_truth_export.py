"""Exports and ground truth: byte-identical for a seed, and the truth (computed from the generator's
knowledge) equals what an independent reading of the exported files gives, with the funnel
semantics of docs/architecture.md. Also the `truth`, `export` and `deliver` commands."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import threading
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.simulator import payloads as p
from pipelines.simulator.export import export
from pipelines.simulator.truth import to_json_ready, truth
from pipelines.simulator.world import World, WorldSize
from tests.simulator.test_events import items

TODAY = date(2026, 6, 1)
SINCE, UNTIL = date(2026, 5, 20), date(2026, 5, 24)
SIZE = WorldSize(accounts=3, campaigns_per_account=6, days=20, sends_per_campaign_day=40)
OPTIONS = ["--seed", "3", "--today", "2026-06-01", "--accounts", "3", "--campaigns", "6", "--days", "20",
           "--sends", "40"]

# Reference §5 (INFERRED): the numbers behind the frequency-cap names of the Apr 10, 2026 changelog.
CAP_NUMBERS = {"WEEKLY_MM_LOAD_CAP_REACHED": 2300042, "DAILY_MM_LOAD_CAP_REACHED": 2300043,
               "MIN_ORGANIC_THREAD_NOT_REACHED": 2300044}


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=3, size=SIZE, today=TODAY)


@pytest.fixture(scope="module")
def exported(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    export(world, home, SINCE, UNTIL)
    return home


def lines(folder: Path) -> list[bytes]:
    return [line for f in sorted(folder.glob("*.ndjson.gz")) for line in gzip.decompress(f.read_bytes()).splitlines()]


def seconds(value) -> float:
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if "-" in value else int(value)
    return value / 1000 if value > 10**11 else value


def utc_day(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).date().isoformat()


def reread(world: World, home: Path) -> dict:
    """The funnel, unattributed events, event counts and errors, from the files alone."""
    funnel: dict[tuple, Counter] = defaultdict(Counter)
    by_tracking: dict[str, tuple] = {}
    by_token: dict[tuple, list] = defaultdict(list)
    errors: Counter = Counter()
    for raw in lines(home / "exports" / "sends"):
        line = json.loads(raw)
        cid, ts = line["message_id"], seconds(line["ts"])
        key = (world.campaign(cid).page_id, cid, utc_day(ts))
        funnel[key]["attempted"] += 1
        response = line["response"]
        if response.get("success"):
            funnel[key]["accepted"] += 1
            send = (key, response["marketing_message_tracking_id"])
            by_tracking[send[1]] = send
            by_token[(cid, line["subscription_token"])].append((ts, send))
        else:
            error = response["error"]
            code = error["error_subcode"] if error["code"] == 100 else error["code"]
            code = CAP_NUMBERS.get(code, code)
            errors[(key[2], cid, "send_api", str(code))] += 1
    seen, kinds, unattributed = set(), Counter(), Counter()
    stage: dict[tuple, int] = {}
    failed: set[tuple] = set()
    received: dict[tuple, list] = defaultdict(list)  # (Page, PSID) -> (time, campaign) of echoes and deliveries
    tapped: list[tuple] = []
    for raw in lines(home / "exports" / "webhooks"):
        for field, value in items(json.loads(raw)):
            identity = json.dumps([field, value], sort_keys=True)
            if identity in seen:
                continue  # a redelivery
            seen.add(identity)
            cid = value.get("message_id")
            cid = None if cid is None else str(cid)
            kinds[(field, cid)] += 1
            if field in (p.ECHO, p.DELIVERY) and value.get("recipient_id"):
                received[(str(value["page_id"]), str(value["recipient_id"]))].append((seconds(value["timestamp"]), cid))
            if field in (p.POSTBACK, p.QUICK_REPLY):
                tapped.append((field, value))
            if field not in p.FUNNEL_KINDS:
                continue
            ts = seconds(value["timestamp"])
            if field == p.FAILED:
                errors[(utc_day(ts), cid, "delivery_failed_webhook", value["error_message"])] += 1
            send = by_tracking.get(value.get("marketing_message_tracking_id"))
            if send is None:
                earlier = [s for t, s in by_token.get((cid, value["messenger_subscription_token"]), []) if t <= ts]
                send = earlier[-1] if earlier else None
            if send is None:
                unattributed[(str(value["page_id"]), cid, utc_day(ts))] += 1
            elif field == p.FAILED:
                failed.add(send)
            elif field != p.ECHO:
                stage[send] = max(stage.get(send, 0), {p.DELIVERY: 1, p.READ: 2, p.CLICK: 3}[field])
    for send in by_tracking.values():
        counts, reached = funnel[send[0]], stage.get(send, 0)
        counts["delivered"] += reached >= 1
        counts["read"] += reached >= 2
        counts["clicked"] += reached >= 3
        counts["failed"] += reached == 0 and send in failed
    responses: Counter = Counter()
    for field, value in tapped:  # the campaign of the message the person last received, as of the tap
        page, ts = str(value["recipient"]["id"]), seconds(value["timestamp"])
        before = sorted(r for r in received.get((page, str(value["sender"].get("id"))), []) if r[0] <= ts)
        tap = (value["postback"]["title"], value["postback"]["payload"]) if field == p.POSTBACK else (
            value["message"]["text"], value["message"]["quick_reply"]["payload"])
        kind = "postback" if field == p.POSTBACK else "quick_reply"
        responses[(page, before[-1][1] if before else None, utc_day(ts), kind, *tap)] += 1
    return {"funnel": funnel, "unattributed": unattributed, "kinds": kinds, "errors": errors, "responses": responses}


def test_truth_equals_an_independent_reading_of_the_exports(world: World, exported: Path) -> None:
    expected = truth(world, SINCE, UNTIL)
    found = reread(world, exported)
    columns = ("attempted", "accepted", "rejected", "delivered", "read", "clicked", "failed")
    assert {(r["page_id"], r["message_campaign_id"], r["date"]): {c: r[c] for c in columns if c != "rejected" and r[c]}
            for r in expected["funnel"]} == {k: {c: n for c, n in v.items() if n} for k, v in found["funnel"].items()}
    for row in expected["funnel"]:
        assert row["attempted"] == row["accepted"] + row["rejected"] and row["sent"] == row["accepted"]
    assert {(r["page_id"], r["message_campaign_id"], r["date"]): r["events"]
            for r in expected["unattributed_events"]} == dict(found["unattributed"])
    assert {(r["event_type"], r["message_campaign_id"]): r["events"]
            for r in expected["webhook_events"]} == dict(found["kinds"])
    assert {(r["date"], r["message_campaign_id"], r["source"], r["error_code"]): r["occurrences"]
            for r in expected["errors"]} == dict(found["errors"])
    assert expected["unattributed_events"] and any(r["failed"] for r in expected["funnel"])
    assert {(r["page_id"], r["message_campaign_id"], r["date"], r["kind"], r["title"], r["payload"]): r["responses"]
            for r in expected["responses"]} == dict(found["responses"])
    kinds = {(r["kind"], r["message_campaign_id"] is None) for r in expected["responses"]}
    assert kinds == {("postback", False), ("postback", True), ("quick_reply", False), ("quick_reply", True)}


def test_truth_campaign_days_are_the_worlds(world: World) -> None:
    expected = truth(world, SINCE, UNTIL)
    for row in expected["campaign_days"]:
        day = world.campaign_day(row["message_campaign_id"], date.fromisoformat(row["date"]))
        assert (row["spend"], row["delivered"], row["insights_delivered"], row["link_clicks"]) == (
            day.spend, day.delivered, day.insights_delivered, day.link_clicks)
    conversions = [r for r in expected["conversions"] if r["attribution_window"] == "default"]
    assert conversions and all(r["conversions"] > 0 for r in conversions)


def test_exports_are_sealed_dated_gzip_files(exported: Path) -> None:
    for kind in ("webhooks", "sends"):
        names = sorted(f.name for f in (exported / "exports" / kind).iterdir())
        assert names == [f"sim-2026-05-{d}.ndjson.gz" for d in range(20, 25)]
    assert all(line.isascii() for line in lines(exported / "exports" / "webhooks"))


def test_same_seed_gives_byte_identical_exports_and_truth(tmp_path: Path, exported: Path) -> None:
    export(World(seed=3, size=SIZE, today=TODAY), tmp_path, SINCE, UNTIL)
    for kind in ("webhooks", "sends"):
        for original in (exported / "exports" / kind).iterdir():
            assert (tmp_path / "exports" / kind / original.name).read_bytes() == original.read_bytes()
    args = ["simulator", "truth", "--since", "2026-05-20", "--until", "2026-05-21", *OPTIONS]
    assert main([*args, "--out", "one.json"]) == 0 and main([*args, "--out", "two.json"]) == 0
    assert Path("one.json").read_bytes() == Path("two.json").read_bytes()
    assert main([*args[:-10], "--seed", "4", *OPTIONS[2:], "--out", "three.json"]) == 0
    assert Path("three.json").read_bytes() != Path("one.json").read_bytes()
    document = json.loads(Path("one.json").read_text())
    assert isinstance(document["campaign_days"][0]["spend"], str)


def test_split_ranges_write_the_same_files(world: World, tmp_path: Path, exported: Path) -> None:
    export(world, tmp_path, SINCE, date(2026, 5, 21))
    export(world, tmp_path, date(2026, 5, 22), UNTIL)
    for original in (exported / "exports" / "webhooks").iterdir():
        assert (tmp_path / "exports" / "webhooks" / original.name).read_bytes() == original.read_bytes()


def test_export_command_writes_into_mmlens_home(home: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["simulator", "export", "--since", "2026-05-23", "--until", "2026-05-23", *OPTIONS]) == 0
    assert (home / "exports" / "sends" / "sim-2026-05-23.ndjson.gz").is_file()
    assert "webhook POSTs" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["--since", "2026-05-24", "--until", "2026-05-20"],
                                  ["--since", "yesterday", "--until", "2026-05-20"],
                                  ["--since", "2026-05-20", "--until", "2026-05-20", "--today", "june"]])
def test_bad_ranges_are_usage_errors(args: list[str]) -> None:
    assert main(["simulator", "truth", *args]) == 2


class _Receiver(BaseHTTPRequestHandler):
    secret = b"s3cret"
    bodies: list[bytes] = []
    refuse_first = 0

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        good = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        if _Receiver.refuse_first > 0:
            _Receiver.refuse_first -= 1
            self.send_response(503)
        elif hmac.compare_digest(good, self.headers.get("X-Hub-Signature-256", "")):
            _Receiver.bodies.append(body)
            self.send_response(200)
        else:
            self.send_response(403)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver():
    _Receiver.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks"
    server.shutdown()
    server.server_close()


def test_deliver_posts_the_exported_bodies_signed(receiver: str, home: Path, monkeypatch) -> None:
    day = ["--since", "2026-05-22", "--until", "2026-05-22", *OPTIONS]
    _Receiver.refuse_first = 2  # retried like Meta retries
    monkeypatch.setenv("META_APP_SECRET", "s3cret")
    assert main(["simulator", "deliver", "--to", receiver, *day]) == 0
    assert main(["simulator", "export", *day]) == 0
    assert _Receiver.bodies == lines(home / "exports" / "webhooks")
    assert any(b"\\u" in body for body in _Receiver.bodies)  # non-ASCII travels escaped


def test_deliver_with_a_wrong_secret_fails_and_without_one_is_refused(receiver: str) -> None:
    day = ["--since", "2026-05-22", "--until", "2026-05-22", *OPTIONS]
    assert main(["simulator", "deliver", "--to", receiver, "--app-secret", "wrong", *day]) == 1
    assert main(["simulator", "deliver", "--to", receiver, *day]) == 2
    assert _Receiver.bodies == []


def test_truth_json_is_ready_for_dumping(world: World) -> None:
    text = json.dumps(to_json_ready(truth(world, SINCE, SINCE)), sort_keys=True)
    assert '"spend": "' in text


def test_nothing_is_posted_after_the_worlds_now(tmp_path: Path) -> None:
    """Exporting up to today stops at "now" (noon UTC), and the truth stops with it."""
    world = World(seed=3, size=SIZE, today=UNTIL)
    export(world, tmp_path, UNTIL - timedelta(days=1), UNTIL)
    now = world.now.timestamp()
    stamps = [seconds(value["timestamp"]) for raw in lines(tmp_path / "exports" / "webhooks")
              for _field, value in items(json.loads(raw)) if "timestamp" in value]
    assert stamps and max(stamps) <= now
    expected = truth(world, UNTIL - timedelta(days=1), UNTIL)
    found = reread(world, tmp_path)
    assert {(r["event_type"], r["message_campaign_id"]): r["events"]
            for r in expected["webhook_events"]} == dict(found["kinds"])
    assert sum(r["delivered"] for r in expected["funnel"]) == sum(c["delivered"] for c in found["funnel"].values())


def test_deliver_to_nobody_is_a_one_line_failure(capsys: pytest.CaptureFixture) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    day = ["--since", "2026-05-22", "--until", "2026-05-22", *OPTIONS]
    assert main(["simulator", "deliver", "--to", f"http://127.0.0.1:{port}/webhooks", "--app-secret", "s3cr3t-key",
                 *day]) == 1
    error = capsys.readouterr().err
    assert "cannot reach" in error and "s3cr3t-key" not in error and error.count("\n") == 1
