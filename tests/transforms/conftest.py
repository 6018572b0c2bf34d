"""Each test reads the error catalogue afresh, so that every test that uses it depends on it (a
catalogue cached by an earlier test would hide what this test's own lookups need)."""

from __future__ import annotations

import pytest

from pipelines.transforms.error_codes import load_catalogue


@pytest.fixture(autouse=True)
def fresh_catalogue():
    load_catalogue.cache_clear()
    yield
    load_catalogue.cache_clear()
