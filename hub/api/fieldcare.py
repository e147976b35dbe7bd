"""API: home visits, vaccination and child growth."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request
from flask_login import current_user

from hub.access import ADMIN, ASHA, DOCTOR, JHI, PATIENT, PHN
from hub.api import api_route, page_args, page_dict, parse_body
from hub.api.schemas import BeneficiaryIn, DoseIn, GrowthIn, VisitIn, VisitPatch, VisitPlanIn
from hub.errors.exceptions import Forbidden, ServiceError
from hub.extensions import db
from hub.growth import services as growth
from hub.patients import services as patients
from hub.vaccination import schedule
from hub.vaccination import services as vaccination
from hub.visits import services as visits
from hub.visits.models import STATUSES


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ServiceError(f"{name} is a date, YYYY-MM-DD.", {name: "YYYY-MM-DD"}) from None


# ---- visits ---------------------------------------------------------------------------


@api_route(
    "/visits",
    methods=("POST",),
    roles=(PHN,),
    body=VisitIn,
    tag="visits",
    summary="Schedule one home visit (the patient's ASHA unless another is named)",
    responses={201: "scheduled", 400: "invalid fields", 404: "no such patient"},
)
def create_visit():
    data = parse_body(VisitIn)
    patient = patients.get_by_health_id(data.health_id)
    visit = visits.schedule_visit(
        patient,
        kind=data.kind,
        scheduled_on=data.scheduled_on,
        asha_id=data.asha_id,
        purpose=data.purpose,
        by_id=current_user.id,
    )
    return jsonify(visits.to_dict(visit)), 201


@api_route(
    "/visit-plans",
    methods=("POST",),
    roles=(PHN,),
    body=VisitPlanIn,
    tag="visits",
    summary="A visit plan: antenatal contacts from the EDD, postnatal (HBNC) visits from "
    "the delivery, or a recurring plan for a bedridden patient",
    responses={201: "plan and its visits", 400: "invalid fields"},
)
def create_plan():
    data = parse_body(VisitPlanIn)
    patient = patients.get_by_health_id(data.health_id)
    plan, made = visits.create_plan(
        patient,
        kind=data.kind,
        asha_id=data.asha_id,
        by_id=current_user.id,
        edd=data.edd,
        delivered_on=data.delivered_on,
        every_days=data.every_days,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )
    return jsonify(plan_id=plan.id, visits=[visits.to_dict(v) for v in made]), 201


@api_route(
    "/visits",
    roles=(ASHA, PHN),
    tag="visits",
    summary="Visits; an ASHA sees only her own",
    query={
        "asha_id": "ASHA user id (an ASHA: only her own)",
        "status": "scheduled, overdue, done, missed, rescheduled, cancelled",
        "from": "YYYY-MM-DD",
        "to": "YYYY-MM-DD",
        "page": "page number",
    },
)
def list_visits():
    asha_id = request.args.get("asha_id", type=int)
    if current_user.role == ASHA:
        if asha_id not in (None, current_user.id):
            raise Forbidden("An ASHA worker sees only her own visits.")
        asha_id = current_user.id
    status = request.args.get("status") or None
    if status and status not in ("overdue", *STATUSES):
        raise ServiceError("Unknown status.", {"status": ", ".join(STATUSES)})
    page, per_page = page_args(50, 500)
    result = db.paginate(
        visits.query_visits(
            asha_id=asha_id, status=status, start=_date_arg("from"), end=_date_arg("to")
        ),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    return jsonify(page_dict(result, [visits.to_dict(v) for v in result.items]))


@api_route(
    "/visits/<int:visit_id>",
    methods=("PATCH",),
    roles=(ASHA, PHN),
    body=VisitPatch,
    tag="visits",
    summary="Record a visit's outcome (done with vitals, missed with a reason, rescheduled); "
    "a PHN may also reassign or move it",
    responses={200: "updated", 400: "invalid", 403: "another ASHA's visit", 404: "no such visit"},
)
def patch_visit(visit_id: int):
    data = parse_body(VisitPatch)
    visit = visits.get_visit(visit_id)
    visits.check_visit_access(visit, current_user)
    if data.asha_id is not None or data.scheduled_on is not None:
        visits.manage(visit, current_user, asha_id=data.asha_id, scheduled_on=data.scheduled_on)
    if data.status is not None:
        visits.record_outcome(
            visit,
            current_user,
            status=data.status,
            visited_on=data.visited_on,
            notes=data.notes,
            missed_reason=data.missed_reason,
            reschedule_to=data.reschedule_to,
            vitals=data.vitals.model_dump() if data.vitals else None,
        )
    return jsonify(visits.to_dict(visit))


# ---- vaccination ----------------------------------------------------------------------


@api_route(
    "/vaccination/beneficiaries",
    methods=("POST",),
    roles=(JHI,),
    body=BeneficiaryIn,
    tag="vaccination",
    summary="Register a beneficiary: a child (schedule from the date of birth) or a "
    "pregnant woman (Td)",
    responses={201: "registered, with the schedule", 400: "invalid", 409: "already registered"},
)
def register_beneficiary():
    data = parse_body(BeneficiaryIn)
    patient = patients.get_by_health_id(data.health_id)
    ben = vaccination.register(patient, data.group, edd=data.edd, registered_by_id=current_user.id)
    return jsonify(
        id=ben.id,
        health_id=patient.health_id,
        group=ben.group,
        track=ben.track,
        schedule=[vaccination.state_dict(s) for s in vaccination.states(ben)],
    ), 201


@api_route(
    "/patients/<health_id>/immunizations",
    roles=(PATIENT, PHN, JHI, ASHA, DOCTOR),
    tag="vaccination",
    summary="The patient's schedule: each dose with due, latest and given dates and status",
)
def immunizations(health_id: str):
    patient = patients.readable(health_id, "immunizations api")
    items = []
    for ben in vaccination.beneficiaries_of(patient):
        items += [
            {**vaccination.state_dict(s), "group": ben.group} for s in vaccination.states(ben)
        ]
    return jsonify(items)


@api_route(
    "/patients/<health_id>/immunizations",
    methods=("POST",),
    roles=(PHN, JHI),
    body=DoseIn,
    tag="vaccination",
    summary="Record a dose given (checked against the schedule: minimum age, upper age "
    "limit, interval after the previous dose)",
    responses={201: "recorded", 400: "refused by the schedule", 409: "already recorded"},
)
def record_immunization(health_id: str):
    data = parse_body(DoseIn)
    patient = patients.get_by_health_id(health_id)
    ben = vaccination.pick_beneficiary(patient, data.dose)
    imm = vaccination.record_dose(
        ben,
        dose=data.dose,
        given_on=data.given_on,
        batch=data.batch,
        site=data.site,
        given_by_id=current_user.id,
    )
    state = next(s for s in vaccination.states(ben) if s.code == imm.dose)
    return jsonify({**vaccination.state_dict(state), "id": imm.id, "batch": imm.batch}), 201


@api_route(
    "/vaccination/coverage",
    roles=(PHN, JHI, DOCTOR, ADMIN),
    tag="vaccination",
    summary="Coverage per dose, by area and by birth cohort",
    query={"area": "ward/village", "vaccine": "e.g. MR or mr-1", "cohort": "year of birth"},
)
def vaccination_coverage():
    cohort = request.args.get("cohort") or None
    if cohort is not None and not cohort.isdigit():
        raise ServiceError("cohort is a year of birth.", {"cohort": "YYYY"})
    return jsonify(
        vaccination.coverage(
            area=request.args.get("area") or None,
            vaccine=request.args.get("vaccine") or None,
            cohort=int(cohort) if cohort else None,
        )
    )


@api_route(
    "/vaccination/due",
    roles=(PHN, JHI, ASHA, DOCTOR),
    tag="vaccination",
    summary="Beneficiaries with doses due, overdue (defaulters) or due within a week",
    query={
        "area": "ward/village",
        "asha_id": "ASHA user id (an ASHA: her own)",
        "page": "page number (defaulters first)",
        "per_page": "up to 1000",
    },
)
def vaccination_due():
    asha_id = request.args.get("asha_id", type=int)
    if current_user.role == ASHA:
        asha_id = current_user.id
    rows = vaccination.due_list(area=request.args.get("area") or None, asha_id=asha_id)
    page, per_page = page_args(100, 1000)
    shown = rows[(page - 1) * per_page : page * per_page]
    return jsonify(
        items=[
            {
                "health_id": r.patient.health_id,
                "name": r.patient.name,
                "area": r.patient.area,
                "group": r.beneficiary.group,
                "defaulter": r.defaulter,
                "doses": [vaccination.state_dict(d) for d in r.doses],
            }
            for r in shown
        ],
        page=page,
        per_page=per_page,
        total=len(rows),
        defaulters=sum(r.defaulter for r in rows),
    )


@api_route(
    "/vaccination/schedule",
    roles=(PATIENT, PHN, JHI, ASHA, DOCTOR, ADMIN),
    tag="vaccination",
    summary="The UIP schedule as data, with its sources",
)
def vaccination_schedule():
    sched = schedule.load()
    return jsonify(sched.model_dump())


# ---- growth ---------------------------------------------------------------------------


@api_route(
    "/patients/<health_id>/growth",
    methods=("POST",),
    roles=(ASHA, PHN),
    body=GrowthIn,
    tag="growth",
    summary="Record a child's measurements; answers WHO z-scores and classification",
    responses={201: "recorded", 400: "invalid or implausible measurement"},
)
def record_growth(health_id: str):
    data = parse_body(GrowthIn)
    patient = patients.readable(health_id, "growth api")
    row, result = growth.record(patient, **data.model_dump(), recorded_by_id=current_user.id)
    return jsonify(growth.to_dict(row, result)), 201


@api_route(
    "/patients/<health_id>/growth",
    roles=(PATIENT, ASHA, PHN, DOCTOR),
    tag="growth",
    summary="A child's measurements with z-scores",
)
def growth_history(health_id: str):
    patient = patients.readable(health_id, "growth api")
    return jsonify([growth.to_dict(m) for m in growth.history(patient)])
