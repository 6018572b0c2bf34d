"""What the deployment on several machines needs beside PostgreSQL (tests/lake/services.py), started
for real on loopback: Redis from Debian's packages (`.ci/run` installs `redis-server`) as the Celery
broker, a fresh PostgreSQL database per test, and Dagster's instance settings of `deploy/dagster.yaml`
with the variables that fill them."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

from tests.lake.services import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_CONFIG = ROOT / "deploy" / "dagster.yaml"


def _answers_ping(port: int) -> bool:
    """Whether a Redis server on loopback `port` answers PING (its inline protocol)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def running_redis() -> Iterator[str]:
    """redis-server on a free loopback port, nothing saved to disk; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("Redis is not installed: apt-get install redis-server (`.ci/run` does)")
    port, folder = free_port(), Path(tempfile.mkdtemp(prefix="mmlens-redis-"))
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not _answers_ping(port):
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"redis-server on port {port} did not answer PING (exit code {server.poll()})")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(postgres_url: str) -> str:
    """A new, empty database in the cluster at `postgres_url`; returns its name."""
    name = f"dagster_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg2://", 1),
                              isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as con:
            con.execute(sa.text(f'create database "{name}"'))
    finally:
        engine.dispose()
    return name


def storage_env(postgres_url: str, database: str) -> dict[str, str]:
    """The MMLENS_DAGSTER_PG_* variables `deploy/dagster.yaml` reads, for `database` in that cluster."""
    url = urlsplit(postgres_url)
    assert url.hostname and url.port and url.username and url.password
    return {"MMLENS_DAGSTER_PG_HOST": url.hostname, "MMLENS_DAGSTER_PG_PORT": str(url.port),
            "MMLENS_DAGSTER_PG_USER": url.username, "MMLENS_DAGSTER_PG_PASSWORD": url.password,
            "MMLENS_DAGSTER_PG_DB": database}


def machine_env(root: Path, env: dict[str, str]) -> dict[str, str]:
    """One machine's environment: its own MMLENS_HOME at `root` and DAGSTER_HOME in it holding
    `deploy/dagster.yaml`, the settings every machine shares in `env`, nothing of the caller's."""
    (root / "dagster").mkdir(parents=True)
    shutil.copy(DEPLOY_CONFIG, root / "dagster" / "dagster.yaml")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("META_", "MMLENS_", "DAGSTER_", "CELERY_"))}
    return {**base, **env, "MMLENS_HOME": str(root), "DAGSTER_HOME": str(root / "dagster")}


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`command` in the repository, its output to `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (Celery and dagster-daemon shut down on it), SIGKILL after a minute."""
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


def descendants(pid: int) -> set[int]:
    """`pid` and every live process below it, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent and child not in found]
        found.update(children)
        frontier.extend(children)
    return found
