"""Error classification follows the reference's tables; anything unlisted is permanent."""

import pytest

from pipelines.graph.errors import (
    GraphAuthError,
    GraphError,
    GraphErrorInfo,
    GraphPermissionError,
    Kind,
    ReduceDataError,
    UnknownAccountError,
    as_int,
    classify,
    clean_message,
    error_for,
    parse_error,
    redact,
)


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


@pytest.mark.parametrize(
    ("code", "subcode", "message", "transient", "kind"),
    [
        (199, None, "", False, Kind.PERMANENT),
        (300, None, "", False, Kind.PERMANENT),
        (803, 5, "", False, Kind.UNKNOWN_OBJECT),  # 803 whatever its subcode
        (100, 34, "", False, Kind.PERMANENT),
        (2, 1504038, "", False, Kind.REDUCE_DATA),
        (2, 1504042, "", False, Kind.PERMANENT),
        (2, 1504044, "", False, Kind.TRANSIENT),
        (2, 1504041, "", True, Kind.PERMANENT),  # a permanent pair stays permanent when flagged transient
        (17, None, "", True, Kind.THROTTLED),
        (368, None, "PLEASE REDUCE THE AMOUNT OF DATA", False, Kind.REDUCE_DATA),
        (190, None, "reduce the amount of data", False, Kind.AUTH),
    ],
)
def test_classify_edges_and_precedence(code, subcode, message, transient, kind):
    assert classify(GraphErrorInfo(code, subcode, message, transient)) is kind


@pytest.mark.parametrize(("code", "subcode", "text"), [(None, None, "code ?"), (4, None, "code 4"), (100, 33, "code 100/33"),
                                                       (None, 7, "code ?/7")])
def test_describe(code, subcode, text):
    assert GraphErrorInfo(code, subcode, "").describe() == text


@pytest.mark.parametrize(
    ("text", "secrets", "redacted"),
    [
        ("u?access_token=abc&after=x", (), "u?access_token=[redacted]&after=x"),
        ("u?ACCESS_TOKEN=abc def", (), "u?ACCESS_TOKEN=[redacted] def"),
        ('{"url": "u?appsecret_proof=f00d"}', (), '{"url": "u?appsecret_proof=[redacted]"}'),
        ("Authorization: bearer abc.def xyz", (), "Authorization: bearer [redacted] xyz"),
        ("s3cret twice s3cret", ("", None, "s3cret"), "[redacted] twice [redacted]"),
        ("nothing here", ("", None), "nothing here"),
    ],
)
def test_redact_word_for_word(text, secrets, redacted):
    assert redact(text, *secrets) == redacted


def test_clean_message_redacts_joins_lines_and_cuts():
    assert clean_message("a\n\t b  c") == "a b c"
    assert clean_message("x" * 301) == "x" * 300
    assert clean_message("tok " + "y" * 400, ("tok",)) == "[redacted] " + "y" * 289


@pytest.mark.parametrize(
    ("value", "read"),
    [(5, 5), (-5, -5), ("-12", -12), (" 7 ", 7), ("--7", None), ("- 7", None), ("-", None), ("", None), (1.5, None),
     (None, None), (False, None), ([1], None)],
)
def test_as_int(value, read):
    assert as_int(value) == read


def test_parse_error_reads_the_envelope():
    body = {"error": {"code": 100, "error_subcode": 33, "message": "m", "error_user_msg": "shown to users tok",
                      "is_transient": True}}
    assert parse_error(body, 400, ("tok",)) == GraphErrorInfo(100, 33, "shown to users [redacted]", True, 400)
    assert parse_error({"error": {"code": 1, "message": "m", "is_transient": "true"}}) == GraphErrorInfo(1, None, "m", False, None)
    assert parse_error({"error": {"message": 5}}) == GraphErrorInfo(None, None, "5")
    assert parse_error({"error": {}}) == GraphErrorInfo(None, None, "")
    assert parse_error({"error": "boom"}) is None


@pytest.mark.parametrize(
    ("code", "subcode", "cls", "message"),
    [
        (190, None, GraphAuthError, "act_1: access token rejected (code 190): text [redacted]"),
        (10, None, GraphPermissionError, "act_1: missing permission (code 10): text [redacted]"),
        (100, 33, UnknownAccountError, "act_1: unknown or inaccessible object (code 100/33): text [redacted]"),
        (100, 1487534, ReduceDataError, "act_1: Meta asked for less data (code 100/1487534): text [redacted]"),
        (368, None, GraphError, "act_1: Graph API error (code 368): text [redacted]"),
    ],
)
def test_error_for_each_kind(code, subcode, cls, message):
    info = GraphErrorInfo(code, subcode, "text s3")
    error = error_for(info, "1", ("s3",))
    assert type(error) is cls and str(error) == message and error.info is info
    assert str(error_for(info, None, ("s3",))) == message.replace("act_1", "Graph API")
