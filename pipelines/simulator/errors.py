"""The simulator's own errors: a message fit for the user and an exit code (the simulator shares no
code with the production client, so it does not reuse the CLI's error classes)."""

from __future__ import annotations


class SimulatorError(Exception):
    """An expected failure of a simulator command; exit code 1."""

    exit_code = 1


class SimulatorUsageError(SimulatorError):
    """Bad usage of a simulator command; exit code 2."""

    exit_code = 2
