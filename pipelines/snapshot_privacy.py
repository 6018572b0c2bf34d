"""The key behind the analyst snapshot's pseudonyms, kept in `MMLENS_HOME/.snapshot_key`.

One random 256-bit key per home, made on the first publish and readable by its owner only. It never
changes by itself, so a PSID or subscription token has the same pseudonym in every table and every
snapshot; removing the file makes a new key and, from the next publish, new pseudonyms.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from pipelines.errors import MmlensError

KEY_FILE = ".snapshot_key"
_KEY = re.compile(r"[0-9a-f]{64}")


def pseudonym_key(home: Path) -> str:
    """The home's key as 64 hex digits, created (mode 0600) when there is none yet."""
    path = home / KEY_FILE
    home.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        text = path.read_text(encoding="ascii", errors="replace").strip()
        if not _KEY.fullmatch(text):
            raise MmlensError(f"{KEY_FILE} is not a 64-digit hex key; remove it to make a new one") from None
        return text
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
