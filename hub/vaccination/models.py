"""Vaccination beneficiaries and the doses they were given."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from hub.timeutil import utcnow

if TYPE_CHECKING:
    from hub.patients.models import Patient


class Beneficiary(db.Model):
    """A person registered for vaccination: a child (by date of birth) or a pregnancy."""

    __tablename__ = "vaccination_beneficiaries"
    __table_args__ = (Index("ix_vaccination_beneficiaries_group_active", "group", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    #: "child" or "pregnancy" (a woman may be registered for each pregnancy).
    group: Mapped[str] = mapped_column(String(10))
    #: The schedule's anchor: the date of birth, or the day the pregnancy was registered.
    anchor_on: Mapped[date]
    edd: Mapped[date | None]
    #: Pregnancy: "primary" (Td-1, Td-2) or "booster" (one dose, after two in a
    #: pregnancy within the last 3 years). None for a child.
    track: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    #: One bit per dose given (the schedule's ``bit``): a copy of the immunizations kept in
    #: the same transaction, so coverage reads one row per child, not every dose.
    given_mask: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)

    patient: Mapped[Patient] = relationship(lazy="joined")


class Immunization(db.Model):
    """One dose given (the record is never rewritten; a wrong entry is voided by an admin)."""

    __tablename__ = "immunizations"
    __table_args__ = (
        UniqueConstraint("beneficiary_id", "dose", name="uq_immunizations_beneficiary_dose"),
        Index("ix_immunizations_dose_given", "dose", "given_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("vaccination_beneficiaries.id", ondelete="CASCADE")
    )
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    vaccine: Mapped[str] = mapped_column(String(40))
    dose: Mapped[str] = mapped_column(String(20))
    given_on: Mapped[date]
    batch: Mapped[str] = mapped_column(String(40))
    #: Where: the centre, a sub-centre or the outreach session site.
    site: Mapped[str] = mapped_column(String(120))
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
