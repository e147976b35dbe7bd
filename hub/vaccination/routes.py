"""Vaccination pages: due lists and registration, a beneficiary's card, live coverage."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.access import ADMIN, ASHA, DOCTOR, JHI, PATIENT, PHN, allow
from hub.errors.exceptions import NotFound, ServiceError
from hub.forms import choices, show_service_error
from hub.patients import services as patients
from hub.vaccination import schedule, services
from hub.vaccination.forms import DoseForm, RegisterForm

bp = Blueprint("vaccination", __name__, url_prefix="/vaccination")
LIST_ROLES = (PHN, JHI, ASHA, DOCTOR)
GIVERS = (PHN, JHI)
COVERAGE_ROLES = (PHN, JHI, DOCTOR, ADMIN)
PER_PAGE = 100


@bp.route("/", methods=["GET", "POST"])
@allow(*LIST_ROLES)
def due():
    form = RegisterForm()
    if request.method == "POST":
        if current_user.role != JHI:
            abort(403, "the JHI registers beneficiaries")
        if form.validate_on_submit():
            try:
                patient = patients.get_by_health_id(form.health_id.data)
                services.register(
                    patient, form.group.data, edd=form.edd.data, registered_by_id=current_user.id
                )
            except ServiceError as exc:
                show_service_error(form, exc)
            else:
                flash(f"{patient.name} registered for vaccination.", "info")
                return redirect(url_for("vaccination.card", health_id=patient.health_id))
    area = request.args.get("area") or None
    asha = current_user.id if current_user.role == ASHA else request.args.get("asha", type=int)
    rows = services.due_list(area=area, asha_id=asha)
    from hub.visits.services import asha_choices

    page = max(1, request.args.get("page", 1, type=int))
    return render_template(
        "vaccination/due.html",
        form=form,
        rows=rows[(page - 1) * PER_PAGE : page * PER_PAGE],
        total=len(rows),
        defaulters=sum(r.defaulter for r in rows),
        page=page,
        pages=max(1, -(-len(rows) // PER_PAGE)),
        area=area,
        asha=asha,
        areas=services.areas(),
        ashas=asha_choices(),
        can_register=current_user.role == JHI,
    )


@bp.route("/me")
@allow(PATIENT)
def mine():
    patient = patients.patient_of_user(current_user)
    if patient is None:
        raise NotFound("No patient record is linked to this account.")
    return redirect(url_for("vaccination.card", health_id=patient.health_id))


@bp.route("/patients/<health_id>", methods=["GET", "POST"])
@allow(PATIENT, *LIST_ROLES)
def card(health_id: str):
    patient = patients.readable(health_id, "immunization card")
    bens = services.beneficiaries_of(patient)
    form = DoseForm()
    open_doses = []
    for b in bens:
        if b.active:
            open_doses += [
                s
                for s in services.states(b)
                if s.status in (schedule.DUE, schedule.OVERDUE, schedule.UPCOMING)
            ]
    form.dose.choices = choices(
        [(s.code, f"{s.label} (due {s.due_on:%d %b %Y})") for s in open_doses]
    )
    if request.method == "POST":
        if current_user.role not in GIVERS:
            abort(403, "a PHN or JHI records doses")
        if form.validate_on_submit():
            try:
                ben = services.pick_beneficiary(patient, form.dose.data)
                services.record_dose(
                    ben,
                    dose=form.dose.data,
                    given_on=form.given_on.data,
                    batch=form.batch.data,
                    site=form.site.data,
                    given_by_id=current_user.id,
                )
            except ServiceError as exc:
                show_service_error(form, exc)
            else:
                flash("Dose recorded.", "info")
                return redirect(url_for("vaccination.card", health_id=patient.health_id))
    cards = [(b, services.states(b)) for b in bens]
    return render_template(
        "vaccination/card.html",
        patient=patient,
        cards=cards,
        form=form,
        can_give=current_user.role in GIVERS and bool(open_doses),
        today=date.today(),
    )


@bp.route("/coverage")
@allow(*COVERAGE_ROLES)
def coverage():
    area = request.args.get("area") or None
    cohort = request.args.get("cohort", type=int)
    data = services.coverage(area=area, cohort=cohort)
    labels = {d["dose"]: d["label"] for d in data["doses"]}
    dose = request.args.get("dose") if request.args.get("dose") in labels else "penta-3"

    def pct_of(block: dict) -> float:
        d = next((d for d in block["doses"] if d["dose"] == dose), None)
        return d["coverage_pct"] or 0 if d else 0

    return render_template(
        "vaccination/coverage.html",
        data=data,
        dose=dose,
        labels=labels,
        area_bars=[(b["area"] or "-", pct_of(b)) for b in data["by_area"]],
        cohort_bars=[(str(b["cohort"]), pct_of(b)) for b in data["by_cohort"]],
        area=area,
        cohort=cohort,
        areas=services.areas(),
        cohorts=list(range(date.today().year, date.today().year - 17, -1)),
    )
