"""API: surveillance cases, alerts, and the IDSP report."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from flask import Response, jsonify, request
from flask_login import current_user
from pydantic import Field

from hub.access import ADMIN, DOCTOR, JHI, PHN
from hub.api import api_route, page_args, page_dict, parse_body
from hub.api.schemas import Body
from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.surveillance import reports, services
from hub.surveillance.models import DiseaseCase, OutbreakAlert

REPORTERS = (JHI, DOCTOR, PHN)
VIEWERS = (JHI, DOCTOR, PHN, ADMIN)


class CaseIn(Body):
    form: Literal["S", "P", "L"]
    disease: str = Field(description="a syndrome code (S) or disease code (P, L)")
    area: str = Field(max_length=120)
    onset_date: date
    age_years: int | None = None
    sex: Literal["female", "male", "other"] | None = None
    health_id: str | None = None
    lab_test: str | None = None
    lab_result: str | None = None
    count: int = Field(1, ge=1, le=10000)


class AlertPatch(Body):
    status: Literal["new", "investigating", "confirmed", "discarded", "closed"]
    note: str | None = Field(None, max_length=4000)


def case_dict(c: DiseaseCase) -> dict:
    return {
        "id": c.id,
        "form": c.form,
        "disease": c.condition,
        "area": c.area,
        "onset_date": c.onset_date.isoformat(),
        "age_years": c.age_years,
        "sex": c.sex,
        "health_id": c.health_id,
        "lab_test": c.lab_test,
        "lab_result": c.lab_result,
        "count": c.count,
        "week": services.week_label(services.week_start(c.onset_date)),
    }


def alert_dict(a: OutbreakAlert) -> dict:
    return {
        "id": a.id,
        "disease": a.condition,
        "area": a.area,
        "day": a.day.isoformat(),
        "method": a.method,
        "value": a.value,
        "threshold": a.threshold,
        "cases": a.cases,
        "status": a.status,
    }


@api_route(
    "/surveillance/cases",
    methods=("POST",),
    roles=REPORTERS,
    body=CaseIn,
    tag="surveillance",
    summary="Report a case (IDSP S, P or L form)",
    responses={201: "reported", 400: "invalid"},
)
def post_case():
    data = parse_body(CaseIn)
    case = services.report_case(
        form=data.form,
        condition=data.disease,
        area=data.area,
        onset_date=data.onset_date,
        age_years=data.age_years,
        sex=data.sex,
        health_id=data.health_id,
        lab_test=data.lab_test,
        lab_result=data.lab_result,
        reporter_id=current_user.id,
        count=data.count,
    )
    return jsonify(case_dict(case)), 201


@api_route(
    "/surveillance/cases",
    roles=VIEWERS,
    tag="surveillance",
    summary="Cases, filtered by disease, area and reporting week",
    query={"disease": "code", "area": "ward/village", "week": "YYYY-Www"},
)
def list_cases():
    page, per_page = page_args(50, 500)
    query = db.select(DiseaseCase).order_by(DiseaseCase.onset_date.desc(), DiseaseCase.id.desc())
    if request.args.get("disease"):
        query = query.where(DiseaseCase.condition == request.args["disease"])
    if request.args.get("area"):
        query = query.where(DiseaseCase.area == request.args["area"])
    if request.args.get("week"):
        monday = services.parse_week(request.args["week"])
        query = query.where(
            DiseaseCase.onset_date >= monday, DiseaseCase.onset_date <= monday + timedelta(days=6)
        )
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return jsonify(page_dict(pagination, [case_dict(c) for c in pagination.items]))


@api_route(
    "/surveillance/alerts",
    roles=VIEWERS,
    tag="surveillance",
    summary="Outbreak alerts",
    query={"status": "filter"},
)
def list_alerts():
    query = db.select(OutbreakAlert).order_by(OutbreakAlert.day.desc(), OutbreakAlert.id.desc())
    if request.args.get("status"):
        query = query.where(OutbreakAlert.status == request.args["status"])
    return jsonify(items=[alert_dict(a) for a in db.session.scalars(query.limit(1000))])


@api_route(
    "/surveillance/alerts/<int:alert_id>",
    methods=("PATCH",),
    roles=(JHI, DOCTOR),
    body=AlertPatch,
    tag="surveillance",
    summary="Move an alert: new -> investigating -> confirmed/discarded -> closed",
)
def patch_alert(alert_id: int):
    alert = db.get_or_404(OutbreakAlert, alert_id)
    data = parse_body(AlertPatch)
    services.update_alert(alert, current_user.id, data.status, data.note)
    return jsonify(alert_dict(alert))


@api_route(
    "/reports/idsp",
    roles=reports.OWNERS["idsp-weekly"],
    tag="surveillance",
    summary="The weekly IDSP S/P/L report (kept after it is made)",
    query={"week": "YYYY-Www", "area": "optional", "format": "csv or pdf"},
)
def idsp_report():
    fmt = request.args.get("format", "csv")
    if fmt not in reports.MEDIA:
        raise ServiceError("format is csv or pdf.", {"format": "csv or pdf"})
    week = request.args.get("week")
    # no week: the last complete reporting week
    monday = (
        services.parse_week(week) if week else services.week_start(date.today()) - timedelta(days=7)
    )
    data, report = reports.idsp_report(
        monday, request.args.get("area") or None, fmt, current_user.id
    )
    return Response(
        data,
        mimetype=reports.MEDIA[fmt],
        headers={"Content-Disposition": f"attachment; filename=idsp-{report.period}.{fmt}"},
    )
