"""Patient pages: the patient's own profile, and staff look-up of a record."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.access import CLINICAL_ROLES, PATIENT, allow
from hub.audit.services import record_read
from hub.errors.exceptions import NotFound, ServiceError
from hub.forms import show_service_error
from hub.labs.services import reports_of
from hub.patients import services
from hub.patients.forms import LookupForm, ProfileForm
from hub.patients.health_id import InvalidHealthId, display

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
    patient = services.get_by_health_id(health_id)
    services.check_can_read(patient)
    record_read(patient.id, "record page")
    return render_template("patients/record.html", patient=patient, reports=reports_of(patient))
