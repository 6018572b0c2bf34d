"""The retry policy's backoff bounds, the run's call counts, and which HTTP answers without a Graph
error envelope are retried (meta-api.md §5)."""

import pytest

from pipelines.graph.errors import GraphError, GraphErrorInfo
from pipelines.graph.retry import CallStats, Retry, RetryPolicy, without_envelope


class Bounds:
    """A random source that answers each `uniform(low, high)` with its bounds, to read the policy."""

    def uniform(self, low, high):
        return (low, high)


@pytest.mark.parametrize(
    ("policy", "attempt", "bounds"),
    [
        (RetryPolicy(), 1, (0, 1.0)),
        (RetryPolicy(), 2, (0, 2.0)),
        (RetryPolicy(), 3, (0, 4.0)),
        (RetryPolicy(), 6, (0, 32.0)),
        (RetryPolicy(), 7, (0, 60.0)),  # 64 s capped at max_seconds
        (RetryPolicy(base_seconds=0.5, max_seconds=3.0), 3, (0, 2.0)),
        (RetryPolicy(base_seconds=0.5, max_seconds=3.0), 4, (0, 3.0)),
    ],
)
def test_delay_is_full_jitter_up_to_a_doubling_capped_bound(policy, attempt, bounds):
    assert policy.delay(attempt, Bounds()) == bounds


def test_call_stats_count_requests_and_retries_by_kind():
    stats = CallStats()
    stats.count()
    assert (stats.requests, stats.retries, stats.by_kind) == (1, 0, {})
    stats.count("throttled")
    stats.count("transient")
    stats.count("throttled")
    assert (stats.requests, stats.retries, stats.by_kind) == (4, 3, {"throttled": 2, "transient": 1})


def test_retry_carries_what_the_client_needs():
    plain = Retry("http_5xx")
    assert (plain.kind, plain.info, plain.regain_seconds, plain.detail, plain.connect) == ("http_5xx", None, 0.0, "", False)
    info = GraphErrorInfo(code=17, subcode=2446079, message="limit")
    full = Retry("throttled", info, 12.5, "act_1: limit", connect=True)
    assert (full.kind, full.info, full.regain_seconds, full.detail, full.connect) == ("throttled", info, 12.5, "act_1: limit", True)


@pytest.mark.parametrize(("status", "kind"), [(500, "http_5xx"), (503, "http_5xx"), (599, "http_5xx"), (408, "http_408"), (429, "http_429")])
def test_5xx_408_and_429_without_an_envelope_are_retried(status, kind):
    answer = without_envelope(status, "act_1")
    assert isinstance(answer, Retry) and answer.kind == kind


@pytest.mark.parametrize("status", [400, 404, 409, 499])
def test_other_statuses_without_an_envelope_fail_at_once(status):
    answer = without_envelope(status, "act_1")
    assert type(answer) is GraphError
    assert str(answer) == f"act_1: the Graph API answered HTTP {status} without a Graph error"
