"""Error classification follows the reference's tables; anything unlisted is permanent."""

import pytest

from pipelines.graph.errors import GraphErrorInfo, Kind, classify, parse_error, redact


@pytest.mark.parametrize(
    ("code", "subcode", "message", "transient", "kind"),
    [
        (190, 460, "", False, Kind.AUTH),
        (102, None, "", False, Kind.AUTH),
        (10, None, "", False, Kind.PERMISSION),
        (200, None, "", False, Kind.PERMISSION),
        (299, None, "", False, Kind.PERMISSION),
        (100, 3191001, "", False, Kind.PERMISSION),
        (100, 33, "", False, Kind.UNKNOWN_OBJECT),
        (803, None, "", False, Kind.UNKNOWN_OBJECT),
        (4, None, "", False, Kind.THROTTLED),
        (17, 2446079, "", False, Kind.THROTTLED),
        (613, 1487742, "", False, Kind.THROTTLED),
        (80000, 2446079, "", False, Kind.THROTTLED),
        (80014, None, "", False, Kind.THROTTLED),
        (4, 1504022, "", False, Kind.THROTTLED),
        (1, None, "", False, Kind.TRANSIENT),
        (2, None, "", False, Kind.TRANSIENT),
        (2, 1504043, "", False, Kind.TRANSIENT),
        (-2, 2490547, "", False, Kind.TRANSIENT),
        (2, 1504041, "", False, Kind.PERMANENT),
        (100, 1487534, "", False, Kind.REDUCE_DATA),
        (100, 1504018, "", False, Kind.REDUCE_DATA),
        (-3, 1504045, "", False, Kind.REDUCE_DATA),
        (1, 99, "Please reduce the amount of data you're asking for, then retry your request", False, Kind.REDUCE_DATA),
        (100, None, "Invalid parameter", False, Kind.PERMANENT),
        (368, None, "", False, Kind.PERMANENT),
        (999, None, "", True, Kind.TRANSIENT),
        (None, None, "", False, Kind.PERMANENT),
    ],
)
def test_classify(code, subcode, message, transient, kind):
    """Every row of §1.8 / §5.2 / §5.3 that decides retry vs fail, plus the unknown default."""
    assert classify(GraphErrorInfo(code, subcode, message, transient)) is kind


def test_parse_error_accepts_string_codes_and_ignores_success_bodies():
    info = parse_error({"error": {"code": "190", "error_subcode": "463", "message": "expired\n  token"}})
    assert (info.code, info.subcode, info.message) == (190, 463, "expired token")
    assert parse_error({"data": []}) is None
    assert parse_error("not a dict") is None


@pytest.mark.parametrize(("code", "read"), [(" -4 ", -4), ("٣", None), ("²", None), ("9" * 5000, None), (True, None)])
def test_error_codes_are_read_from_ascii_digits_only(code, read):
    """A code Meta (or a proxy) writes oddly is unknown, not a crash: int() refuses over 4300 digits."""
    assert parse_error({"error": {"code": code, "message": "x"}}).code == read


@pytest.mark.parametrize(
    ("text", "known_secret"),
    [
        ("https://graph.test/v25.0/1/insights?access_token=SECRETVALUE&after=x", None),
        ("Authorization: Bearer SECRETVALUE", None),
        ("the token SECRETVALUE leaked", "SECRETVALUE"),
    ],
)
def test_redact_removes_tokens(text, known_secret):
    """Token-shaped parts go even when the secret is not known; known secrets go anywhere."""
    assert "SECRETVALUE" not in redact(text, known_secret)
