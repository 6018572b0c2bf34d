"""Send API rejections the simulator produces, with the codes and wording of Meta's changelog.

Source: reference §5.1 (envelope) and §5.6, changelog entries of Mar 16 (`remaining_seconds`),
Mar 19 (1893047), Mar 31 (2300069-2300079 as pacing/budget limits), Apr 10 (frequency caps)
and May 5, 2026 (2300028). Whether Meta puts an MM code in `code` or in `error_subcode` is
unknown, so both occur; `error_data` comes as an object or as a JSON-encoded string. The
frequency caps "return one of the following error codes: WEEKLY_MM_LOAD_CAP_REACHED, ..."
(changelog Apr 10, 2026): half of them carry that name as `code`, the others the number the
reference infers for it (2300042-44), with the name as `error_user_title`.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

FCAP_MESSAGE = "This recipient can't receive any more marketing messages at this time."
FREQUENCY_CAP_CODES = (2300042, 2300043, 2300044)
GENERIC_CODE = 100  # what a subcode-style rejection carries in `code`


@dataclass(frozen=True)
class SendError:
    code: int
    title: str | None
    message: str
    weight: int
    remaining_seconds: bool = False  # carries error_data.remaining_seconds


SEND_ERRORS = (
    SendError(2300042, "WEEKLY_MM_LOAD_CAP_REACHED", FCAP_MESSAGE, 14),
    SendError(2300043, "DAILY_MM_LOAD_CAP_REACHED", FCAP_MESSAGE, 10),
    SendError(2300044, "MIN_ORGANIC_THREAD_NOT_REACHED", FCAP_MESSAGE, 8),
    SendError(2300052, "RECIPIENT_UNAVAILABLE", "This person is not available right now.", 10),
    SendError(1893047, "RECIPIENT_NOT_AVAILABLE", "The recipient is not available to receive messages.", 6),
    SendError(2300035, None, "The minimum delay between marketing messages to this subscription token "
                             "has not been reached.", 8),
    SendError(2300053, None, "The campaign's lifetime budget has been reached.", 2),
    SendError(2300054, None, "The campaign's daily budget has been reached. Sending will resume tomorrow.", 4),
    SendError(2300069, None, "Campaign lifetime budget reached.", 1),
    SendError(2300070, None, "Campaign daily budget reached.", 2, remaining_seconds=True),
    SendError(2300071, None, "Pacing limit reached.", 4, remaining_seconds=True),
    SendError(2300072, None, "Account spend cap reached.", 1),
    SendError(2300073, None, "Account daily spending limit reached.", 1, remaining_seconds=True),
    SendError(2300074, None, "Prepay balance depleted.", 1),
    SendError(2300075, None, "Business stored balance depleted.", 1),
    SendError(2300076, None, "Daily spending limit reached.", 1, remaining_seconds=True),
    SendError(2300077, None, "Flex billing limit reached.", 1),
    SendError(2300078, None, "Brand extended credit limit reached.", 1),
    SendError(2300079, None, "Daily spending limit reached.", 1, remaining_seconds=True),
    SendError(2300028, None, "Campaign pacing information is not ready yet. Verify the ad account and "
                             "payment method, then retry after 1 hour.", 4, remaining_seconds=True),
    SendError(2300999, None, "An unexpected error occurred while sending the message.", 2),
)
WARM_UP = SendError(2300003, "INACTIVE_MESSAGE", "Message must be active. Wait at least 60 minutes after "
                                                 "creating the campaign before sending.", 0)
_WEIGHTS = [e.weight for e in SEND_ERRORS]

# Raw `error_message` texts of `marketing_message_delivery_failed` (the webhook has no code).
DELIVERY_FAILED_MESSAGES = (
    ("Unknown Error", 6),
    ("This person is not available right now.", 3),
    ("Message failed to send due to frequency capping.", 2),
    ("Message blocked: recipient opted out of marketing messages.", 1),
    ("Le message n’a pas pu être délivré", 1),  # localized text occurs; keep it verbatim
)
_FAILED_WEIGHTS = [w for _m, w in DELIVERY_FAILED_MESSAGES]


def pick_error(rng: random.Random) -> SendError:
    return rng.choices(SEND_ERRORS, weights=_WEIGHTS)[0]


def pick_failure_message(rng: random.Random) -> str:
    return rng.choices(DELIVERY_FAILED_MESSAGES, weights=_FAILED_WEIGHTS)[0][0]


def error_body(rng: random.Random, error: SendError) -> dict:
    """The Graph error envelope for a rejected send (reference §5.1)."""
    named = error.code in FREQUENCY_CAP_CODES and rng.random() < 0.5
    as_subcode = not named and rng.random() < 0.25
    code = error.title if named else GENERIC_CODE if as_subcode else error.code
    body: dict = {"message": f"(#{GENERIC_CODE}) {error.message}" if as_subcode else error.message,
                  "type": "OAuthException", "code": code}
    if as_subcode:
        body["error_subcode"] = error.code
    body["is_transient"] = error.remaining_seconds
    if error.title is not None:
        body["error_user_title"] = error.title
        body["error_user_msg"] = error.message
    if error.remaining_seconds:
        data = {"remaining_seconds": 3600 if error.code == 2300028 else rng.randint(60, 7200)}
        body["error_data"] = json.dumps(data) if rng.random() < 0.4 else data
    body["fbtrace_id"] = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", k=11))
    return {"error": body}
