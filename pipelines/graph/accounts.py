"""Ad account nodes (`GET act_<id>`): currency, its minor-unit offset, and the time zone.

Grain: one `AdAccount` per configured ad account. Meta expresses budgets and estimate costs in
the currency's minor unit; the offset comes from Meta's currency table (`pipelines.currencies`,
shared with the report), where a handful of currencies have no minor unit (offset 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pipelines.currencies import currency_offset
from pipelines.graph.client import GraphClient
from pipelines.graph.dates import zone
from pipelines.graph.errors import GraphError, UnknownAccountError, redact
from pipelines.graph.insights import to_decimal, to_id
from pipelines.numbers import digits_int

ACCOUNT_FIELDS = "id,account_id,name,currency,timezone_name,account_status"


@dataclass(frozen=True)
class AdAccount:
    ad_account_id: str  # digits only, without act_
    account_name: str | None
    currency: str
    currency_offset: int
    timezone_name: str
    account_status: int | None


def minor_to_units(value: object, offset: int, what: str) -> Decimal | None:
    """A minor-unit amount ("1500" cents) in currency units (Decimal("15.00"))."""
    amount = to_decimal(value, what)
    return None if amount is None else amount / Decimal(offset)


def fetch_account(client: GraphClient, account_id: str) -> AdAccount:
    """The account node; an id Meta does not know or show this token is a usage error."""
    try:
        node = client.get(f"act_{account_id}", {"fields": ACCOUNT_FIELDS}, account=account_id)
    except GraphError as error:
        # On the account node itself, "invalid parameter" (100) means the id is wrong.
        if error.info is not None and error.info.code == 100:
            text = redact(error.info.message, *client.secrets)
            raise UnknownAccountError(f"act_{account_id}: unknown ad account (code 100): {text}", error.info) from None
        raise
    if not isinstance(node, dict):
        raise GraphError(f"act_{account_id}: the account node is not an object")
    currency = node.get("currency")
    timezone_name = node.get("timezone_name")
    if not isinstance(currency, str) or not isinstance(timezone_name, str):
        raise GraphError(f"act_{account_id}: the account node lacks currency or timezone_name")
    zone(timezone_name)
    status = node.get("account_status")
    return AdAccount(
        ad_account_id=to_id(node.get("account_id", account_id), f"act_{account_id} account_id").removeprefix("act_"),
        account_name=node.get("name") if isinstance(node.get("name"), str) else None,
        currency=currency.upper(),
        currency_offset=currency_offset(currency),
        timezone_name=timezone_name,
        account_status=digits_int(str(status)) if isinstance(status, int | str) else None,
    )
