"""API: patient records and lab reports."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request
from flask_login import current_user

from hub.access import ASHA, CLINICAL_ROLES, JHI, PATIENT, PHN
from hub.api import api_route, parse_body
from hub.api.schemas import PatientIn, ProfilePatch
from hub.audit.services import record
from hub.errors.exceptions import Forbidden, ServiceError
from hub.extensions import db
from hub.labs import services as labs
from hub.labs.routes import readable_report, send_report
from hub.patients import health_id as hid
from hub.patients import services as patients

READERS = (PATIENT, *CLINICAL_ROLES)


@api_route(
    "/patients/<health_id>",
    roles=READERS,
    tag="patients",
    summary="A patient's record (clinical staff; a patient only their own)",
    responses={200: "the record", 400: "bad check digit", 403: "not yours", 404: "no such patient"},
)
def get_patient(health_id: str):
    return jsonify(patients.to_dict(patients.readable(health_id, "record api")))


@api_route(
    "/patients/<health_id>",
    methods=("PATCH",),
    roles=(PATIENT,),
    body=ProfilePatch,
    tag="patients",
    summary="A patient edits their own profile and medical information",
)
def patch_patient(health_id: str):
    patient = patients.get_by_health_id(health_id)
    if patient.user_id != current_user.id:
        raise Forbidden("You may edit only your own record.")
    data = parse_body(ProfilePatch)
    patients.update_profile(patient, data.model_dump(exclude_unset=True))
    return jsonify(patients.to_dict(patient))


@api_route(
    "/patients/<health_id>/lab-reports",
    roles=READERS,
    tag="lab reports",
    summary="The patient's lab reports",
)
def list_reports(health_id: str):
    patient = patients.readable(health_id, "lab report list api")
    return jsonify(items=[labs.to_dict(r) for r in labs.reports_of(patient)])


@api_route(
    "/patients/<health_id>/lab-reports",
    methods=("POST",),
    roles=(PATIENT,),
    tag="lab reports",
    summary="Upload a lab report (PDF, JPEG or PNG; 10 MB)",
    multipart={"file": "binary", "title": "string", "date": "date"},
    responses={
        201: "stored",
        400: "missing fields",
        413: "too large",
        415: "not a PDF, JPEG or PNG",
    },
)
def upload_report(health_id: str):
    patient = patients.get_by_health_id(health_id)
    if patient.user_id != current_user.id:
        raise Forbidden("You may upload reports only to your own record.")
    upload = request.files.get("file")
    errors = {}
    if upload is None or not upload.filename:
        errors["file"] = "Attach the report as the multipart field 'file'."
    try:
        report_date = date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        errors["date"] = "Give the report date as YYYY-MM-DD."
    if errors:
        raise ServiceError("Check the fields.", errors)
    report = labs.save_report(
        patient,
        stream=upload.stream,
        filename=upload.filename,
        title=request.form.get("title", ""),
        report_date=report_date,
        uploader_id=current_user.id,
    )
    return jsonify(labs.to_dict(report)), 201


@api_route(
    "/lab-reports/<int:report_id>/file",
    roles=READERS,
    tag="lab reports",
    summary="Download a lab report's file",
)
def report_file(report_id: int):
    return send_report(readable_report(report_id))


def asha_for_new_patient(asked: int | None) -> int | None:
    """An ASHA registers patients into her own care; a PHN or JHI may name the ASHA."""
    from hub.visits.services import check_asha

    return current_user.id if current_user.role == ASHA else check_asha(asked)


@api_route(
    "/patients",
    methods=("POST",),
    roles=(ASHA, PHN, JHI),
    body=PatientIn,
    tag="patients",
    summary="Staff register a patient who has no account (a child, a "
    "bedridden person); answers the new health ID",
    responses={201: "registered", 400: "invalid fields"},
)
def register_patient():
    data = parse_body(PatientIn)
    abha = hid.normalise_abha(data.abha_number)
    patient = patients.create_patient(
        name=data.name,
        date_of_birth=data.date_of_birth,
        sex=data.sex,
        phone=data.phone,
        area=data.area,
        guardian_name=data.guardian_name,
        address=data.address,
        abha_number=abha,
        household=data.household,
        asha_id=asha_for_new_patient(data.asha_id),
    )
    db.session.flush()
    record("patient.register", patient_id=patient.id, detail="registered by staff")
    db.session.commit()
    return jsonify(patients.to_dict(patient)), 201
