"""Consultations and prescriptions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from hub.timeutil import utcnow

if TYPE_CHECKING:
    from hub.auth.models import User
    from hub.patients.models import Patient
    from hub.pharmacy.models import Medicine

PENDING, PARTIAL, DISPENSED, CANCELLED = "pending", "partial", "dispensed", "cancelled"
OPEN_STATUSES = (PENDING, PARTIAL)
STATUSES = (PENDING, PARTIAL, DISPENSED, CANCELLED)


class Consultation(db.Model):
    __tablename__ = "consultations"
    __table_args__ = (Index("ix_consultations_patient_at", "patient_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    complaint: Mapped[str] = mapped_column(Text)
    findings: Mapped[str | None] = mapped_column(Text)
    diagnosis: Mapped[str] = mapped_column(String(200))
    icd10: Mapped[str | None] = mapped_column(String(8))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    doctor: Mapped[User | None] = relationship()


class Prescription(db.Model):
    __tablename__ = "prescriptions"
    __table_args__ = (
        Index("ix_prescriptions_status", "status"),
        Index("ix_prescriptions_patient_at", "patient_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL")
    )
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    #: Warnings the doctor saw and prescribed over (allergy, duplicate), for the record.
    warnings: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    patient: Mapped[Patient] = relationship(lazy="joined")
    doctor: Mapped[User | None] = relationship()
    items: Mapped[list[PrescriptionItem]] = relationship(
        back_populates="prescription", order_by="PrescriptionItem.id", lazy="selectin"
    )


class PrescriptionItem(db.Model):
    __tablename__ = "prescription_items"
    __table_args__ = (
        CheckConstraint("dispensed >= 0 AND dispensed <= quantity", name="dispensed_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prescription_id: Mapped[int] = mapped_column(
        ForeignKey("prescriptions.id", ondelete="CASCADE"), index=True
    )
    medicine_id: Mapped[int] = mapped_column(ForeignKey("medicines.id", ondelete="RESTRICT"))
    dose: Mapped[str] = mapped_column(String(60))
    frequency: Mapped[str] = mapped_column(String(60))
    days: Mapped[int]
    quantity: Mapped[int]
    instructions: Mapped[str | None] = mapped_column(String(300))
    dispensed: Mapped[int] = mapped_column(default=0)

    prescription: Mapped[Prescription] = relationship(back_populates="items")
    medicine: Mapped[Medicine] = relationship(lazy="joined")

    @property
    def remaining(self) -> int:
        return self.quantity - self.dispensed
