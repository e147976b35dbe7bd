"""Request bodies of the API (pydantic); their JSON Schemas go into the OpenAPI document."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from hub.feedback.models import KINDS, STATUSES

Sex = Literal["female", "male", "other"]
FeedbackKind = Literal[KINDS]  # type: ignore[valid-type]
FeedbackStatus = Literal[STATUSES]  # type: ignore[valid-type]
StaffRole = Literal["admin", "phn", "jhi", "doctor", "asha", "pharmacist"]
Phone = Field(None, pattern=r"^\+?[0-9 -]{7,20}$")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisterIn(Body):
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)
    date_of_birth: date
    sex: Sex
    phone: str | None = Phone


class LoginIn(Body):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class FeedbackIn(Body):
    kind: FeedbackKind
    subject: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=10000)
    anonymous: bool = False


class FeedbackPatch(Body):
    status: FeedbackStatus
    response: str | None = Field(None, max_length=5000)


class StaffIn(Body):
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    role: StaffRole
    password: str = Field(min_length=8, max_length=256)
    phone: str | None = Phone
    specialisation: str | None = Field(None, max_length=120)
    consultation_hours: str | None = Field(None, max_length=200)
    area: str | None = Field(None, max_length=120)
    staff_code: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{2,32}$")


class UserPatch(Body):
    active: bool


class ProfilePatch(Body):
    phone: str | None = Phone
    address: str | None = Field(None, max_length=500)
    area: str | None = Field(None, max_length=120)
    abha_number: str | None = Field(None, max_length=20)
    blood_group: str | None = None
    allergies: str | None = Field(None, max_length=2000)
    chronic_conditions: str | None = Field(None, max_length=2000)
    current_medicines: str | None = Field(None, max_length=2000)
    emergency_contact_name: str | None = Field(None, max_length=120)
    emergency_contact_phone: str | None = Phone


class PatientIn(Body):
    """A patient registered by staff (a child, a bedridden person): no login account."""

    name: str = Field(min_length=1, max_length=120)
    date_of_birth: date
    sex: Sex
    area: str | None = Field(None, max_length=120)
    guardian_name: str | None = Field(None, max_length=120)
    phone: str | None = Phone
    address: str | None = Field(None, max_length=500)
    abha_number: str | None = Field(None, max_length=20)
    household: str | None = Field(None, max_length=120)
    asha_id: int | None = Field(None, description="the ASHA who covers the patient (PHN/JHI)")


# ---- field care -----------------------------------------------------------------------

VisitKind = Literal["antenatal", "postnatal", "bedridden"]
HealthId = Field(min_length=14, max_length=20, description="14 digits, dashes optional")


class VisitIn(Body):
    health_id: str = HealthId
    kind: VisitKind
    scheduled_on: date
    asha_id: int | None = None
    purpose: str | None = Field(None, max_length=120)


class VisitPlanIn(Body):
    """antenatal: ``edd``; postnatal: ``delivered_on``; bedridden: ``every_days`` (and
    optionally ``starts_on``, ``ends_on``)."""

    health_id: str = HealthId
    kind: VisitKind
    asha_id: int | None = None
    edd: date | None = None
    delivered_on: date | None = None
    every_days: int | None = Field(None, ge=1, le=90)
    starts_on: date | None = None
    ends_on: date | None = None


class Vitals(Body):
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    weight_kg: float | None = None
    hb_g_dl: float | None = None
    temperature_c: float | None = None


class VisitPatch(Body):
    """An outcome (``status`` done/missed/rescheduled, or cancelled by a PHN); a PHN may
    also reassign the ASHA or move a scheduled visit."""

    status: Literal["done", "missed", "rescheduled", "cancelled"] | None = None
    visited_on: date | None = None
    notes: str | None = Field(None, max_length=4000)
    missed_reason: str | None = Field(None, max_length=200)
    reschedule_to: date | None = None
    vitals: Vitals | None = None
    asha_id: int | None = None
    scheduled_on: date | None = None


class BeneficiaryIn(Body):
    health_id: str = HealthId
    group: Literal["child", "pregnancy"] = "child"
    edd: date | None = None


class DoseIn(Body):
    dose: str = Field(min_length=2, max_length=20, description="schedule code, e.g. penta-1")
    given_on: date
    batch: str = Field(min_length=1, max_length=40)
    site: str = Field(min_length=1, max_length=120)


class GrowthIn(Body):
    measured_on: date
    weight_kg: float | None = None
    height_cm: float | None = None
    measured_lying: bool | None = Field(
        None, description="length lying (true) or height standing (false); default by age"
    )
    head_circumference_cm: float | None = None
    muac_cm: float | None = None


# ---- clinic and pharmacy ----------------------------------------------------------------


class ConsultationIn(Body):
    health_id: str = HealthId
    complaint: str = Field(min_length=1, max_length=4000)
    findings: str | None = Field(None, max_length=4000)
    diagnosis: str = Field(min_length=1, max_length=200)
    icd10: str | None = Field(None, max_length=8, description="e.g. J06.9")
    notes: str | None = Field(None, max_length=4000)


class PrescriptionItemIn(Body):
    medicine_id: int
    dose: str = Field(min_length=1, max_length=60, description="e.g. 500 mg")
    frequency: str = Field(min_length=1, max_length=60, description="e.g. 1-0-1 or TDS")
    days: int = Field(ge=1, le=365)
    quantity: int = Field(ge=1, le=10000)
    instructions: str | None = Field(None, max_length=300)


class PrescriptionIn(Body):
    health_id: str = HealthId
    consultation_id: int | None = None
    items: list[PrescriptionItemIn] = Field(min_length=1, max_length=30)
    acknowledge_warnings: bool = Field(
        False, description="prescribe despite allergy/duplicate warnings (they are kept)"
    )


class DispenseItemIn(Body):
    item_id: int
    quantity: int = Field(ge=0, le=10000)


class DispenseIn(Body):
    items: list[DispenseItemIn] = Field(min_length=1, max_length=30)


class MedicineIn(Body):
    name: str = Field(min_length=1, max_length=120)
    strength: str = Field(min_length=1, max_length=60)
    form: str = Field(min_length=1, max_length=20)
    reorder_level: int = Field(0, ge=0, le=1_000_000)


class ReceiptIn(Body):
    medicine_id: int
    batch: str = Field(min_length=1, max_length=40)
    expiry: date
    quantity: int = Field(ge=1, le=1_000_000)
    supplier: str | None = Field(None, max_length=120)
    received_on: date | None = None


class AdjustmentIn(Body):
    batch_id: int
    change: int = Field(ge=-1_000_000, le=1_000_000)
    reason: str = Field(min_length=1, max_length=200)


class CancelIn(Body):
    reason: str = Field(min_length=1, max_length=200)
