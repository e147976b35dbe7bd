"""Consultations, prescriptions (with allergy and duplicate warnings), the printable
prescription, and one timeline of a patient's history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from hub.clinic.icd10 import lookup as icd10_lookup
from hub.clinic.models import (
    CANCELLED,
    OPEN_STATUSES,
    PENDING,
    Consultation,
    Prescription,
    PrescriptionItem,
)
from hub.errors.exceptions import Conflict, ServiceError
from hub.extensions import db
from hub.patients import health_id as hid
from hub.patients.models import Patient
from hub.pharmacy.models import DISPENSE, Medicine, StockMovement


def record_consultation(
    patient: Patient,
    *,
    doctor_id: int,
    complaint: str,
    diagnosis: str,
    findings: str | None = None,
    icd10: str | None = None,
    notes: str | None = None,
) -> Consultation:
    code = (icd10 or "").strip().upper() or None
    errors = {}
    if not complaint.strip():
        errors["complaint"] = "Give the presenting complaint."
    if not diagnosis.strip():
        errors["diagnosis"] = "Give the diagnosis (provisional is fine)."
    if code:
        found = icd10_lookup(code)
        if found is None:
            errors["icd10"] = f"{code} is not a WHO ICD-10 code (e.g. J06.9, A09)."
        else:
            code = found[0]
    if errors:
        raise ServiceError("Check the highlighted fields.", errors)
    c = Consultation(
        patient_id=patient.id,
        doctor_id=doctor_id,
        complaint=complaint.strip(),
        findings=(findings or "").strip() or None,
        diagnosis=diagnosis.strip(),
        icd10=code,
        notes=(notes or "").strip() or None,
    )
    db.session.add(c)
    db.session.commit()
    return c


@dataclass
class ItemIn:
    medicine_id: int
    dose: str
    frequency: str
    days: int
    quantity: int
    instructions: str | None = None


def _words(text: str | None) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", (text or "").lower()) if len(w) > 2}


def warnings_for(patient: Patient, medicines: list[Medicine], today: date) -> list[str]:
    """Known allergy (the medicine's name in the patient's allergies) and a duplicate
    active prescription of the same medicine (open, or a course still running)."""
    out = []
    allergic = _words(patient.allergies)
    for med in medicines:
        if _words(med.name) & allergic:
            out.append(f"Allergy: {patient.name} is recorded as allergic to {patient.allergies}; "
                       f"{med.display} prescribed.")  # fmt: skip
    ids = [m.id for m in medicines]
    active = db.session.execute(
        db.select(PrescriptionItem, Prescription)
        .join(Prescription, Prescription.id == PrescriptionItem.prescription_id)
        .where(
            Prescription.patient_id == patient.id,
            Prescription.status != CANCELLED,
            PrescriptionItem.medicine_id.in_(ids),
        )
    ).all()
    for item, rx in active:
        course_end = rx.created_at.date() + timedelta(days=item.days)
        if rx.status in OPEN_STATUSES or course_end >= today:
            out.append(
                f"Duplicate: {item.medicine.display} is already prescribed "
                f"(prescription {rx.id} of {rx.created_at:%d %b %Y}, {rx.status}, "
                f"course to {course_end:%d %b %Y})."
            )
    return out


def prescribe(
    patient: Patient,
    *,
    doctor_id: int,
    items: list[ItemIn],
    consultation_id: int | None = None,
    acknowledge_warnings: bool = False,
    today: date | None = None,
) -> tuple[Prescription, list[str]]:
    """A prescription; when there are warnings and they are not acknowledged, a 409 that
    lists them (nothing is saved)."""
    today = today or date.today()
    if not items:
        raise ServiceError("Prescribe at least one medicine.", {"items": "Empty."})
    errors = {}
    meds = []
    for n, it in enumerate(items):
        med = db.session.get(Medicine, it.medicine_id)
        if med is None or not med.active:
            errors[f"items.{n}.medicine_id"] = "Not in the medicine catalogue."
            continue
        meds.append(med)
        if not it.dose.strip():
            errors[f"items.{n}.dose"] = "Give the dose."
        if not it.frequency.strip():
            errors[f"items.{n}.frequency"] = "Give the frequency."
        if not 1 <= it.days <= 365:
            errors[f"items.{n}.days"] = "1 to 365 days."
        if not 1 <= it.quantity <= 10000:
            errors[f"items.{n}.quantity"] = "1 to 10000."
    if len({it.medicine_id for it in items}) != len(items):
        errors["items"] = "A medicine appears twice; give it once with the total."
    if consultation_id is not None:
        c = db.session.get(Consultation, consultation_id)
        if c is None or c.patient_id != patient.id:
            errors["consultation_id"] = "Not a consultation of this patient."
    if errors:
        raise ServiceError("Check the prescription.", errors)
    warnings = warnings_for(patient, meds, today)
    if warnings and not acknowledge_warnings:
        raise Conflict(
            "Check the warnings; prescribe again acknowledging them to go ahead.",
            {f"warning.{n}": w for n, w in enumerate(warnings)},
        )
    rx = Prescription(
        patient_id=patient.id,
        consultation_id=consultation_id,
        doctor_id=doctor_id,
        warnings="\n".join(warnings) or None,
    )
    db.session.add(rx)
    db.session.flush()
    for it in items:
        db.session.add(
            PrescriptionItem(
                prescription_id=rx.id,
                medicine_id=it.medicine_id,
                dose=it.dose.strip(),
                frequency=it.frequency.strip(),
                days=it.days,
                quantity=it.quantity,
                instructions=(it.instructions or "").strip() or None,
            )
        )
    db.session.commit()
    db.session.refresh(rx)
    return rx, warnings


def cancel(prescription: Prescription, reason: str) -> None:
    """The doctor withdraws a prescription nothing has been dispensed from."""
    if prescription.status != PENDING:
        raise ServiceError(
            f"This prescription is {prescription.status}: only one nothing was dispensed "
            "from is cancelled.",
            {"status": prescription.status},
        )
    if not reason.strip():
        raise ServiceError("Say why.", {"reason": "Give the reason for cancelling."})
    prescription.status = CANCELLED
    note = f"Cancelled: {reason.strip()}"
    prescription.warnings = f"{prescription.warnings}\n{note}" if prescription.warnings else note
    db.session.commit()


def consultation_dict(c: Consultation) -> dict[str, Any]:
    return {
        "id": c.id,
        "at": c.created_at.isoformat(timespec="seconds") + "Z",
        "doctor": c.doctor.name if c.doctor else None,
        "complaint": c.complaint,
        "findings": c.findings,
        "diagnosis": c.diagnosis,
        "icd10": c.icd10,
        "icd10_title": icd10_lookup(c.icd10)[1] if c.icd10 else None,
        "notes": c.notes,
    }


def prescription_dict(rx: Prescription) -> dict[str, Any]:
    return {
        "id": rx.id,
        "health_id": rx.patient.health_id,
        "patient": rx.patient.name,
        "at": rx.created_at.isoformat(timespec="seconds") + "Z",
        "doctor": rx.doctor.name if rx.doctor else None,
        "status": rx.status,
        "consultation_id": rx.consultation_id,
        "warnings": rx.warnings.splitlines() if rx.warnings else [],
        "items": [
            {
                "item_id": i.id,
                "medicine_id": i.medicine_id,
                "medicine": i.medicine.display,
                "dose": i.dose,
                "frequency": i.frequency,
                "days": i.days,
                "quantity": i.quantity,
                "dispensed": i.dispensed,
                "remaining": i.remaining,
                "instructions": i.instructions,
            }
            for i in rx.items
        ],
    }


def prescriptions_of(patient: Patient) -> list[Prescription]:
    return list(
        db.session.scalars(
            db.select(Prescription)
            .where(Prescription.patient_id == patient.id)
            .order_by(Prescription.created_at.desc(), Prescription.id.desc())
        )
    )


def consultations_of(patient: Patient) -> list[Consultation]:
    return list(
        db.session.scalars(
            db.select(Consultation)
            .where(Consultation.patient_id == patient.id)
            .order_by(Consultation.created_at.desc(), Consultation.id.desc())
        )
    )


def prescription_pdf(rx: Prescription) -> bytes:
    from hub.pdf import Section, document

    p = rx.patient
    age = (date.today() - p.date_of_birth).days // 365
    diagnosis = None
    if rx.consultation_id:
        c = db.session.get(Consultation, rx.consultation_id)
        diagnosis = f"{c.diagnosis}" + (f" ({c.icd10})" if c.icd10 else "") if c else None
    lines = [
        f"Patient: {p.name}, {age} years, {p.sex} &middot; Health ID {hid.display(p.health_id)}",
        f"Date: {rx.created_at:%d %b %Y} &middot; Prescription no. {rx.id}",
    ]
    if diagnosis:
        lines.append(f"Diagnosis: {diagnosis}")
    if p.allergies:
        lines.append(f"Allergies: {p.allergies}")
    return document(
        "Prescription",
        "SmartCare primary health centre",
        [
            Section(lines=lines),
            Section(
                "Rx",
                ("Medicine", "Dose", "Frequency", "Days", "Quantity", "Instructions"),
                [
                    (
                        i.medicine.display,
                        i.dose,
                        i.frequency,
                        i.days,
                        i.quantity,
                        i.instructions or "",
                    )  # fmt: skip
                    for i in rx.items
                ],
            ),
            Section(lines=[f"Prescribed by {rx.doctor.name if rx.doctor else 'doctor'}"]),
        ],
    )


# ---- the history timeline ------------------------------------------------------------------


@dataclass
class Event:
    on: date
    at: datetime | None
    kind: str
    title: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.on.isoformat(),
            "kind": self.kind,
            "title": self.title,
            "detail": self.detail,
        }


def history(patient: Patient, limit: int | None = None) -> list[Event]:
    """Everything recorded about the patient, newest first: consultations, prescriptions
    and what was dispensed, vaccinations, growth measurements, home visits, lab reports."""
    from hub.growth.models import GrowthMeasurement
    from hub.labs.models import LabReport
    from hub.vaccination.models import Immunization
    from hub.vaccination.schedule import load
    from hub.visits.models import Visit

    events: list[Event] = []
    for c in consultations_of(patient):
        events.append(
            Event(
                c.created_at.date(),
                c.created_at,
                "consultation",
                f"Consultation: {c.diagnosis}" + (f" ({c.icd10})" if c.icd10 else ""),
                c.complaint + (f" · {c.findings}" if c.findings else ""),
            )  # fmt: skip
        )
    for rx in prescriptions_of(patient):
        items = "; ".join(
            f"{i.medicine.display} {i.dose} {i.frequency} x {i.days} d" for i in rx.items
        )
        events.append(
            Event(
                rx.created_at.date(),
                rx.created_at,
                "prescription",
                f"Prescription {rx.id} ({rx.status})",
                items,
            )  # fmt: skip
        )
    dispensed = db.session.execute(
        db.select(StockMovement, PrescriptionItem)
        .join(PrescriptionItem, PrescriptionItem.id == StockMovement.prescription_item_id)
        .join(Prescription, Prescription.id == PrescriptionItem.prescription_id)
        .where(Prescription.patient_id == patient.id, StockMovement.kind == DISPENSE)
    ).all()
    for mv, item in dispensed:
        events.append(
            Event(
                mv.at.date(),
                mv.at,
                "dispensed",
                f"Dispensed {item.medicine.display}",
                f"{-mv.change} from batch {mv.batch.batch_no}",
            )  # fmt: skip
        )
    labels = {d.code: d.label for d in load().dose}
    for imm in db.session.scalars(
        db.select(Immunization).where(Immunization.patient_id == patient.id)
    ):
        events.append(
            Event(
                imm.given_on,
                None,
                "vaccination",
                labels.get(imm.dose, imm.dose),
                f"batch {imm.batch} at {imm.site}",
            )  # fmt: skip
        )
    for m in db.session.scalars(
        db.select(GrowthMeasurement).where(GrowthMeasurement.patient_id == patient.id)
    ):
        parts = [f"{m.weight_kg} kg" if m.weight_kg else "", f"{m.height_cm} cm" if m.height_cm
                 else "", m.flags.replace("_", " ").replace(",", ", ")]  # fmt: skip
        events.append(
            Event(
                m.measured_on,
                m.recorded_at,
                "growth",
                "Growth measurement",
                " · ".join(p for p in parts if p),
            )  # fmt: skip
        )
    for v in db.session.scalars(db.select(Visit).where(Visit.patient_id == patient.id)):
        if v.status == "scheduled" and v.scheduled_on > date.today():
            continue
        events.append(
            Event(
                v.visited_on or v.scheduled_on,
                v.recorded_at,
                "home visit",
                f"Home visit: {v.purpose} ({v.status})",
                v.notes or v.missed_reason or "",
            )  # fmt: skip
        )
    for r in db.session.scalars(db.select(LabReport).where(LabReport.patient_id == patient.id)):
        events.append(Event(r.report_date, r.uploaded_at, "lab report", f"Lab report: {r.title}",
                            r.mime_type))  # fmt: skip
    events.sort(key=lambda e: (e.on, e.at or datetime.min), reverse=True)
    return events[:limit] if limit else events
