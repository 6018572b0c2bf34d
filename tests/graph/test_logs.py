"""The credential filter on the HTTP libraries' loggers, record by record, and its installation
(done once when the client is imported, so it is called again here)."""

import logging

import pytest

from pipelines.graph.logs import _FILTER, HTTP_LOGGERS, RedactCredentials, redact_http_logs


def _record(msg: str, args: tuple) -> logging.LogRecord:
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, msg, args, None)


def test_a_record_s_text_is_redacted_and_the_record_kept():
    record = _record("HTTP Request: %s %s", ("GET", "https://graph.test/v25.0/me?appsecret_proof=abc123&limit=2"))
    assert RedactCredentials().filter(record) is True
    assert record.getMessage() == "HTTP Request: GET https://graph.test/v25.0/me?appsecret_proof=[redacted]&limit=2"
    assert record.args is None


def test_a_record_whose_arguments_do_not_fit_is_redacted_from_its_format_string():
    record = _record("send_request_headers access_token=EAAB123 %s %s", ("only one",))
    assert RedactCredentials().filter(record) is True
    assert record.getMessage() == "send_request_headers access_token=[redacted] %s %s"


@pytest.fixture
def bare_loggers():
    """The HTTP loggers without the filter, put back as they were afterwards."""
    loggers = [logging.getLogger(name) for name in HTTP_LOGGERS]
    had = [_FILTER in logger.filters for logger in loggers]
    for logger in loggers:
        logger.removeFilter(_FILTER)
    yield loggers
    for logger, present in zip(loggers, had, strict=True):
        logger.removeFilter(_FILTER)
        if present:
            logger.addFilter(_FILTER)


def test_the_filter_is_installed_once_on_every_http_logger(bare_loggers):
    redact_http_logs()
    redact_http_logs()
    for logger in bare_loggers:
        assert logger.filters.count(_FILTER) == 1, logger.name
    assert logging.getLogger().filters.count(_FILTER) == 0
