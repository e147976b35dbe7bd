"""Patient records: creation with a health ID, look-up, access checks, profile edits."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from flask_login import current_user

from hub.access import ASHA, CLINICAL_ROLES, PATIENT
from hub.errors.exceptions import Forbidden, NotFound, ServiceError
from hub.extensions import db
from hub.patients import health_id as hid
from hub.patients.models import BLOOD_GROUPS, SEXES, Patient

if TYPE_CHECKING:
    from hub.auth.models import User

EDITABLE_FIELDS = (
    "phone",
    "address",
    "area",
    "blood_group",
    "allergies",
    "chronic_conditions",
    "current_medicines",
    "emergency_contact_name",
    "emergency_contact_phone",
    "abha_number",
)


def _check_demographics(date_of_birth: date, sex: str) -> None:
    errors = {}
    if date_of_birth > date.today():
        errors["date_of_birth"] = "Date of birth cannot be in the future."
    elif date_of_birth.year < 1900:
        errors["date_of_birth"] = "Date of birth is before 1900."
    if sex not in SEXES:
        errors["sex"] = f"Choose one of {', '.join(SEXES)}."
    if errors:
        raise ServiceError("Check the highlighted fields.", errors)


def create_patient(
    *,
    name: str,
    date_of_birth: date,
    sex: str,
    phone: str | None = None,
    user: User | None = None,
    **extra: Any,
) -> Patient:
    """A new patient with a unique health ID, added to the session (caller commits)."""
    _check_demographics(date_of_birth, sex)
    while True:
        new_id = hid.generate()
        if db.session.scalar(db.select(Patient.id).where(Patient.health_id == new_id)) is None:
            break
    patient = Patient(
        health_id=new_id,
        name=name.strip(),
        date_of_birth=date_of_birth,
        sex=sex,
        phone=phone,
        user=user,
        **extra,
    )
    db.session.add(patient)
    return patient


def patient_of_user(user: User) -> Patient | None:
    return db.session.scalar(db.select(Patient).where(Patient.user_id == user.id))


def get_by_health_id(raw: str) -> Patient:
    """The patient with this health ID (dashes allowed); ``InvalidHealthId`` on a bad
    check digit, ``NotFound`` when nobody has it."""
    digits = hid.normalise(raw)
    patient = db.session.scalar(db.select(Patient).where(Patient.health_id == digits))
    if patient is None:
        raise NotFound(f"No patient has health ID {hid.display(digits)}.")
    return patient


def pregnancy_errors(patient: Patient, edd: date | None, today: date) -> dict[str, str]:
    """Why this patient and expected date of delivery cannot stand for a current pregnancy
    (field -> reason); empty when they can."""
    errors = {}
    if patient.sex != "female":
        errors["health_id"] = "A pregnancy is recorded for a woman."
    if edd is None:
        errors["edd"] = "Give the expected date of delivery."
    elif not today < edd <= today + timedelta(weeks=42):
        errors["edd"] = "The expected date of delivery must be within the next 42 weeks."
    return errors


def covers(asha: User, patient: Patient) -> bool:
    """Whether this ASHA covers the patient: assigned to her, or she has a visit there."""
    from hub.visits.models import Visit

    if patient.asha_id == asha.id:
        return True
    return (
        db.session.scalar(
            db.select(Visit.id)
            .where(Visit.patient_id == patient.id, Visit.asha_id == asha.id)
            .limit(1)
        )
        is not None
    )


def check_can_read(patient: Patient) -> None:
    """A patient reads only their own record; an ASHA the patients she covers; the other
    clinical staff (doctor, PHN, JHI) any."""
    role = current_user.role
    if role == PATIENT and patient.user_id == current_user.id:
        return
    if role == ASHA:
        if covers(current_user, patient):
            return
        raise Forbidden("An ASHA worker sees only the patients she covers.")
    if role in CLINICAL_ROLES:
        return
    raise Forbidden("You may not see this patient's record.")


def readable(health_id: str, what: str) -> Patient:
    """The patient with this health ID, if the current user may read the record; a staff
    read is audit-logged as ``what`` (a page or an API)."""
    from hub.audit.services import record_read

    patient = get_by_health_id(health_id)
    check_can_read(patient)
    record_read(patient.id, what)
    return patient


def update_profile(patient: Patient, values: dict[str, Any]) -> None:
    """Apply the patient-editable fields; blank text becomes None."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError("Unknown fields.", {f: "Not an editable field." for f in unknown})
    clean = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items()}
    if "abha_number" in clean:
        clean["abha_number"] = hid.normalise_abha(clean["abha_number"])
    if clean.get("blood_group") and clean["blood_group"] not in BLOOD_GROUPS:
        raise ServiceError(
            "Unknown blood group.", {"blood_group": f"Choose one of {', '.join(BLOOD_GROUPS)}."}
        )
    for key, value in clean.items():
        setattr(patient, key, value)
    db.session.commit()


def to_dict(patient: Patient) -> dict[str, Any]:
    """The patient's record as the API shows it."""
    return {
        "health_id": patient.health_id,
        "health_id_display": hid.display(patient.health_id),
        "abha_number": patient.abha_number,
        "name": patient.name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex": patient.sex,
        "phone": patient.phone,
        "address": patient.address,
        "area": patient.area,
        "guardian_name": patient.guardian_name,
        "household": patient.household,
        "asha_id": patient.asha_id,
        "medical": {
            "blood_group": patient.blood_group,
            "allergies": patient.allergies,
            "chronic_conditions": patient.chronic_conditions,
            "current_medicines": patient.current_medicines,
        },
        "emergency_contact": {
            "name": patient.emergency_contact_name,
            "phone": patient.emergency_contact_phone,
        },
    }
