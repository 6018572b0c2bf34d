"""Control characters become visible escapes; ordinary text, including non-Latin scripts, is untouched."""

from __future__ import annotations

import json

import pytest

from pipelines.visible_text import escape, json_escape


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Ünïcødé 🎉 [bold]x[/bold]", "Ünïcødé 🎉 [bold]x[/bold]"),
        ("a\x1b[31mb", "a\\x1b[31mb"),
        ("line\nnext\r\tend", "line\\nnext\\r\\tend"),
        ("\x00\x07\x7f", "\\x00\\x07\\x7f"),
        ("csi\x9bJ", "csi\\x9bJ"),
        ("abc\u202edcba\u2066x\u2069", "abc\\u202edcba\\u2066x\\u2069"),
        ("back\\slash", "back\\slash"),
    ],
)
def test_escape(text: str, shown: str) -> None:
    assert escape(text) == shown


def test_escape_can_keep_line_breaks_for_table_cells() -> None:
    assert escape("a\n\x1bb\r\n", keep_newlines=True) == "a\n\\x1bb\\r\n"


def test_json_escape_keeps_the_value() -> None:
    text = json.dumps({"k": "x\x7f\x9b\u202e"}, ensure_ascii=False)
    assert json_escape(text) == '{"k": "x\\u007f\\u009b\\u202e"}'
    assert json.loads(json_escape(text)) == {"k": "x\x7f\x9b\u202e"}
