"""Child growth pages: flagged children, and one child's measurements and chart."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.access import ASHA, DOCTOR, PATIENT, PHN, allow
from hub.errors.exceptions import ServiceError
from hub.forms import show_service_error
from hub.growth import services
from hub.growth.forms import MeasurementForm
from hub.patients import services as patients

bp = Blueprint("growth", __name__, url_prefix="/growth")
MEASURERS = (ASHA, PHN)


@bp.route("/")
@allow(ASHA, PHN, DOCTOR)
def flagged():
    asha = current_user.id if current_user.role == ASHA else request.args.get("asha", type=int)
    rows = services.flagged(asha_id=asha, area=request.args.get("area") or None)
    return render_template("growth/flagged.html", rows=rows)


@bp.route("/patients/<health_id>", methods=["GET", "POST"])
@allow(PATIENT, ASHA, PHN, DOCTOR)
def child(health_id: str):
    patient = patients.readable(health_id, "growth chart")
    form = MeasurementForm()
    if request.method == "POST":
        if current_user.role not in MEASURERS:
            abort(403, "an ASHA or PHN records measurements")
        if form.validate_on_submit():
            lying = {"lying": True, "standing": False}.get(form.position.data)
            try:
                _, result = services.record(
                    patient,
                    measured_on=form.measured_on.data,
                    weight_kg=form.weight_kg.data,
                    height_cm=form.height_cm.data,
                    measured_lying=lying,
                    head_circumference_cm=form.head_circumference_cm.data,
                    muac_cm=form.muac_cm.data,
                    recorded_by_id=current_user.id,
                )
            except ServiceError as exc:
                show_service_error(form, exc)
            else:
                words = "; ".join(f"{v}" for v in result.classification.values())
                flash(f"Saved. {words}", "error" if result.severity else "info")
                return redirect(url_for("growth.child", health_id=patient.health_id))
    points = services.history(patient)
    return render_template(
        "growth/child.html",
        patient=patient,
        points=[services.to_dict(m) for m in points],
        charts=services.charts_for(patient, points),
        form=form,
        can_measure=current_user.role in MEASURERS,
    )
