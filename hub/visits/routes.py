"""Home-visit pages: the ASHA's phone page, the PHN's list and calendar, one visit."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.access import ASHA, PHN, allow
from hub.attendance.services import parse_month
from hub.audit.services import record_read
from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.forms import choices, show_service_error
from hub.patients import services as patients
from hub.visits import services
from hub.visits.forms import OutcomeForm, PlanForm
from hub.visits.models import KINDS, SCHEDULED, Visit

bp = Blueprint("visits", __name__, url_prefix="/visits")


def _asha_choices(form_field, blank: str = "The patient's ASHA") -> None:
    form_field.choices = [("", blank)] + [(str(u.id), u.name) for u in services.asha_choices()]


@bp.route("/mine")
@allow(ASHA)
def mine():
    day = services.asha_day(current_user.id)
    return render_template("visits/mine.html", day=day, kinds=KINDS, today=date.today())


@bp.route("/", methods=["GET", "POST"])
@allow(PHN)
def manage():
    form = PlanForm()
    _asha_choices(form.asha_id)
    if form.validate_on_submit():
        try:
            patient = patients.get_by_health_id(form.health_id.data)
            plan, made = services.create_plan(
                patient,
                kind=form.kind.data,
                asha_id=form.asha_id.data,
                by_id=current_user.id,
                edd=form.edd.data,
                delivered_on=form.delivered_on.data,
                every_days=form.every_days.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash(f"Plan made for {patient.name}: {len(made)} visits scheduled.", "info")
            return redirect(url_for("visits.manage"))
    asha = request.args.get("asha", type=int)
    status = request.args.get("status") or None
    rows = db.session.scalars(
        services.query_visits(
            asha_id=asha,
            status=status,
            start=None if status == "overdue" else date.today() - timedelta(days=7),
        ).limit(300)
    ).all()
    overdue = db.session.scalars(services.query_visits(status="overdue").limit(300)).all()
    return render_template(
        "visits/manage.html",
        form=form,
        rows=rows,
        overdue=overdue,
        ashas=services.asha_choices(),
        asha=asha,
        status=status,
        kinds=KINDS,
    )


@bp.route("/calendar")
@allow(PHN)
def month_calendar():
    first = parse_month(request.args.get("month"))
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    by_day: dict[date, list[Visit]] = defaultdict(list)
    # the whole grid, including the days of the months either side that it shows
    for v in db.session.scalars(services.query_visits(start=weeks[0][0], end=weeks[-1][-1])):
        by_day[v.scheduled_on].append(v)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = last + timedelta(days=1)
    return render_template(
        "visits/calendar.html",
        first=first,
        weeks=weeks,
        by_day=by_day,
        prev_month=prev_month,
        next_month=next_month,
        today=date.today(),
    )


@bp.route("/<int:visit_id>", methods=["GET", "POST"])
@allow(ASHA, PHN)
def visit(visit_id: int):
    item = services.get_visit(visit_id)
    services.check_visit_access(item, current_user)
    if request.method == "GET":
        record_read(item.patient_id, "home visit")
    form = OutcomeForm()
    if current_user.role == PHN:
        form.status.choices = [*form.status.choices, *choices([("cancelled", "Cancelled")])]
    move_error = None
    if request.method == "POST" and request.form.get("action") == "manage":
        try:
            raw_day = request.form.get("scheduled_on") or None
            services.manage(
                item,
                current_user,
                asha_id=request.form.get("asha_id", type=int),
                scheduled_on=date.fromisoformat(raw_day) if raw_day else None,
            )
        except ValueError:
            move_error = "Give the day as YYYY-MM-DD."
        except ServiceError as exc:
            move_error = "; ".join(exc.fields.values()) or exc.message
        else:
            flash("Visit updated.", "info")
            return redirect(url_for("visits.visit", visit_id=item.id))
    elif form.validate_on_submit():
        try:
            services.record_outcome(
                item,
                current_user,
                status=form.status.data,
                visited_on=form.visited_on.data,
                notes=form.notes.data,
                missed_reason=form.missed_reason.data,
                reschedule_to=form.reschedule_to.data,
                vitals={k: form[k].data for k in services.VITAL_RANGES},
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash("Visit saved.", "info")
            target = "visits.mine" if current_user.role == ASHA else "visits.manage"
            return redirect(url_for(target))
    return render_template(
        "visits/visit.html",
        visit=item,
        form=form,
        kinds=KINDS,
        open=item.status == SCHEDULED,
        today=date.today(),
        ashas=services.asha_choices() if current_user.role == PHN else [],
        move_error=move_error,
    )
