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
