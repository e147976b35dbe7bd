"""Child growth measurements with their WHO z-scores (computed when recorded)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import db
from hub.timeutil import utcnow


class GrowthMeasurement(db.Model):
    __tablename__ = "growth_measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    measured_on: Mapped[date]
    age_days: Mapped[int]
    weight_kg: Mapped[float | None]
    height_cm: Mapped[float | None]
    #: Length (lying, under 2 years) or height (standing).
    measured_lying: Mapped[bool | None]
    head_circumference_cm: Mapped[float | None]
    muac_cm: Mapped[float | None]
    waz: Mapped[float | None]
    haz: Mapped[float | None]
    whz: Mapped[float | None]
    baz: Mapped[float | None]
    hcz: Mapped[float | None]
    #: Comma-separated flags, e.g. "severely_underweight,moderately_stunted".
    flags: Mapped[str] = mapped_column(String(200), default="")
    #: The worst level among the flags: "" (none), "moderate", "severe".
    severity: Mapped[str] = mapped_column(String(10), default="", index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
