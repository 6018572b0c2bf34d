"""Configuration: one typed settings object read from the environment and `.env`.

Every problem with a value becomes a `ConfigError` whose message is one line naming the variable,
so the CLI can print it and exit with code 2 without a traceback. Secrets are kept as
`SecretStr` so that a repr, a log line or Dagster metadata never shows them.
"""

from __future__ import annotations

import io
import os
import re
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, SecretStr

from pipelines.errors import UsageError
from pipelines.lake.config import LakeSettings, parse_lake_settings
from pipelines.numbers import digits_int

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v25.0"
DEFAULT_ATTRIBUTION_WINDOWS = ("7d_click", "1d_view")

# Windows Meta accepts today. `7d_view` and `28d_view` stopped being returned on Jan 12, 2026
# (reference §1.4); asking for them would silently produce zeros, so they are refused.
SUPPORTED_ATTRIBUTION_WINDOWS = ("1d_view", "1d_click", "7d_click", "28d_click", "1d_ev", "dda", "default")
DEPRECATED_ATTRIBUTION_WINDOWS = {
    "7d_view": "no longer returned by Meta since 2026-01-12",
    "28d_view": "no longer returned by Meta since 2026-01-12",
}

SNAPSHOT_IDENTIFIERS = ("pseudonymised", "clear")

# [0-9], not \d: \d also matches other scripts' digits ("act_١٢٣"), which Graph does not know.
_ACCOUNT_ID = re.compile(r"^(?:act_)?([0-9]{1,20})$")
_API_VERSION = re.compile(r"^v[0-9]{1,2}\.[0-9]$")


class ConfigError(UsageError):
    """A configuration value is missing or wrong; the message is one line for the user."""


SMTP_SECURITY = ("starttls", "ssl", "none")
# Port by security when MMLENS_SMTP_PORT is not set: submission (587) for STARTTLS and plain
# SMTP, submissions (465, implicit TLS) for ssl.
DEFAULT_SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 587}
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")


class MailSettings(BaseModel):
    """Where and how the daily report is mailed; present only when delivery is on."""

    model_config = ConfigDict(frozen=True)

    host: str
    port: int
    security: str
    user: str | None = None
    password: SecretStr | None = None
    sender: str
    recipients: tuple[str, ...]


class Settings(BaseModel):
    """mmlens configuration. Build it with `load_settings()`; see `.env.example`."""

    model_config = ConfigDict(frozen=True)

    access_token: SecretStr | None = None
    app_secret: SecretStr | None = None
    ad_account_ids: tuple[str, ...] = ()
    graph_url: str = DEFAULT_GRAPH_URL
    api_version: str = DEFAULT_API_VERSION
    webhook_verify_token: SecretStr | None = None
    home: Path = Path("var")
    lookback_days: int = 28
    attribution_windows: tuple[str, ...] = DEFAULT_ATTRIBUTION_WINDOWS
    # `pseudonymised`: PSIDs and subscription tokens in the analyst snapshot are keyed hashes and raw
    # text is left out; `clear`: the snapshot holds them as landed.
    snapshot_identifiers: str = "pseudonymised"
    mail: MailSettings | None = None  # None: the report is not mailed
    receiver_instance: str | None = None  # `webhooks serve --instance`'s default (webhooks/instance.py)
    lake: LakeSettings | None = None  # None: the DuckDB warehouse alone (pipelines/lake/config.py)

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def snapshot_path(self) -> Path:
        return self.home / "analytics.duckdb"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def require_for_run(self) -> None:
        """Raise ConfigError unless everything `mmlens run` needs is set."""
        if self.access_token is None:
            raise ConfigError("META_ACCESS_TOKEN: required for `mmlens run` (a system-user access token)")
        if not self.ad_account_ids:
            raise ConfigError("META_AD_ACCOUNT_IDS: required for `mmlens run` (comma-separated ad account ids)")

    def require_for_webhooks(self) -> None:
        """Raise ConfigError unless everything `mmlens webhooks serve` needs is set."""
        if self.app_secret is None:
            raise ConfigError("META_APP_SECRET: required for `mmlens webhooks serve` (it verifies signatures)")
        if self.webhook_verify_token is None:
            raise ConfigError("META_WEBHOOK_VERIFY_TOKEN: required for `mmlens webhooks serve`")


def parse_ad_account_ids(raw: str) -> tuple[str, ...]:
    """'act_1, 2' -> ('1', '2'): digits only, order kept, duplicates removed."""
    ids: list[str] = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        match = _ACCOUNT_ID.match(part)
        if match is None:
            raise ConfigError(f"META_AD_ACCOUNT_IDS: {part!r} is not an ad account id")
        if match.group(1) not in ids:
            ids.append(match.group(1))
    return tuple(ids)


def parse_attribution_windows(raw: str) -> tuple[str, ...]:
    windows = tuple(w.strip() for w in raw.split(",") if w.strip())
    if not windows:
        raise ConfigError("MMLENS_ATTRIBUTION_WINDOWS: empty; use for example 7d_click,1d_view")
    for window in windows:
        if window in DEPRECATED_ATTRIBUTION_WINDOWS:
            reason = DEPRECATED_ATTRIBUTION_WINDOWS[window]
            raise ConfigError(f"MMLENS_ATTRIBUTION_WINDOWS: {window!r} is deprecated ({reason})")
        if window not in SUPPORTED_ATTRIBUTION_WINDOWS:
            allowed = ", ".join(SUPPORTED_ATTRIBUTION_WINDOWS)
            raise ConfigError(f"MMLENS_ATTRIBUTION_WINDOWS: {window!r} is not a window ({allowed})")
    return windows


def _parse_int(name: str, raw: str, low: int, high: int) -> int:
    # ASCII digits only: `int()` also takes "1_0", "+5" and other scripts' digits.
    value = digits_int(raw.strip())
    if value is None:
        raise ConfigError(f"{name}: {raw!r} is not a whole number")
    if not low <= value <= high:
        raise ConfigError(f"{name}: {value} is out of range ({low} to {high})")
    return value


def _parse_url(name: str, raw: str) -> str:
    url = raw.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", url):
        raise ConfigError(f"{name}: {raw!r} is not an http(s) URL")
    return url


def _secret(raw: str | None) -> SecretStr | None:
    return SecretStr(raw.strip()) if raw and raw.strip() else None


def _read_env_file(env_file: Path) -> dict[str, str]:
    """The `.env` file's values; a file that cannot be read or is not UTF-8 is a ConfigError."""
    try:
        text = env_file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{env_file}: not UTF-8 text (undecodable byte at offset {error.start})") from None
    except OSError as error:
        raise ConfigError(f"{env_file}: cannot be read ({error.strerror or type(error).__name__})") from None
    return {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}


def _check_home(raw: str) -> Path:
    """MMLENS_HOME as a path; it (or, while it does not exist yet, its nearest existing parent)
    must be a directory, so that a file there is one line here rather than a failure mid-run."""
    home = Path(raw.strip())
    existing = next((p for p in (home, *home.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        where = "is" if existing == home else f"is under {existing}, which is"
        raise ConfigError(f"MMLENS_HOME: {raw.strip()!r} {where} not a directory")
    return home
def parse_addresses(name: str, raw: str) -> tuple[str, ...]:
    """'a@x.org, Ops <ops@x.org>' -> ('a@x.org', 'ops@x.org'): bare addresses, order kept."""
    found: list[str] = []
    for _, address in getaddresses([raw]):
        if not address:
            continue
        if not _ADDRESS.match(address):
            raise ConfigError(f"{name}: {address!r} is not an e-mail address")
        if address not in found:
            found.append(address)
    if not found:
        raise ConfigError(f"{name}: no e-mail address in {raw!r}")
    return tuple(found)


def _mail_settings(get) -> MailSettings | None:
    """The SMTP delivery settings, or None when neither a host nor recipients are set."""
    host, recipients = get("MMLENS_SMTP_HOST"), get("MMLENS_REPORT_TO")
    if host is None and recipients is None:
        return None
    if host is None:
        raise ConfigError("MMLENS_SMTP_HOST: required when MMLENS_REPORT_TO is set (the SMTP server to send through)")
    if recipients is None:
        raise ConfigError("MMLENS_REPORT_TO: required when MMLENS_SMTP_HOST is set (comma-separated addresses)")
    host = host.strip()
    security = (get("MMLENS_SMTP_SECURITY") or "starttls").strip().lower()
    if security not in SMTP_SECURITY:
        raise ConfigError(f"MMLENS_SMTP_SECURITY: {security!r} is not one of {', '.join(SMTP_SECURITY)}")
    raw_port = get("MMLENS_SMTP_PORT")
    port = DEFAULT_SMTP_PORTS[security] if raw_port is None else _parse_int("MMLENS_SMTP_PORT", raw_port, 1, 65535)
    user, password = get("MMLENS_SMTP_USER"), _secret(get("MMLENS_SMTP_PASSWORD"))
    if (user is None) != (password is None):
        missing = "MMLENS_SMTP_PASSWORD" if password is None else "MMLENS_SMTP_USER"
        raise ConfigError(f"{missing}: required when the other SMTP login variable is set")
    # A password over plain SMTP would cross the network readable; only a relay on this host may take it.
    if password is not None and security == "none" and host.lower() not in _LOOPBACK_HOSTS:
        raise ConfigError("MMLENS_SMTP_SECURITY: none sends the SMTP password unencrypted; use starttls or ssl")
    raw_sender = get("MMLENS_REPORT_FROM") or (user if user and "@" in user else None)
    if raw_sender is None:
        raise ConfigError("MMLENS_REPORT_FROM: required when MMLENS_SMTP_HOST is set (the sender's address)")
    sender = parse_addresses("MMLENS_REPORT_FROM", raw_sender)
    if len(sender) != 1:
        raise ConfigError("MMLENS_REPORT_FROM: give one address")
    return MailSettings(
        host=host, port=port, security=security, user=user.strip() if user else None, password=password,
        sender=sender[0], recipients=parse_addresses("MMLENS_REPORT_TO", recipients),
    )


def load_settings(environ: dict[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
    """Read settings from `environ` (default: the process environment) over the `.env` file."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update(_read_env_file(env_file))
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        raw = values.get(name)
        return raw if raw is not None and raw.strip() != "" else None

    kwargs: dict[str, Any] = {
        "access_token": _secret(get("META_ACCESS_TOKEN")),
        "app_secret": _secret(get("META_APP_SECRET")),
        "webhook_verify_token": _secret(get("META_WEBHOOK_VERIFY_TOKEN")),
    }
    if (raw := get("META_AD_ACCOUNT_IDS")) is not None:
        kwargs["ad_account_ids"] = parse_ad_account_ids(raw)
    if (raw := get("META_GRAPH_URL")) is not None:
        kwargs["graph_url"] = _parse_url("META_GRAPH_URL", raw)
    if (raw := get("META_API_VERSION")) is not None:
        if not _API_VERSION.match(raw.strip()):
            raise ConfigError(f"META_API_VERSION: {raw!r} is not a Graph API version like v25.0")
        kwargs["api_version"] = raw.strip()
    kwargs["home"] = _check_home(get("MMLENS_HOME") or str(Settings.model_fields["home"].default))
    if (raw := get("MMLENS_LOOKBACK_DAYS")) is not None:
        kwargs["lookback_days"] = _parse_int("MMLENS_LOOKBACK_DAYS", raw, 1, 90)
    if (raw := get("MMLENS_ATTRIBUTION_WINDOWS")) is not None:
        kwargs["attribution_windows"] = parse_attribution_windows(raw)
    if (raw := get("MMLENS_SNAPSHOT_IDENTIFIERS")) is not None:
        if raw.strip() not in SNAPSHOT_IDENTIFIERS:
            raise ConfigError(f"MMLENS_SNAPSHOT_IDENTIFIERS: {raw!r} is not one of {', '.join(SNAPSHOT_IDENTIFIERS)}")
        kwargs["snapshot_identifiers"] = raw.strip()
    kwargs["mail"] = _mail_settings(get)
    if (raw := get("MMLENS_RECEIVER_INSTANCE")) is not None:
        kwargs["receiver_instance"] = raw.strip()
    kwargs["lake"] = parse_lake_settings(get)
    return Settings(**kwargs)
