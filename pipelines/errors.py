"""Errors the CLI turns into one line and an exit code (2: usage or configuration, 1: anything else)."""

from __future__ import annotations


class MmlensError(Exception):
    """An expected failure with a message fit for the user; exit code 1."""

    exit_code = 1


class UsageError(MmlensError):
    """Bad usage, configuration or credentials; exit code 2."""

    exit_code = 2
