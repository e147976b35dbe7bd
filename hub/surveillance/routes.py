"""Surveillance pages: dashboard with epidemic curves, case entry, alerts, reports."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import func

from hub.access import ADMIN, DOCTOR, JHI, PHN, allow
from hub.attendance.services import parse_month
from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.forms import show_service_error
from hub.surveillance import diseases, reports, services
from hub.surveillance.forms import AlertForm, CaseForm, WeeklyForm
from hub.surveillance.models import AlertNote, DiseaseCase, GeneratedReport, OutbreakAlert

bp = Blueprint("surveillance", __name__, url_prefix="/surveillance")
REPORTERS = (JHI, DOCTOR, PHN)
VIEWERS = (JHI, DOCTOR, PHN, ADMIN)
RESPONDERS = (JHI, DOCTOR)


@bp.route("/")
@allow(*VIEWERS)
def dashboard():
    since = date.today() - timedelta(days=55)
    totals = db.session.execute(
        db.select(DiseaseCase.condition, func.sum(DiseaseCase.count))
        .where(DiseaseCase.onset_date >= since)
        .group_by(DiseaseCase.condition)
        .order_by(func.sum(DiseaseCase.count).desc())
    ).all()
    condition = request.args.get("disease") or (totals[0][0] if totals else "add")
    curve = services.epidemic_curve(condition)
    by_area = db.session.execute(
        db.select(DiseaseCase.area, func.sum(DiseaseCase.count))
        .where(
            DiseaseCase.condition == condition,
            DiseaseCase.onset_date >= date.today() - timedelta(days=27),
        )
        .group_by(DiseaseCase.area)
        .order_by(func.sum(DiseaseCase.count).desc())
    ).all()
    open_alerts = db.session.scalars(
        db.select(OutbreakAlert)
        .where(OutbreakAlert.status.in_(("new", "investigating", "confirmed")))
        .order_by(OutbreakAlert.day.desc(), OutbreakAlert.id.desc())
        .limit(100)
    ).all()
    return render_template(
        "surveillance/dashboard.html",
        condition=condition,
        curve=curve,
        max_cases=max([n for _, n in curve] + [1]),
        by_area=by_area,
        totals=totals,
        alerts=open_alerts,
        label=diseases.label,
        conditions={**diseases.SYNDROMES, **diseases.DISEASES},
    )


@bp.route("/cases", methods=["GET", "POST"])
@allow(*REPORTERS)
def cases():
    form, weekly = CaseForm(), WeeklyForm(prefix="weekly")
    if form.submit.data and form.validate_on_submit():
        code, condition = form.condition.data.split(":", 1)
        try:
            services.report_case(
                form=code,
                condition=condition,
                area=form.area.data,
                onset_date=form.onset_date.data,
                age_years=form.age_years.data,
                sex=form.sex.data or None,
                health_id=form.health_id.data or None,
                lab_test=form.lab_test.data or None,
                lab_result=form.lab_result.data or None,
                reporter_id=current_user.id,
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash("Case reported.", "info")
            return redirect(url_for("surveillance.cases"))
    recent = db.session.scalars(
        db.select(DiseaseCase).order_by(DiseaseCase.id.desc()).limit(50)
    ).all()
    return render_template(
        "surveillance/cases.html", form=form, weekly=weekly, recent=recent, label=diseases.label
    )


@bp.route("/weekly", methods=["POST"])
@allow(*REPORTERS)
def weekly_counts():
    weekly = WeeklyForm(prefix="weekly")
    if weekly.validate_on_submit():
        code, condition = weekly.condition.data.split(":", 1)
        try:
            row = services.report_weekly(
                form=code,
                condition=condition,
                area=weekly.area.data,
                week=weekly.week.data,
                count=weekly.count.data,
                reporter_id=current_user.id,
            )
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(f"Week {services.week_label(row.week_start)}: {row.count} saved.", "info")
    else:
        flash(
            "Weekly count not saved: "
            + "; ".join(f"{k}: {', '.join(v)}" for k, v in weekly.errors.items()),
            "error",
        )
    return redirect(url_for("surveillance.cases"))


@bp.route("/alerts/<int:alert_id>", methods=["GET", "POST"])
@allow(*VIEWERS)
def alert(alert_id: int):
    item = db.get_or_404(OutbreakAlert, alert_id)
    form = AlertForm(obj=item)
    if request.method == "POST":
        if current_user.role not in RESPONDERS:
            abort(403, "only the JHI and doctors work alerts")
        if form.validate_on_submit():
            try:
                services.update_alert(item, current_user.id, form.status.data, form.note.data)
            except ServiceError as exc:
                show_service_error(form, exc)
            else:
                flash("Alert updated.", "info")
                return redirect(url_for("surveillance.alert", alert_id=item.id))
    notes = db.session.scalars(
        db.select(AlertNote).where(AlertNote.alert_id == item.id).order_by(AlertNote.id)
    ).all()
    curve = services.epidemic_curve(item.condition, area=item.area)
    return render_template(
        "surveillance/alert.html",
        alert=item,
        form=form,
        notes=notes,
        label=diseases.label,
        curve=curve,
        max_cases=max([n for _, n in curve] + [1]),
        can_work=current_user.role in RESPONDERS,
        next_statuses=services.ALERT_FLOW[item.status],
    )


@bp.route("/reports", methods=["GET", "POST"])
@allow(*VIEWERS)
def report_list():
    if request.method == "POST":
        kind = request.form.get("kind", "idsp-weekly")
        if current_user.role not in reports.OWNERS.get(kind, ()):
            abort(403)
        try:
            fmt = request.form.get("format", "pdf")
            if fmt not in reports.MEDIA:
                raise ServiceError("Format is csv or pdf.")
            if kind == "vaccination-coverage-monthly":
                month = parse_month(request.form.get("month"))
                reports.coverage_report(month, fmt, current_user.id)
            else:
                monday = services.parse_week(request.form.get("week", ""))
                area = request.form.get("area") or None
                reports.idsp_report(monday, area, fmt, current_user.id)
            flash("Report made.", "info")
        except ServiceError as exc:
            flash(exc.message, "error")
        return redirect(url_for("surveillance.report_list"))
    kinds = [k for k, roles in reports.OWNERS.items() if current_user.role in roles]
    rows = db.session.scalars(
        db.select(GeneratedReport)
        .where(GeneratedReport.kind.in_(kinds))
        .order_by(GeneratedReport.id.desc())
        .limit(200)
    ).all()
    last_week = services.week_label(services.week_start(date.today()) - timedelta(days=7))
    last_month = reports.last_month().strftime("%Y-%m")
    return render_template(
        "surveillance/reports.html", rows=rows, last_week=last_week, last_month=last_month
    )


@bp.route("/reports/<int:report_id>/file")
@allow(*VIEWERS)
def report_file(report_id: int):
    report = db.get_or_404(GeneratedReport, report_id)
    if current_user.role not in reports.OWNERS.get(report.kind, ()):
        abort(403, "this report belongs to other roles")
    path = reports.report_dir() / report.stored_name
    return send_file(
        path,
        mimetype=reports.MEDIA[report.format],
        as_attachment=True,
        download_name=f"{report.kind}-{report.period}.{report.format}",
    )
