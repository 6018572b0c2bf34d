"""Receivers side by side: where one receiver instance journals.

Several receivers behind one load balancer each write their own folder and name their files after
themselves, so no two ever append to one file and a file's name says which receiver wrote it:
instance `a` journals to `exports/webhooks/a/webhooks-a-<hour>-<ns>.ndjson`. Ingestion reads every
sealed file under `exports/webhooks/`, subfolders included, and deduplicates by event key, so an
event Meta redelivered to another receiver lands once. Without an instance a receiver journals to
`exports/webhooks/` itself, as a single receiver always has. The folder lock (`storage.py`) refuses a
second receiver started with the same instance on the same folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.errors import UsageError

# Safe as a folder name and a file-name part on every file system and object store; not hidden.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")


def journal_place(webhooks_dir: Path, instance: str | None, source: str = "--instance") -> tuple[Path, str]:
    """(folder, file-name prefix) of the receiver `instance` (None: the single receiver); `source`
    names where the instance came from in the error for a bad name."""
    if instance is None:
        return webhooks_dir, "webhooks"
    if not _NAME.fullmatch(instance):
        raise UsageError(f"{source}: {instance!r} is not 1 to 63 letters, digits, '-' or '_', starting with a letter or digit")
    return webhooks_dir / instance, f"webhooks-{instance}"
