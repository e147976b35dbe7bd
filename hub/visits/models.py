"""Home visits and the plans that generate them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from hub.timeutil import utcnow

if TYPE_CHECKING:
    from hub.auth.models import User
    from hub.patients.models import Patient

KINDS = {
    "antenatal": "Antenatal",
    "postnatal": "Postnatal / newborn",
    "bedridden": "Bedridden / palliative",
}
SCHEDULED, DONE, MISSED, RESCHEDULED, CANCELLED = (
    "scheduled",
    "done",
    "missed",
    "rescheduled",
    "cancelled",
)
STATUSES = (SCHEDULED, DONE, MISSED, RESCHEDULED, CANCELLED)


class VisitPlan(db.Model):
    """A pregnancy (antenatal contacts from the EDD), a delivery (postnatal visits) or a
    recurring plan for a bedridden patient (every N days)."""

    __tablename__ = "visit_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    asha_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    edd: Mapped[date | None]
    delivered_on: Mapped[date | None]
    every_days: Mapped[int | None]
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    #: Recurring plans: visits exist up to this day; the morning job extends it.
    planned_until: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Visit(db.Model):
    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_asha_date", "asha_id", "scheduled_on"),
        Index("ix_visits_status_date", "status", "scheduled_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("visit_plans.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    #: e.g. "ANC 2 (14-26 weeks)", "PNC day 7"
    purpose: Mapped[str] = mapped_column(String(120))
    scheduled_on: Mapped[date]
    asha_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default=SCHEDULED)
    #: Set by the morning job when a scheduled visit's day has passed.
    overdue: Mapped[bool] = mapped_column(default=False)
    visited_on: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)
    missed_reason: Mapped[str | None] = mapped_column(String(200))
    bp_systolic: Mapped[int | None]
    bp_diastolic: Mapped[int | None]
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    hb_g_dl: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    temperature_c: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    rescheduled_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL")
    )
    scheduled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    patient: Mapped[Patient] = relationship(lazy="joined")
    asha: Mapped[User | None] = relationship(foreign_keys=[asha_id], lazy="joined")
