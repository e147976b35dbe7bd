"""The landing page and each role's home page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func

from hub.access import ADMIN, AUTHENTICATED, PATIENT, allow, public
from hub.auth.models import PENDING, User
from hub.extensions import db
from hub.feedback.models import OPEN, Feedback
from hub.patients.services import patient_of_user

bp = Blueprint("views", __name__)


@bp.route("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("views.dashboard"))
    return render_template("index.html")


@bp.route("/dashboard")
@allow(AUTHENTICATED)
def dashboard():
    context: dict = {}
    if current_user.role == PATIENT:
        context["patient"] = patient_of_user(current_user)
    elif current_user.role == ADMIN:
        context["pending"] = db.session.scalar(
            db.select(func.count(User.id)).where(User.status == PENDING)
        )
        context["open_feedback"] = db.session.scalar(
            db.select(func.count(Feedback.id)).where(Feedback.status == OPEN)
        )
    context["stats"] = _work_stats(current_user.role)
    return render_template("dashboard.html", **context)


def _work_stats(role: str) -> list[tuple[int, str, str]]:
    """The day's work in numbers for the staff roles: (count, words, page)."""
    from datetime import date

    from hub.access import ASHA, DOCTOR, PHARMACIST, PHN
    from hub.clinic.models import OPEN_STATUSES, Prescription
    from hub.visits import services as visits
    from hub.visits.models import SCHEDULED, Visit

    today = date.today()
    stats: list[tuple[int, str, str]] = []
    if role == ASHA:
        day = visits.asha_day(current_user.id, today)
        stats += [
            (len(day.overdue), "overdue visits", url_for("visits.mine")),
            (len(day.today), "visits today", url_for("visits.mine")),
        ]
    elif role == PHN:
        overdue = db.session.scalar(
            db.select(func.count(Visit.id)).where(
                Visit.status == SCHEDULED, Visit.scheduled_on < today
            )
        )
        stats.append((overdue, "overdue home visits", url_for("visits.manage")))
    if role in (PHARMACIST, DOCTOR):
        queue = db.session.scalar(
            db.select(func.count(Prescription.id)).where(Prescription.status.in_(OPEN_STATUSES))
        )
        target = "pharmacy.queue" if role == PHARMACIST else "clinic.find"
        stats.append((queue, "prescriptions to dispense", url_for(target)))
    if role == PHARMACIST:
        from hub.pharmacy.services import stock_lines

        low = sum(1 for line in stock_lines(today) if line.low)
        stats.append((low, "medicines at or under reorder level", url_for("pharmacy.stock")))
    return stats
