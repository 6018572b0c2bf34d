"""Text from data made safe for a terminal: control characters become visible escapes.

Covers C0 controls, DEL, C1 controls (some terminals read U+009B as an escape sequence) and the
bidirectional embeddings, overrides and isolates, which can make text read differently than it is.
Backslashes are left alone, so an escape in the output cannot be told from the same characters typed
in the data; the JSON output of `mmlens sql` is the exact form.
"""

from __future__ import annotations

import re

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every unsafe character written as `\\n`, `\\r`, `\\t`, `\\xNN` or `\\uNNNN`.

    `keep_newlines` leaves line feeds as they are, for a bordered table cell where a line break
    stays inside its cell (an EXPLAIN plan stays readable) and changes no terminal state.
    """
    if keep_newlines:
        return "\n".join(UNSAFE.sub(_escaped, line) for line in text.split("\n"))
    return UNSAFE.sub(_escaped, text)


def json_escape(text: str) -> str:
    """JSON text with the unsafe characters json.dumps leaves raw written as `\\uNNNN` (same value)."""
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
