"""Graph API plumbing shared by the handlers: the error envelope (reference §5.1) and field
selection (`fields=id,adset{promoted_object{pixel_id}}`). Node shapes live in `nodes.py`.
"""

from __future__ import annotations

from pipelines.simulator.node_fields import DOCUMENTED


class GraphError(Exception):
    """A Graph API error answered with the envelope of reference §5.1."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        type: str = "OAuthException",
        subcode: int | None = None,
        status: int = 400,
        is_transient: bool | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.type, self.subcode = code, message, type, subcode
        self.status, self.is_transient = status, is_transient
        self.user_title, self.user_msg = user_title, user_msg

    def envelope(self, trace_id: str) -> dict:
        error: dict = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.is_transient is not None:
            error["is_transient"] = self.is_transient
        if self.user_title is not None:
            error["error_user_title"] = self.user_title
            error["error_user_msg"] = self.user_msg or ""
        error["fbtrace_id"] = trace_id
        return {"error": error}


def not_found(object_id: str, method: str = "get") -> GraphError:
    return GraphError(
        100,
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation. Please read the Graph API documentation at "
        "https://developers.facebook.com/docs/graph-api",
        type="GraphMethodException",
        subcode=33,
    )


def no_permission(account_id: str) -> GraphError:
    return GraphError(
        200,
        f"(#200) Ad account owner has NOT grant ads_management or ads_read permission (act_{account_id})",
        type="OAuthException",
    )


# ---- field selection ------------------------------------------------------------------------


def parse_fields(spec: str | None) -> dict[str, dict | None]:
    """`id,campaign{name},adset{promoted_object{pixel_id}}` → {"id": None, "campaign": {"name": None}, ...}."""
    if not spec:
        return {}
    position = 0

    def parse_level() -> dict[str, dict | None]:
        nonlocal position
        fields: dict[str, dict | None] = {}
        name = ""
        while position < len(spec):
            char = spec[position]
            position += 1
            if char == ",":
                if name.strip():
                    fields.setdefault(name.strip(), None)
                name = ""
            elif char == "{":
                fields[name.strip()] = parse_level()
                name = ""
            elif char == "}":
                break
            else:
                name += char
        if name.strip():
            fields.setdefault(name.strip(), None)
        return fields

    return parse_level()


def project(obj: dict, fields: dict[str, dict | None], node_type: str, strict: bool = True) -> dict:
    """The requested subset of `obj`; unknown top-level fields are Meta's error 100."""
    out: dict = {}
    for name, sub in fields.items():
        if name not in obj:
            if strict and name not in OPTIONAL_FIELDS and name not in DOCUMENTED.get(node_type, ()):
                raise GraphError(100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})")
            continue
        value = obj[name]
        if isinstance(value, dict) and (sub or "id" in value):
            # A nested node without a field list comes as its id; a struct (promoted_object,
            # targeting) comes whole, as Graph answers them.
            value = project(value, sub or {}, node_type, strict=False)
        out[name] = value
    if "id" in obj and "id" not in out:
        out["id"] = obj["id"]  # Graph always appends the id of every object it returns
    return out


# Fields that exist on the node type but that this object may lack (absent end time, pixel, bid).
OPTIONAL_FIELDS = {"end_time", "stop_time", "pixel_id", "lifetime_budget", "daily_budget", "bid_amount",
                   "tracking_specs", "conversion_specs"}
