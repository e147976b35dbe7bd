"""API: patient history, consultations, prescriptions, dispensing, medicines and stock,
and the FHIR export."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from hub.access import ADMIN, DOCTOR, PATIENT, PHARMACIST, PHN
from hub.api import api_route, page_args, page_dict, parse_body
from hub.api.schemas import (
    AdjustmentIn,
    CancelIn,
    ConsultationIn,
    DispenseIn,
    MedicineIn,
    PrescriptionIn,
    ReceiptIn,
)
from hub.clinic import services as clinic
from hub.clinic.models import OPEN_STATUSES, STATUSES, Prescription
from hub.errors.exceptions import NotFound, ServiceError
from hub.extensions import db
from hub.patients import services as patients
from hub.pharmacy import services as pharmacy
from hub.pharmacy.models import Medicine


@api_route(
    "/patients/<health_id>/history",
    roles=(PATIENT, DOCTOR, PHN),
    tag="clinic",
    summary="One timeline of the patient's history, newest first (each staff look-up is "
    "audit-logged)",
    query={"limit": "most recent N events"},
)
def patient_history(health_id: str):
    patient = patients.readable(health_id, "history api")
    limit = request.args.get("limit", type=int)
    return jsonify(
        health_id=patient.health_id,
        name=patient.name,
        allergies=patient.allergies,
        events=[e.as_dict() for e in clinic.history(patient, limit)],
    )


@api_route(
    "/patients/<health_id>/fhir",
    roles=(PATIENT, DOCTOR),
    tag="clinic",
    summary="The patient's record as a FHIR R4 (R4B) Bundle: Patient, Encounter, Condition, "
    "MedicationRequest, MedicationDispense, Immunization, Observation",
)
def patient_fhir(health_id: str):
    from hub.clinic.fhir import bundle

    patient = patients.readable(health_id, "fhir export")
    resp = jsonify(bundle(patient))
    resp.mimetype = "application/fhir+json"
    return resp


@api_route(
    "/consultations",
    methods=("POST",),
    roles=(DOCTOR,),
    body=ConsultationIn,
    tag="clinic",
    summary="Record a consultation (diagnosis with an optional ICD-10 code)",
    responses={201: "recorded", 400: "invalid fields"},
)
def create_consultation():
    data = parse_body(ConsultationIn)
    patient = patients.get_by_health_id(data.health_id)
    c = clinic.record_consultation(
        patient,
        doctor_id=current_user.id,
        complaint=data.complaint,
        findings=data.findings,
        diagnosis=data.diagnosis,
        icd10=data.icd10,
        notes=data.notes,
    )
    return jsonify(clinic.consultation_dict(c)), 201


@api_route(
    "/prescriptions",
    methods=("POST",),
    roles=(DOCTOR,),
    body=PrescriptionIn,
    tag="clinic",
    summary="Prescribe from the catalogue; 409 lists allergy/duplicate warnings unless "
    "acknowledge_warnings is true",
    responses={201: "prescribed", 400: "invalid", 409: "warnings to acknowledge"},
)
def create_prescription():
    data = parse_body(PrescriptionIn)
    patient = patients.get_by_health_id(data.health_id)
    rx, warnings = clinic.prescribe(
        patient,
        doctor_id=current_user.id,
        consultation_id=data.consultation_id,
        items=[clinic.ItemIn(**i.model_dump()) for i in data.items],
        acknowledge_warnings=data.acknowledge_warnings,
    )
    return jsonify(clinic.prescription_dict(rx)), 201


@api_route(
    "/prescriptions/<int:prescription_id>/cancel",
    methods=("POST",),
    roles=(DOCTOR,),
    body=CancelIn,
    tag="clinic",
    summary="Withdraw a prescription nothing has been dispensed from, with a reason",
    responses={200: "cancelled", 400: "already (partly) dispensed or no reason"},
)
def cancel_prescription(prescription_id: int):
    data = parse_body(CancelIn)
    rx = db.session.get(Prescription, prescription_id)
    if rx is None:
        raise NotFound("No such prescription.")
    clinic.cancel(rx, data.reason)
    return jsonify(clinic.prescription_dict(rx))


@api_route(
    "/prescriptions",
    roles=(PHARMACIST, DOCTOR),
    tag="pharmacy",
    summary="Prescriptions, e.g. the queue to dispense (status=pending: pending and partial)",
    query={"status": "pending (the queue), partial, dispensed, cancelled", "page": "page"},
)
def list_prescriptions():
    status = request.args.get("status") or None
    q = db.select(Prescription)
    if status == "pending":
        q = q.where(Prescription.status.in_(OPEN_STATUSES))
    elif status:
        if status not in STATUSES:
            raise ServiceError("Unknown status.", {"status": ", ".join(STATUSES)})
        q = q.where(Prescription.status == status)
    page, per_page = page_args(50, 200)
    result = db.paginate(
        q.order_by(Prescription.created_at, Prescription.id),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    return jsonify(page_dict(result, [clinic.prescription_dict(rx) for rx in result.items]))


@api_route(
    "/prescriptions/<int:prescription_id>/dispense",
    methods=("POST",),
    roles=(PHARMACIST,),
    body=DispenseIn,
    tag="pharmacy",
    summary="Dispense (first expiry first out, never expired stock, partial when short; "
    "stock never goes below zero, also under concurrent dispensing)",
    responses={200: "what was dispensed, per item", 400: "more than prescribed"},
)
def dispense(prescription_id: int):
    data = parse_body(DispenseIn)
    wanted: dict[int, int] = {}
    for i in data.items:
        wanted[i.item_id] = wanted.get(i.item_id, 0) + i.quantity
    results = pharmacy.dispense(prescription_id, wanted, user_id=current_user.id)
    rx = db.session.get(Prescription, prescription_id)
    return jsonify(
        prescription=clinic.prescription_dict(rx),
        dispensed=[
            {
                "item_id": r.item_id,
                "medicine": r.medicine,
                "requested": r.requested,
                "dispensed": r.dispensed,
                "short": r.short,
                "batches": [{"batch": b, "quantity": q} for b, q in r.batches],
            }  # fmt: skip
            for r in results
        ],
    )


@api_route(
    "/medicines",
    roles=(PHARMACIST, DOCTOR, ADMIN),
    tag="pharmacy",
    summary="The medicine catalogue with the usable stock of each",
    query={"q": "name contains"},
)
def list_medicines():
    lines = {line.medicine.id: line.usable for line in pharmacy.stock_lines()}
    q = db.select(Medicine).where(Medicine.active.is_(True)).order_by(Medicine.name)
    if request.args.get("q"):
        q = q.where(Medicine.name.ilike(f"%{request.args['q'].strip()}%"))
    return jsonify(
        items=[pharmacy.medicine_dict(m, lines.get(m.id, 0)) for m in db.session.scalars(q)]
    )


@api_route(
    "/medicines",
    methods=("POST",),
    roles=(PHARMACIST,),
    body=MedicineIn,
    tag="pharmacy",
    summary="Add a medicine to the catalogue",
    responses={201: "added", 400: "invalid", 409: "already listed"},
)
def create_medicine():
    data = parse_body(MedicineIn)
    med = pharmacy.create_medicine(**data.model_dump())
    return jsonify(pharmacy.medicine_dict(med)), 201


@api_route(
    "/stock/receipts",
    methods=("POST",),
    roles=(PHARMACIST,),
    body=ReceiptIn,
    tag="pharmacy",
    summary="Receive a batch into stock (ledger: receipt)",
    responses={201: "received", 400: "invalid or expired", 404: "unknown medicine"},
)
def receive_stock():
    data = parse_body(ReceiptIn)
    batch = pharmacy.receive(
        medicine_id=data.medicine_id,
        batch_no=data.batch,
        expiry=data.expiry,
        quantity=data.quantity,
        supplier=data.supplier,
        received_on=data.received_on,
        user_id=current_user.id,
    )
    return jsonify(_batch_dict(batch)), 201


@api_route(
    "/stock/adjustments",
    methods=("POST",),
    roles=(PHARMACIST,),
    body=AdjustmentIn,
    tag="pharmacy",
    summary="Adjust a batch's stock with a reason (ledger: adjustment)",
    responses={201: "adjusted", 400: "no reason or below zero"},
)
def adjust_stock():
    data = parse_body(AdjustmentIn)
    batch = pharmacy.adjust(
        batch_id=data.batch_id, change=data.change, reason=data.reason, user_id=current_user.id
    )
    return jsonify(_batch_dict(batch)), 201


def _batch_dict(b) -> dict:
    return {
        "id": b.id,
        "medicine_id": b.medicine_id,
        "medicine": b.medicine.display,
        "batch": b.batch_no,
        "expiry": b.expiry.isoformat(),
        "on_hand": b.on_hand,
        "quantity_received": b.quantity_received,
        "supplier": b.supplier,
        "received_on": b.received_on.isoformat(),
    }


@api_route(
    "/stock",
    roles=(PHARMACIST, ADMIN),
    tag="pharmacy",
    summary="Stock per medicine (usable, expired, near expiry, low) with its batches",
)
def stock():
    out = []
    lines = pharmacy.stock_lines()
    for line in lines:
        out.append(
            {
                **pharmacy.medicine_dict(line.medicine),
                "usable": line.usable,
                "expired": line.expired,
                "near_expiry": line.near_expiry,
                "low": line.low,
                "batches": [_batch_dict(b) for b in pharmacy.batches_of(line.medicine.id)],
            }
        )
    return jsonify(items=out, alerts=pharmacy.alerts(lines=lines))


@api_route(
    "/stock/ledger",
    roles=(PHARMACIST, ADMIN),
    tag="pharmacy",
    summary="The stock ledger: every receipt, dispensing and adjustment with who and why",
    query={
        "medicine_id": "one medicine",
        "kind": "receipt, dispense or adjustment",
        "page": "page",
        "per_page": "up to 500",
    },  # fmt: skip
)
def stock_ledger():
    page, per_page = page_args(100, 500)
    result = db.paginate(
        pharmacy.ledger_query(
            request.args.get("medicine_id", type=int), request.args.get("kind") or None
        ),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    return jsonify(page_dict(result, [pharmacy.movement_dict(m) for m in result.items]))


@api_route(
    "/prescriptions/<int:prescription_id>",
    roles=(PHARMACIST, DOCTOR, PATIENT),
    tag="clinic",
    summary="One prescription (a patient: only their own)",
)
def get_prescription(prescription_id: int):
    rx = db.session.get(Prescription, prescription_id)
    if rx is None:
        raise NotFound("No such prescription.")
    if current_user.role == PATIENT:
        patients.check_can_read(rx.patient)
    return jsonify(clinic.prescription_dict(rx))
