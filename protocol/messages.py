"""Message schemas (pydantic, strict: unknown fields and wrong types are refused)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

MAX_ATTENDANCE_BYTES = 4 * 1024
MAX_STATUS_BYTES = 4 * 1024
MAX_GALLERY_BYTES = 16 * 1024 * 1024

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
ModelId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]


def format_ts(when: datetime) -> str:
    """UTC ISO-8601 with milliseconds and a ``Z``: ``2026-12-03T09:15:02.123Z``."""
    when = when.astimezone(UTC) if when.tzinfo else when
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def parse_ts(text: str) -> datetime:
    """Parse a timestamp written by ``format_ts`` into an aware UTC datetime."""
    if len(text) != 24 or text[-1] != "Z" or text[10] != "T" or text[19] != ".":
        raise ValueError("timestamp must look like 2026-12-03T09:15:02.123Z")
    # fromisoformat is ~50x faster than strptime; the shape was checked above
    return datetime.fromisoformat(text)


class ProtocolError(ValueError):
    """A message that breaks the contract; ``reason`` is a short code the hub counts."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Envelope(_Strict):
    payload: dict[str, Any]
    sig: Annotated[str, StringConstraints(min_length=40, max_length=200)]
    kid: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]


class _Timestamped(_Strict):
    ts: str

    @field_validator("ts")
    @classmethod
    def _ts(cls, value: str) -> str:
        parse_ts(value)
        return value


class AttendancePayload(_Timestamped):
    """One decided attendance event. ``score`` is the match confidence in [0, 1]."""

    v: Literal[1]
    type: Literal["attendance"]
    #: a lower-case canonical UUID
    event_id: Annotated[
        str,
        StringConstraints(
            pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
        ),
    ]
    device_id: Id
    seq: int = Field(ge=1)
    staff_id: Id
    direction: Literal["in", "out", "auto"]
    score: float = Field(ge=0.0, le=1.0)
    liveness: float | None = Field(ge=0.0, le=1.0)
    model: ModelId


class StatusPayload(_Timestamped):
    """A kiosk's heartbeat (retained); the LWT carries the same with state ``offline``."""

    v: Literal[1]
    type: Literal["status"]
    device_id: Id
    state: Literal["online", "offline", "degraded"]
    version: Annotated[str, StringConstraints(max_length=40)]
    outbox_depth: int = Field(ge=0)
    fps: float = Field(ge=0.0)
    last_event_ts: str | None
    model: ModelId | None = None
    gallery_version: int | None = None


class GalleryPerson(_Strict):
    staff_id: Id
    name: Annotated[str, StringConstraints(max_length=120)]
    #: Each template: base64url of little-endian float32 values (``dim`` of them).
    embeddings: list[str] = Field(min_length=1, max_length=20)


class GalleryPayload(_Timestamped):
    """A site's face gallery for one model, signed by the hub."""

    v: Literal[1]
    type: Literal["gallery"]
    site_id: Id
    model: ModelId
    version: int = Field(ge=1)
    dim: int = Field(ge=16, le=4096)
    people: list[GalleryPerson]


class AckPayload(_Strict):
    """The hub's acknowledgement of committed events (not signed: only the hub may
    publish on ``ack`` topics, by the broker's ACL)."""

    acked: list[str]


def decode_envelope(raw: bytes, max_bytes: int) -> Envelope:
    """Parse raw MQTT bytes into an envelope, or raise ``ProtocolError``."""
    if len(raw) > max_bytes:
        raise ProtocolError("oversized", f"{len(raw)} bytes > {max_bytes}")
    try:
        # pydantic parses the JSON itself (in Rust): cheaper than json.loads + validate
        return Envelope.model_validate_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise ProtocolError("bad_json", _short(exc)) from None
        raise ProtocolError("bad_schema", _short(exc)) from None


def validate_payload(model: type[_Strict], payload: dict[str, Any]) -> Any:
    """Validate a verified payload against its schema, or raise ``ProtocolError``."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise ProtocolError("bad_schema", _short(exc)) from None


def _short(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()]
    return "; ".join(parts)[:300]
