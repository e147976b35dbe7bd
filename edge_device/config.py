"""The kiosk's configuration: one pydantic tree read from a TOML file.

Unknown keys are errors (a typo must not silently fall back to a default). Secrets are
never in the file: they are files of their own (mode 0600) or environment variables.
Validate with ``smartcare-kiosk --validate-config kiosk.toml``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MqttConfig(_Section):
    url: str = Field(
        "mqtt://127.0.0.1:1883", description="mqtt://host:port or mqtts://user@host:port (TLS)"
    )
    username: str | None = Field(None, description="Broker user; default: the device id")
    password_file: Path | None = Field(
        None, description="File holding the broker password (or SMARTCARE_KIOSK_MQTT_PASSWORD)"
    )
    ca_file: Path | None = Field(None, description="CA certificate that signed the broker's")
    cert_file: Path | None = Field(None, description="Client certificate (optional)")
    key_file: Path | None = Field(None, description="Client certificate's key (optional)")
    protocol: Literal["v5", "v311"] = Field("v5", description="MQTT protocol version")
    keepalive: int = Field(30, ge=5, le=600, description="Keep-alive, seconds")
    resend_after_s: float = Field(
        10.0, gt=0, description="Re-send an event the hub has not acked after this long"
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("mqtt://", "mqtts://")):
            raise ValueError("must start with mqtt:// or mqtts://")
        return value

    @model_validator(mode="after")
    def _cert_pair(self) -> MqttConfig:
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("cert_file and key_file go together")
        return self

    def password(self) -> str | None:
        env = os.environ.get("SMARTCARE_KIOSK_MQTT_PASSWORD")
        if env:
            return env
        if self.password_file is not None:
            return self.password_file.read_text().strip()
        return None


class KeysConfig(_Section):
    device_key_file: Path = Field(description="This device's Ed25519 private key (PEM, 0600)")
    hub_public_key_file: Path = Field(
        description="The hub's Ed25519 public key (PEM): galleries must be signed by it"
    )


class StorageConfig(_Section):
    data_dir: Path = Field(
        Path("/var/lib/smartcare-kiosk"), description="Outbox database and the last good gallery"
    )


class RecognitionConfig(_Section):
    backend: Literal["dlib", "insightface"] = Field("dlib", description="Face backend")
    model_dir: Path | None = Field(None, description="InsightFace model pack directory")
    detector: Literal["hog", "cnn"] = Field("hog", description="dlib detector")
    detect_width: int = Field(
        480,
        ge=160,
        le=1920,
        description="Frames wider than this are shrunk for detection (640x480 -> 480x360)",
    )
    threshold: float | None = Field(None, gt=0, description="Match threshold; default per model")
    min_face_px: int = Field(60, ge=20, description="Smallest face (pixels) worth embedding")
    min_sharpness: float = Field(25.0, ge=0, description="Laplacian variance of the aligned crop")
    crops_per_decision: int = Field(3, ge=1, le=10, description="Crops embedded per decision")
    agreement: int = Field(
        2, ge=1, le=10, description="Crops that must name the same person to decide"
    )
    max_crops_per_track: int = Field(
        6, ge=1, le=30, description="Give up on a track after this many crops"
    )
    cooldown_s: float = Field(300.0, ge=0, description="No second event for a person within")
    track_timeout_s: float = Field(1.0, gt=0, description="A track unseen this long has ended")
    wait_for_gallery_s: float = Field(
        15.0, ge=0, description="At start without a stored gallery, wait this long for the hub's"
    )
    embed_in_process: bool = Field(
        False, description="Embed in the main process (tests); default a worker process"
    )

    @model_validator(mode="after")
    def _agreement(self) -> RecognitionConfig:
        if self.agreement > self.crops_per_decision:
            raise ValueError("agreement cannot exceed crops_per_decision")
        if self.crops_per_decision > self.max_crops_per_track:
            raise ValueError("crops_per_decision cannot exceed max_crops_per_track")
        if self.backend == "insightface" and self.model_dir is None:
            raise ValueError("the insightface backend needs model_dir")
        return self


class LivenessConfig(_Section):
    enabled: bool = Field(True, description="Refuse still images (photos, phone screens)")
    min_score: float = Field(0.5, ge=0, le=1, description="Lowest passing liveness score")
    min_frames: int = Field(
        20,
        ge=3,
        le=30,
        description="Frames of a track the check needs (calibrated at 20, see "
        "bench/liveness_calibrate.py)",
    )


class HeartbeatConfig(_Section):
    interval_s: float = Field(30.0, ge=1, description="Signed status every this many seconds")


class KioskConfig(_Section):
    device_id: str = Field(pattern=ID_PATTERN, description="The provisioned device id")
    site_id: str = Field(pattern=ID_PATTERN, description="The centre this kiosk stands in")
    direction: Literal["in", "out", "auto"] = Field(
        "auto", description="in/out for a door kiosk; auto lets the hub pair them"
    )
    source: str = Field("cv:0", description="Default frame source (see --source)")
    mqtt: MqttConfig = Field(default_factory=MqttConfig)
    keys: KeysConfig
    storage: StorageConfig = Field(default_factory=StorageConfig)
    recognition: RecognitionConfig = Field(default_factory=RecognitionConfig)
    liveness: LivenessConfig = Field(default_factory=LivenessConfig)
    heartbeat: HeartbeatConfig = Field(default_factory=HeartbeatConfig)

    def resolve_paths(self, base: Path) -> KioskConfig:
        """Make relative paths relative to the config file's folder."""

        def fix(path: Path | None) -> Path | None:
            return None if path is None or path.is_absolute() else base / path

        data = self.model_copy(deep=True)
        for section, names in (
            (data.mqtt, ("password_file", "ca_file", "cert_file", "key_file")),
            (data.keys, ("device_key_file", "hub_public_key_file")),
            (data.storage, ("data_dir",)),
            (data.recognition, ("model_dir",)),
        ):
            for name in names:
                value = getattr(section, name)
                if value is not None and not value.is_absolute():
                    setattr(section, name, fix(value))
        return data


class ConfigError(Exception):
    """A config file that cannot be used; ``str()`` is readable, one problem per line."""


def load_config(path: str | Path) -> KioskConfig:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        config = KioskConfig.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path}: {exc.error_count()} problem(s)"]
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key (check the spelling)"
            lines.append(f"  {where}: {msg}")
        raise ConfigError("\n".join(lines)) from None
    return config.resolve_paths(path.resolve().parent)
