"""Step retries for the steps that can meet a transient fault: the Graph pulls.

The client already retries each throttled or failing call (`pipelines/graph/client.py`); a step
retry starts the whole pull again minutes later, for a fault that outlasted those retries (an
outage, async report runs that keep failing). A usage or configuration error (a rejected token,
a missing permission, a deprecated attribution window) never gets better by waiting, and neither,
as a rule, does a Graph URL that takes no connection after the client's own attempts (a wrong
META_GRAPH_URL, no network): both end the step at once, so `mmlens run` says so in seconds."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TypeVar

import dagster as dg

from pipelines.errors import UsageError
from pipelines.graph.errors import GraphUnreachableError

FINAL_ERRORS = (UsageError, GraphUnreachableError)

GRAPH_RETRY = dg.RetryPolicy(max_retries=2, delay=120, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)

F = TypeVar("F", bound=Callable)


def usage_errors_are_final(fn: F) -> F:
    """Wrap an asset function so that a FINAL_ERRORS error ends the step without retries (its class
    and message stay in the error chain for the CLI); every other error may be retried."""

    def final(error: Exception) -> dg.Failure:
        return dg.Failure(description=str(error), allow_retries=False)

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except FINAL_ERRORS as error:
                raise final(error) from error

        return generator  # type: ignore[return-value]

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FINAL_ERRORS as error:
            raise final(error) from error

    return call  # type: ignore[return-value]
