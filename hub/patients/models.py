"""Patients and their medical information."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from hub.timeutil import utcnow

if TYPE_CHECKING:
    from hub.auth.models import User

SEXES = ("female", "male", "other")
BLOOD_GROUPS = ("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-")


class Patient(db.Model):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 14 digits, no dashes; the last is a Verhoeff check digit.
    health_id: Mapped[str] = mapped_column(String(14), unique=True)
    abha_number: Mapped[str | None] = mapped_column(String(14))
    #: The login of a self-registered patient; None for people registered by staff.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(120), index=True)
    date_of_birth: Mapped[date]
    sex: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(Text)
    area: Mapped[str | None] = mapped_column(String(120), index=True)
    guardian_name: Mapped[str | None] = mapped_column(String(120))
    #: The household (house number / family head) an ASHA keeps the record under.
    household: Mapped[str | None] = mapped_column(String(120))
    #: The ASHA worker who covers this patient (maintains the record, makes the visits).
    asha_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    blood_group: Mapped[str | None] = mapped_column(String(3))
    allergies: Mapped[str | None] = mapped_column(Text)
    chronic_conditions: Mapped[str | None] = mapped_column(Text)
    current_medicines: Mapped[str | None] = mapped_column(Text)
    emergency_contact_name: Mapped[str | None] = mapped_column(String(120))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    asha: Mapped[User | None] = relationship(foreign_keys=[asha_id])
