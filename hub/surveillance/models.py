"""Disease cases, weekly counts, outbreak alerts and generated reports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import db
from hub.timeutil import utcnow

ALERT_STATUSES = ("new", "investigating", "confirmed", "discarded", "closed")


class DiseaseCase(db.Model):
    """One reported case (``count`` > 1: several cases with the same details)."""

    __tablename__ = "disease_cases"
    __table_args__ = (Index("ix_disease_cases_condition_onset", "condition", "onset_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form: Mapped[str] = mapped_column(String(1))
    condition: Mapped[str] = mapped_column(String(40))
    area: Mapped[str] = mapped_column(String(120), index=True)
    onset_date: Mapped[date]
    age_years: Mapped[int | None]
    sex: Mapped[str | None] = mapped_column(String(10))
    health_id: Mapped[str | None] = mapped_column(String(14))
    lab_test: Mapped[str | None] = mapped_column(String(120))
    lab_result: Mapped[str | None] = mapped_column(String(120))
    count: Mapped[int] = mapped_column(default=1)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)


class WeeklyCount(db.Model):
    """Bulk entry: a week's count for one condition in one area (weeks start on Monday)."""

    __tablename__ = "weekly_counts"
    __table_args__ = (UniqueConstraint("form", "condition", "area", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form: Mapped[str] = mapped_column(String(1))
    condition: Mapped[str] = mapped_column(String(40))
    area: Mapped[str] = mapped_column(String(120))
    week_start: Mapped[date]
    count: Mapped[int]
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutbreakAlert(db.Model):
    __tablename__ = "outbreak_alerts"
    __table_args__ = (UniqueConstraint("condition", "area", "day", "method"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    condition: Mapped[str] = mapped_column(String(40))
    area: Mapped[str] = mapped_column(String(120))
    day: Mapped[date]
    #: C1, C2, C3 or "threshold"
    method: Mapped[str] = mapped_column(String(12))
    value: Mapped[float]
    threshold: Mapped[float]
    cases: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AlertNote(db.Model):
    __tablename__ = "alert_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("outbreak_alerts.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status_from: Mapped[str] = mapped_column(String(16))
    status_to: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class GeneratedReport(db.Model):
    """A report file made on schedule or on demand, kept for download."""

    __tablename__ = "generated_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    period: Mapped[str] = mapped_column(String(16))
    area: Mapped[str | None] = mapped_column(String(120))
    format: Mapped[str] = mapped_column(String(4))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
