"""Hub configuration: one pydantic-settings model read from ``SMARTCARE_*`` variables.

Validated once at start; a bad value stops the hub with a readable message.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class HubSettings(BaseSettings):
    """Settings of the hub. Every field can be set as ``SMARTCARE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="SMARTCARE_", extra="ignore")

    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default SQLite file under the instance folder. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/db",
    )
    secret_key: str | None = Field(
        None,
        description="Flask secret key. When unset, one is generated once and kept in "
        "instance/secret_key (mode 0600), never in the repository.",
    )
    upload_dir: Path | None = Field(
        None, description="Where uploaded files are kept; default instance/uploads"
    )
    mqtt_url: str | None = Field(
        None,
        description="mqtt:// or mqtts://user:pass@host:port. Unset: `smartcare-hub run` "
        "starts an embedded broker on a loopback port of its own.",
    )
    face_backend: str = Field("dlib", description="Face backend for enrolment: dlib or insightface")
    max_upload_mb: int = Field(10, ge=1, le=100, description="Largest accepted upload, in MB")
    login_max_failures: int = Field(
        5, ge=1, description="Failed logins per account within the window before 429"
    )
    login_window_minutes: int = Field(15, ge=1, description="Window of the login rate limit")
    auto_approve_patients: bool = Field(
        False,
        description="When false, self-registered patients wait for an admin's approval "
        "before they can log in.",
    )
    cookie_secure: bool = Field(
        False, description="Send the session cookie over HTTPS only (set true behind TLS)"
    )
    token_days: int = Field(30, ge=1, description="Lifetime of an API bearer token, in days")
    argon2_time_cost: int = Field(3, ge=1, le=20, description="argon2id iterations")
    argon2_memory_kib: int = Field(
        65536, ge=1024, description="argon2id memory per hash, KiB (default 64 MiB)"
    )
    site_id: str = Field("phc-main", description="This centre's site id (kiosks, galleries)")
    timezone: str = Field("Asia/Kolkata", description="The centre's time zone (attendance days)")
    shift_start: str = Field("09:00", pattern=r"^\d{2}:\d{2}$", description="Shift start, local")
    shift_end: str = Field("17:00", pattern=r"^\d{2}:\d{2}$", description="Shift end, local")
    late_grace_minutes: int = Field(
        10, ge=0, description="Arrivals later than start + grace are late"
    )
    hub_key_file: Path | None = Field(
        None,
        description="The hub's Ed25519 signing key (PEM); default instance/hub_signing_key.pem, "
        "generated on first use",
    )
    max_clock_skew_s: int = Field(
        300, ge=0, description="Events stamped further in the future than this are refused"
    )
    mqtt_client_id: str | None = Field(
        None,
        description="Ingest's MQTT client id (its persistent session); default "
        "smartcare-hub-ingest-<hostname>. Each ingest process needs its own.",
    )
    mqtt_password_file: Path | None = Field(
        None, description="File holding the hub's broker password (instead of in the URL)"
    )
    mqtt_shared: bool = Field(
        False,
        description="Subscribe through the MQTT v5 shared "
        "subscription $share/hub/... (several ingest processes)",
    )
    mqtt_protocol: Literal["v5", "v311"] = Field("v5", description="MQTT protocol version")
    mqtt_ca_file: Path | None = Field(None, description="CA certificate for mqtts://")
    mqtt_cert_file: Path | None = Field(None, description="Client certificate for mqtts://")
    mqtt_key_file: Path | None = Field(None, description="Client key for mqtts://")
    device_offline_minutes: int = Field(
        15, ge=1, description="Alert when a kiosk has been offline this long"
    )
    je_endemic: bool = Field(
        False, description="The centre's area is JE-endemic: JE-1/JE-2 join the schedule"
    )
    visit_horizon_days: int = Field(
        90, ge=7, description="Recurring home-visit plans are scheduled this far ahead"
    )

    @field_validator("timezone")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("mqtt_url")
    @classmethod
    def _check_mqtt_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("mqtt://", "mqtts://")):
            raise ValueError("must start with mqtt:// or mqtts://")
        return value

    @field_validator("face_backend")
    @classmethod
    def _check_backend(cls, value: str) -> str:
        if value not in ("dlib", "insightface"):
            raise ValueError("must be 'dlib' or 'insightface'")
        return value


def load_secret_key(instance_path: Path) -> str:
    """Read the generated secret key, creating it (mode 0600) on first use."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key
