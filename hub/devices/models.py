"""The device registry and the ingest's rejection counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import db
from hub.timeutil import utcnow

ACTIVE, REVOKED = "active", "revoked"


class Device(db.Model):
    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64), unique=True)
    site_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str | None] = mapped_column(String(120))
    #: Ed25519 public key, raw, base64url; ``key_id`` is what envelopes name as ``kid``.
    public_key: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # from the retained status / LWT
    state: Mapped[str] = mapped_column(String(16), default="unknown")
    last_seen_at: Mapped[datetime | None]
    last_status_at: Mapped[datetime | None]
    version: Mapped[str | None] = mapped_column(String(40))
    outbox_depth: Mapped[int | None]
    fps: Mapped[float | None]
    last_event_at: Mapped[datetime | None]
    model: Mapped[str | None] = mapped_column(String(64))
    gallery_version: Mapped[int | None]
    offline_alerted_at: Mapped[datetime | None]


class IngestRejection(db.Model):
    """How many messages were refused, per device (None: unknown) and reason."""

    __tablename__ = "ingest_rejections"
    __table_args__ = (UniqueConstraint("device_key", "reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The device id from the topic, or "" when the topic named none.
    device_key: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_detail: Mapped[str | None] = mapped_column(Text)


class QuarantinedEvent(db.Model):
    """An authentic event (valid signature, active device) that could not be recorded, e.g.
    an unknown staff id. Kept, so nothing a kiosk decided is lost, and acked."""

    __tablename__ = "quarantined_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
