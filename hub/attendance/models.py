"""Attendance events from the kiosks, and admins' corrections."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import db
from hub.timeutil import utcnow


class AttendanceEvent(db.Model):
    __tablename__ = "attendance_events"
    __table_args__ = (Index("ix_attendance_events_user_captured", "user_id", "captured_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[str] = mapped_column(String(64), index=True)
    seq: Mapped[int]
    #: Capture time at the kiosk (naive UTC).
    captured_at: Mapped[datetime] = mapped_column(index=True)
    staff_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(4))
    score: Mapped[float]
    liveness: Mapped[float | None]
    model: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the canonical payload: a replayed id with other content is refused.
    payload_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttendanceCorrection(db.Model):
    """An admin's correction of one staff member's day, with the reason (audit-logged)."""

    __tablename__ = "attendance_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    first_in: Mapped[datetime | None]
    last_out: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime] = mapped_column(default=utcnow)
