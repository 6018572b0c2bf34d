"""Seeded random webhook lines for comparing the SQL lane with the Python parser.

Each line is a `changes` body of the common shape with a few mutations: a field set to a token
DuckDB's lenient JSON reader and orjson may read differently (fractions, exponents, integers
beyond 64 bits, NaN and Infinity in any case, booleans, objects, escapes, numeric strings), a field
removed, an unknown or Messenger key added, keys shuffled, whitespace between tokens, another
field name, `changes` that is not a list or is missing, a `messaging` list beside `changes`, a
stray trailing comma. Some 40 % of the lines land (about half of those through each lane), the
rest are quarantined. Two documented caveats of the SQL lane are left out: repeated keys, and
NaN, Infinity or out-of-range numbers outside the fields of an entry and its items.
"""

from __future__ import annotations

import json
import random

FIELDS = ("marketing_message_echoes", "marketing_message_deliveries", "marketing_message_reads",
          "marketing_message_clicks", "marketing_message_delivery_failed")
OTHER_FIELDS = ("messaging_postbacks", "messages", "")
VALUE_KEYS = ("page_id", "message_id", "recipient_id", "messenger_subscription_token",
              "marketing_message_tracking_id", "mid", "app_id", "business_id", "timestamp", "error_message")
ID_TOKENS = (
    "0", "1", "-1", "-0", "5", "-7", "123456789012345678", "9223372036854775807", "9223372036854775808",
    "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
    "1.0", "-0.0", "1e3", "1E3", "-1.5", "1.5e300", "1e400", "true", "false", "null",
    "NaN", "nan", "-nan", "-NAN", "Infinity", "-Infinity", "inf", "-Inf", "{}", "[]", '{"a":1}', "[1]",
    '""', '" "', '"0"', '"-0"', '"abc"', '"a\\"b"', '"\\u00e9"', '"é"', '"\\/x"', '"1764201600"', '"\\u0000"',
    '"\\n"', '" 12 "', '"12"', '"\\t"', '"m_\\ud83d\\ude00"', '"x\\u001fy"', '"1e3"', '"null"',
)
TIME_TOKENS = (
    "1764201600", "1764201600123", "1764201600123456", "1764201600123456789", "253402300799", "253402300800",
    "253402300799000", "253402300799001", "253402300799999", "0", "-1", "-0", "1764201600.0", "1764201600.5",
    "1.7642016e9", "1e20", "9223372036854775807", "9223372036854775808", "nan", "-Infinity", "null", "true", "{}",
    '"1764201600"', '"1764201600123"', '" 1764201600 "', '"1e9"', '"-5"', '"1764201600.5"', '"0"', '""',
    '"2026-01-01T00:00:00Z"',
)
EXTRA_KEYS = ("extra", "sender", "recipient", "field", "n", "ts", "payload")
MESSAGING = ("[]", "null", '[{"sender":{"id":"1"},"recipient":{"id":"2"},"timestamp":1764201600,"message":{"mid":"x"}}]',
             '[{"field":"marketing_message_reads","value":{"mid":"y","timestamp":1764201600}}]')
_SPACES = (" ", "\t", "  ", "\r ")


def mutated_lines(seed: int, count: int) -> list[bytes]:
    """`count` lines, the same for the same seed."""
    return _Maker(random.Random(seed)).lines(count)


class _Maker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def lines(self, count: int) -> list[bytes]:
        return [self.line() for _ in range(count)]

    def line(self) -> bytes:
        rng = self.rng
        entries = []
        for _ in range(rng.choice((1, 1, 1, 2))):
            pairs = [("id", rng.choice(('"140984918491243"', "140984918491243") * 8 + ID_TOKENS)),
                     ("time", rng.choice(("1764201600123",) * 8 + TIME_TOKENS))]
            items = [self.item() for _ in range(rng.choice((0, 1, 1, 2, 3)))]
            trailing = "," if rng.random() < 0.01 else ""
            changes = "[" + ",".join(items) + trailing + "]"
            if rng.random() < 0.03:
                changes = rng.choice(("null", "{}", '"x"', "5"))
            if rng.random() > 0.01:  # or no changes at all
                pairs.append(("changes", changes))
            if rng.random() < 0.03:
                pairs.append(("messaging", rng.choice(MESSAGING)))
            if rng.random() < 0.05:
                rng.shuffle(pairs)
            entries.append(self.object(pairs))
        return self.object([("object", '"page"'), ("entry", "[" + ",".join(entries) + "]")]).encode()

    def item(self) -> str:
        rng = self.rng
        field = rng.choice(FIELDS) if rng.random() < 0.9 else rng.choice(FIELDS + OTHER_FIELDS)
        pairs = [("field", json.dumps(field)), ("value", self.value())]
        roll = rng.random()
        if roll < 0.03:
            pairs = pairs[1:]  # no field
        elif roll < 0.06:
            pairs.reverse()
        elif roll < 0.08:
            pairs[1] = ("value", rng.choice(ID_TOKENS))
        return self.object(pairs)

    def value(self) -> str:
        rng = self.rng
        n = rng.randrange(10**6)
        pairs = [("recipient_id", str(7_000_000_000_000_000 + n)), ("page_id", "140984918491243"),
                 ("timestamp", str(1_764_201_600_000 + n)), ("mid", f'"mid.{n}"'),
                 ("marketing_message_tracking_id", f'"t-{n}"'),
                 ("messenger_subscription_token", f'"{10**15 + n}"'), ("message_id", '"124141414124"')]
        if rng.random() < 0.2:
            pairs.append(("error_message", json.dumps(rng.choice(("Failed", "", "x/y", "é")))))
        if rng.random() < 0.1:
            pairs.append(("app_id", "12313123123123"))
        if rng.random() < 0.1:
            pairs.append(("business_id", '"555"'))
        if rng.random() < 0.2:
            rng.shuffle(pairs)
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            roll = rng.random()
            if roll < 0.1:
                pairs = [(k, v) for k, v in pairs if k != "page_id"]  # the Page then comes from the entry id
            elif roll < 0.5:
                key = rng.choice(VALUE_KEYS)
                token = rng.choice(TIME_TOKENS if key == "timestamp" else ID_TOKENS)
                if any(k == key for k, _ in pairs):
                    pairs = [(k, token if k == key else v) for k, v in pairs]
                else:
                    pairs.append((key, token))
            elif roll < 0.7:
                if pairs:
                    pairs.pop(rng.randrange(len(pairs)))
            else:
                key = rng.choice(EXTRA_KEYS)
                if all(k != key for k, _ in pairs):
                    pairs.insert(rng.randrange(len(pairs) + 1), (key, rng.choice(ID_TOKENS + ('{"id":"1"}',))))
        return self.object(pairs)

    def object(self, pairs: list[tuple[str, str]]) -> str:
        """A JSON object of already-rendered values, with whitespace here and there."""
        s = self.space
        return "{" + s() + ("," + s()).join(f"{s()}{json.dumps(k)}{s()}:{s()}{v}{s()}" for k, v in pairs) + s() + "}"

    def space(self) -> str:
        return self.rng.choice(_SPACES) if self.rng.random() < 0.05 else ""
