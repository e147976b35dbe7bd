"""Lab report pages: a patient's list and upload, and the guarded download."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from hub.access import CLINICAL_ROLES, PATIENT, allow
from hub.audit.services import record_read
from hub.errors.exceptions import NotFound, ServiceError
from hub.extensions import db
from hub.forms import show_service_error
from hub.labs import services
from hub.labs.forms import UploadForm
from hub.labs.models import LabReport
from hub.patients.models import Patient
from hub.patients.services import check_can_read, patient_of_user

bp = Blueprint("labs", __name__)


@bp.route("/me/lab-reports", methods=["GET", "POST"])
@allow(PATIENT)
def mine():
    patient = patient_of_user(current_user)
    if patient is None:
        raise NotFound("No patient record is linked to this account.")
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.save_report(
                patient,
                stream=upload.stream,
                filename=upload.filename,
                title=form.title.data,
                report_date=form.date.data,
                uploader_id=current_user.id,
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash("Lab report uploaded.", "info")
            return redirect(url_for("labs.mine"))
    return render_template("labs/mine.html", form=form, reports=services.reports_of(patient))


def readable_report(report_id: int) -> LabReport:
    """The report, if the current user may read it (audit-logged for staff)."""
    report = db.session.get(LabReport, report_id)
    if report is None:
        raise NotFound("No such lab report.")
    patient = db.session.get(Patient, report.patient_id)
    check_can_read(patient)
    record_read(patient.id, f"lab report {report.id}")
    return report


def send_report(report: LabReport):
    path = services.file_path(report)
    if not path.exists():
        raise NotFound("The file of this report is missing; ask the centre to re-upload it.")
    return send_file(
        path,
        mimetype=report.mime_type,
        as_attachment=False,
        download_name=services.download_name(report),
        max_age=0,
    )


@bp.route("/lab-reports/<int:report_id>/file")
@allow(PATIENT, *CLINICAL_ROLES)
def download(report_id: int):
    return send_report(readable_report(report_id))
