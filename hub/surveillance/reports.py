"""Generated reports: made on schedule (APScheduler) or on demand, kept under the upload
folder and served to the roles that own them."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from pathlib import Path

from flask import Flask, current_app

from hub.access import ADMIN, DOCTOR, JHI, PHARMACIST, PHN
from hub.extensions import db
from hub.scheduler import job
from hub.surveillance import services
from hub.surveillance.models import GeneratedReport

#: report kind -> roles that may download it
OWNERS = {
    "idsp-weekly": (JHI, DOCTOR, PHN, ADMIN),
    "attendance-monthly": (ADMIN, DOCTOR),
    "vaccination-coverage-monthly": (PHN, JHI, DOCTOR, ADMIN),
    "visits-overdue": (PHN,),
    "stock-alerts": (PHARMACIST, ADMIN),
}
MEDIA = {"csv": "text/csv", "pdf": "application/pdf"}


def report_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(
    kind: str, period: str, area: str | None, fmt: str, data: bytes, creator_id: int | None
) -> GeneratedReport:
    name = secrets.token_hex(16)
    (report_dir() / name).write_bytes(data)
    report = GeneratedReport(
        kind=kind, period=period, area=area, format=fmt, stored_name=name, created_by_id=creator_id
    )
    db.session.add(report)
    db.session.commit()
    return report


def last_month(today: date | None = None) -> date:
    """The first day of the month before ``today``'s."""
    return ((today or date.today()).replace(day=1) - timedelta(days=1)).replace(day=1)


def idsp_report(
    monday: date, area: str | None, fmt: str, creator_id: int | None
) -> tuple[bytes, GeneratedReport]:
    data = services.idsp_pdf(monday, area) if fmt == "pdf" else services.idsp_csv(monday, area)
    return data, store("idsp-weekly", services.week_label(monday), area, fmt, data, creator_id)


@job("idsp-weekly-report", trigger="cron", day_of_week="mon", hour=6, minute=0)
def weekly_idsp(app: Flask) -> list[int]:
    """Last week's IDSP S/P/L report for the whole centre, CSV and PDF."""
    with app.app_context():
        monday = services.week_start(date.today()) - timedelta(days=7)
        return [idsp_report(monday, None, fmt, None)[1].id for fmt in ("csv", "pdf")]


@job("attendance-monthly-report", trigger="cron", day=1, hour=6, minute=30)
def monthly_attendance(app: Flask) -> int:
    """Last month's staff attendance (CSV) for the admins."""
    from hub.attendance.services import monthly, monthly_csv
    from hub.auth.models import User

    with app.app_context():
        month = last_month()
        viewer = User(role=ADMIN, id=0, name="scheduler", email="", password_hash="")
        data = monthly_csv(monthly(viewer, month)).encode()
        return store("attendance-monthly", f"{month:%Y-%m}", None, "csv", data, None).id


def coverage_report(month: date, fmt: str, creator_id: int | None) -> GeneratedReport:
    """The vaccination coverage of the children registered, as at the end of ``month``."""
    from hub.vaccination.services import report_csv, report_pdf

    nxt = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    month_end = min(nxt - timedelta(days=1), date.today())
    data = report_pdf(month_end) if fmt == "pdf" else report_csv(month_end)
    return store("vaccination-coverage-monthly", f"{month:%Y-%m}", None, fmt, data, creator_id)


@job("vaccination-coverage-monthly-report", trigger="cron", day=1, hour=6, minute=45)
def monthly_coverage(app: Flask) -> list[int]:
    """Last month's vaccination coverage (CSV and PDF) by area and birth cohort."""
    with app.app_context():
        month = last_month()
        return [coverage_report(month, fmt, None).id for fmt in ("csv", "pdf")]


@job("visits-overdue", trigger="cron", hour=6, minute=0)
def visits_overdue(app: Flask) -> int:
    """The morning run: passed visits become overdue, recurring plans are extended, and the
    PHN gets the overdue list (kept as a report; also on her Home visits page)."""
    import logging

    from hub.visits.services import mark_overdue, overdue_csv

    with app.app_context():
        newly = mark_overdue()
        store("visits-overdue", f"{date.today():%Y-%m-%d}", None, "csv", overdue_csv(), None)
        logging.getLogger(__name__).info("%d visits newly overdue", len(newly))
        return len(newly)


@job("pharmacy-stock-alerts", trigger="cron", hour=6, minute=15)
def stock_alerts(app: Flask) -> dict[str, int]:
    """Low stock (usable at or under the reorder level) and batches expiring within 90
    days: logged as warnings and kept as the pharmacists' morning report."""
    import logging

    from hub.pharmacy.services import alerts, alerts_csv

    log = logging.getLogger(__name__)
    with app.app_context():
        data = alerts()
        for a in data["low_stock"]:
            log.warning("ALERT low stock: %s %s usable", a["medicine"], a["usable"])
        for a in data["near_expiry"]:
            log.warning("ALERT near expiry: %s batch %s %s", a["medicine"], a["batch"],
                        a["expiry"])  # fmt: skip
        store("stock-alerts", f"{date.today():%Y-%m-%d}", None, "csv", alerts_csv(data), None)
        return {k: len(v) for k, v in data.items()}


@job("outbreak-detection", trigger="cron", hour=5, minute=0)
def outbreak_detection(app: Flask) -> int:
    """EARS C1/C2/C3 and fixed thresholds per disease and area; new alerts."""
    with app.app_context():
        return len(services.run_detection())
