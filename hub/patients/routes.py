"""Patient pages: the patient's own profile, and staff look-up of a record."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.access import ASHA, CLINICAL_ROLES, PATIENT, PHN, allow
from hub.audit.services import record as audit
from hub.errors.exceptions import NotFound, ServiceError
from hub.extensions import db
from hub.forms import show_service_error
from hub.labs.services import reports_of
from hub.patients import services
from hub.patients.forms import LookupForm, ProfileForm
from hub.patients.health_id import InvalidHealthId, display
from hub.patients.models import Patient

bp = Blueprint("patients", __name__)


@bp.route("/me/profile", methods=["GET", "POST"])
@allow(PATIENT)
def profile():
    patient = services.patient_of_user(current_user)
    if patient is None:
        raise NotFound("No patient record is linked to this account.")
    form = ProfileForm(obj=patient)
    if request.method == "GET" and patient.abha_number:
        form.abha_number.data = display(patient.abha_number)
    if form.validate_on_submit():
        values = {name: form[name].data for name in services.EDITABLE_FIELDS}
        try:
            services.update_profile(patient, values)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash("Your profile is saved.", "info")
            return redirect(url_for("patients.profile"))
    return render_template("patients/profile.html", patient=patient, form=form)


@bp.route("/patients/lookup")
@allow(*CLINICAL_ROLES)
def lookup():
    form = LookupForm(request.args)
    error = None
    if request.args.get("health_id") is not None and form.validate():
        try:
            patient = services.get_by_health_id(form.health_id.data)
        except (InvalidHealthId, NotFound) as exc:
            error = exc.message
        else:
            return redirect(url_for("patients.record", health_id=patient.health_id))
    return render_template("patients/lookup.html", form=form, error=error)


@bp.route("/patients/<health_id>")
@allow(PATIENT, *CLINICAL_ROLES)
def record(health_id: str):
    patient = services.readable(health_id, "record page")
    return render_template("patients/record.html", patient=patient, reports=reports_of(patient))


@bp.route("/patients/covered", methods=["GET", "POST"])
@allow(ASHA)
def covered():
    """The ASHA's people and households: her register, and a form to add someone."""
    from hub.visits.forms import NewPatientForm

    form = NewPatientForm()
    if form.validate_on_submit():
        try:
            patient = services.create_patient(
                name=form.name.data,
                date_of_birth=form.date_of_birth.data,
                sex=form.sex.data,
                phone=form.phone.data or None,
                area=form.area.data or None,
                household=form.household.data or None,
                guardian_name=form.guardian_name.data or None,
                address=form.address.data or None,
                asha_id=current_user.id,
            )
            db.session.flush()
            audit("patient.register", patient_id=patient.id, detail="registered by ASHA")
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            show_service_error(form, exc)
        else:
            flash(f"{patient.name} registered: health ID {display(patient.health_id)}.", "info")
            return redirect(url_for("patients.covered"))
    people = db.session.scalars(
        db.select(Patient)
        .where(Patient.asha_id == current_user.id)
        .order_by(Patient.area, Patient.household, Patient.name)
    ).all()
    households: dict[str, list[Patient]] = {}
    for p in people:
        households.setdefault(p.household or "(no household given)", []).append(p)
    return render_template("patients/covered.html", form=form, households=households)


@bp.route("/patients/<health_id>/edit", methods=["GET", "POST"])
@allow(ASHA, PHN)
def edit_covered(health_id: str):
    from hub.visits.forms import CoveredPatientForm

    patient = services.get_by_health_id(health_id)
    services.check_can_read(patient)
    form = CoveredPatientForm(obj=patient)
    if form.validate_on_submit():
        for name in ("phone", "address", "area", "household", "guardian_name"):
            setattr(patient, name, (form[name].data or "").strip() or None)
        audit("patient.update", patient_id=patient.id, detail="contact and household")
        db.session.commit()
        flash("Saved.", "info")
        return redirect(url_for("patients.record", health_id=patient.health_id))
    return render_template("patients/edit_covered.html", form=form, patient=patient)
