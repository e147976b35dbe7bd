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
    return render_template("dashboard.html", **context)
