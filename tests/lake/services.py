"""PostgreSQL and an S3-compatible endpoint, started for real on loopback for the lake tests.

PostgreSQL comes from Debian's packages (`.ci/run` installs them): `initdb` and `pg_ctl` from
/usr/lib/postgresql/<version>/bin, run as the unprivileged `nobody` when the tests run as root
(PostgreSQL refuses to run as root), with its data and socket in a temporary folder and a free
loopback port. The S3 endpoint is moto's threaded server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

PG_USER = "mmlens"
PG_PASSWORD = "lake-test-password"  # a throwaway cluster on loopback, gone with the test run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (`.ci/run` does)")
    return found[-1].parent


def _as_service_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "nobody", "--", *command]


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    """A fresh cluster; yields its SQLAlchemy URL. Stopped (fast mode) and removed afterwards.

    Its folder is made directly under the system's temporary folder: pytest's own are private to
    the user running the tests, which the service user could not enter."""
    bin_dir, port = postgres_bin(), free_port()
    folder = Path(tempfile.mkdtemp(prefix="mmlens-lake-pg-"))
    data, password_file = folder / "data", folder / "password"
    password_file.write_text(PG_PASSWORD + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody")
        shutil.chown(password_file, "nobody")
    subprocess.run(_as_service_user([str(bin_dir / "initdb"), "-D", str(data), "-U", PG_USER, "--auth=scram-sha-256",
                                     f"--pwfile={password_file}", "-E", "UTF8", "--no-sync"]),
                   check=True, capture_output=True, timeout=120)
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} -c fsync=off"
    subprocess.run(_as_service_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
                                     "-w", "-t", "60", "start"]), check=True, capture_output=True, timeout=90)
    try:
        yield f"postgresql://{PG_USER}:{PG_PASSWORD}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_service_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def running_moto() -> Iterator[str]:
    """moto's S3 on a free loopback port; yields the endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
