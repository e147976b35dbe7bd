"""Clinic pages: find a patient, their timeline, consultations and prescriptions; the
printable prescription; a patient's own consultations and prescriptions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from hub.access import DOCTOR, PATIENT, PHARMACIST, allow
from hub.audit.services import record_read
from hub.clinic import services
from hub.clinic.models import Prescription
from hub.errors.exceptions import Conflict, NotFound, ServiceError
from hub.extensions import db
from hub.patients import services as patients
from hub.patients.health_id import InvalidHealthId
from hub.pharmacy.models import Medicine

bp = Blueprint("clinic", __name__, url_prefix="/clinic")
ITEM_ROWS = 5


@bp.route("/")
@allow(DOCTOR)
def find():
    error = None
    raw = request.args.get("health_id")
    if raw:
        try:
            patient = patients.get_by_health_id(raw)
        except (InvalidHealthId, NotFound) as exc:
            error = exc.message
        else:
            return redirect(url_for("clinic.patient", health_id=patient.health_id))
    return render_template("clinic/find.html", error=error, raw=raw or "")


def _items_from_form() -> tuple[list[services.ItemIn], dict[str, str]]:
    items, errors = [], {}
    for n in range(ITEM_ROWS):
        med = request.form.get(f"medicine_{n}", "")
        if not med:
            continue
        try:
            items.append(
                services.ItemIn(
                    medicine_id=int(med),
                    dose=request.form.get(f"dose_{n}", ""),
                    frequency=request.form.get(f"frequency_{n}", ""),
                    days=int(request.form.get(f"days_{n}") or 0),
                    quantity=int(request.form.get(f"quantity_{n}") or 0),
                    instructions=request.form.get(f"instructions_{n}") or None,
                )
            )
        except ValueError:
            errors[f"items.{n}.days"] = "Days and quantity are whole numbers."
    return items, errors


@bp.route("/patients/<health_id>", methods=["GET", "POST"])
@allow(DOCTOR)
def patient(health_id: str):
    person = patients.get_by_health_id(health_id)
    record_read(person.id, "clinic timeline")
    errors: dict[str, str] = {}
    warnings: list[str] = []
    form = request.form
    if request.method == "POST":
        try:
            if form.get("action") == "consultation":
                services.record_consultation(
                    person,
                    doctor_id=current_user.id,
                    complaint=form.get("complaint", ""),
                    findings=form.get("findings"),
                    diagnosis=form.get("diagnosis", ""),
                    icd10=form.get("icd10"),
                    notes=form.get("notes"),
                )
                flash("Consultation recorded.", "info")
            else:
                items, errors = _items_from_form()
                if errors:
                    raise ServiceError("Check the prescription.", errors)
                rx, _ = services.prescribe(
                    person,
                    doctor_id=current_user.id,
                    items=items,
                    consultation_id=form.get("consultation_id", type=int),
                    acknowledge_warnings=bool(form.get("acknowledge")),
                )
                flash(f"Prescription {rx.id} made.", "info")
            return redirect(url_for("clinic.patient", health_id=person.health_id))
        except Conflict as exc:
            warnings = list(exc.fields.values())
        except ServiceError as exc:
            errors = exc.fields or {"form": exc.message}
    consultations = services.consultations_of(person)
    return render_template(
        "clinic/patient.html",
        patient=person,
        events=services.history(person, 200),
        consultations=consultations,
        medicines=db.session.scalars(
            db.select(Medicine).where(Medicine.active.is_(True)).order_by(Medicine.name)
        ).all(),
        rows=range(ITEM_ROWS),
        errors=errors,
        warnings=warnings,
        form=form,
    )


@bp.route("/prescriptions/<int:prescription_id>.pdf")
@allow(DOCTOR, PHARMACIST, PATIENT)
def prescription_pdf(prescription_id: int):
    import io

    rx = db.get_or_404(Prescription, prescription_id)
    if current_user.role == PATIENT:
        patients.check_can_read(rx.patient)
    return send_file(
        io.BytesIO(services.prescription_pdf(rx)),
        mimetype="application/pdf",
        download_name=f"prescription-{rx.id}.pdf",
    )


@bp.route("/me")
@allow(PATIENT)
def mine():
    person = patients.patient_of_user(current_user)
    if person is None:
        raise NotFound("No patient record is linked to this account.")
    return render_template(
        "clinic/mine.html",
        patient=person,
        consultations=services.consultations_of(person),
        prescriptions=services.prescriptions_of(person),
    )
