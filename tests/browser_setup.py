"""Make sure Debian's Chromium and the fonts the report needs are present for the browser tests.

Installs what is missing when this machine can (root with apt-get, as on CI): the `chromium`
package and the fonts that draw campaign names as a user's desktop would, Japanese, Chinese and
Korean (Noto CJK) and colour emoji (Noto Color Emoji); without them Chromium draws those names as
empty boxes and the browser test could not see what a user sees. Elsewhere it only prints how to
install them; the browser test then fails with that line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

FONT_PACKAGES = ("fonts-dejavu-core", "fonts-noto-cjk", "fonts-noto-color-emoji")
HOW_TO = (
    "install Debian's chromium and fonts (sudo apt-get install -y chromium " + " ".join(FONT_PACKAGES) + ")"
    " or set MMLENS_CHROMIUM to a Chromium binary"
)


def find_chromium() -> str | None:
    configured = os.environ.get("MMLENS_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def missing_fonts() -> list[str]:
    """The font packages dpkg does not list as installed ([] where there is no dpkg to ask)."""
    if shutil.which("dpkg-query") is None:
        return []
    missing = []
    for package in FONT_PACKAGES:
        done = subprocess.run(["dpkg-query", "-W", "-f", "${db:Status-Status}", package],
                              capture_output=True, text=True, check=False)
        if done.stdout.strip() != "installed":
            missing.append(package)
    return missing


def main() -> int:
    wanted = ([] if find_chromium() else ["chromium"]) + missing_fonts()
    if not wanted:
        return 0
    can_install = shutil.which("apt-get") is not None and hasattr(os, "geteuid") and os.geteuid() == 0
    if not can_install:
        print(f"browser tests need {', '.join(wanted)}: {HOW_TO}", file=sys.stderr)
        return 0
    print(f"installing {' '.join(wanted)} for the browser tests ...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *wanted], check=True, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
