"""Attendance pages: the day's register, the monthly report (chart + CSV), corrections."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.access import ADMIN, STAFF_ROLES, allow
from hub.attendance import services
from hub.attendance.forms import CorrectionForm
from hub.errors.exceptions import ServiceError
from hub.forms import show_service_error

bp = Blueprint("attendance", __name__, url_prefix="/attendance")
VIEWERS = (ADMIN, *STAFF_ROLES)


@bp.route("/")
@allow(*VIEWERS)
def day():
    the_day = services.parse_day(request.args.get("date"))
    records = services.daily_records(current_user, the_day)
    form = CorrectionForm(day=the_day) if current_user.role == ADMIN else None
    return render_template("attendance/day.html", day=the_day, records=records, form=form)


@bp.route("/monthly")
@allow(*VIEWERS)
def monthly():
    month = services.parse_month(request.args.get("month"))
    summary = services.monthly(current_user, month)
    per_day = summary.present_per_day()
    return render_template(
        "attendance/monthly.html",
        summary=summary,
        month=month,
        people=summary.per_person(),
        per_day=per_day,
        max_present=max([n for _, n in per_day] + [1]),
    )


@bp.route("/monthly.csv")
@allow(*VIEWERS)
def monthly_csv():
    month = services.parse_month(request.args.get("month"))
    body = services.monthly_csv(services.monthly(current_user, month))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=attendance-{month:%Y-%m}.csv"},
    )


@bp.route("/corrections", methods=["POST"])
@allow(ADMIN)
def correct():
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            services.correct(
                current_user,
                form.staff_id.data.strip(),
                form.day.data,
                form.first_in.data,
                form.last_out.data,
                form.reason.data,
            )
        except ServiceError as exc:
            show_service_error(form, exc)
            flash(exc.message + " " + "; ".join(exc.fields.values()), "error")
        else:
            flash("Correction saved.", "info")
        return redirect(url_for("attendance.day", date=form.day.data.isoformat()))
    flash(
        "Correction not saved: "
        + "; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()),
        "error",
    )
    return redirect(url_for("attendance.day"))
