"""Make sure Debian's Chromium is present for the browser tests.

Installs the `chromium` package when it is missing and this machine can (root with apt-get, as on
CI). Elsewhere it only prints how to install it; the browser test then fails with that line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

HOW_TO = "install Debian's chromium (sudo apt-get install -y chromium) or set MMLENS_CHROMIUM to a Chromium binary"


def find_chromium() -> str | None:
    configured = os.environ.get("MMLENS_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def main() -> int:
    if find_chromium():
        return 0
    can_install = shutil.which("apt-get") is not None and hasattr(os, "geteuid") and os.geteuid() == 0
    if not can_install:
        print(f"browser tests need Chromium: {HOW_TO}", file=sys.stderr)
        return 0
    print("installing Debian's chromium for the browser tests ...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"],
        check=True,
        env=env,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
