"""Doctor search."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.access import ADMIN, AUTHENTICATED, STAFF_ROLES, allow
from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.forms import show_service_error
from hub.staff import faces
from hub.staff.forms import FaceForm
from hub.staff.models import FaceTemplate, StaffProfile
from hub.staff.services import doctor_search_query, enrolment_target

bp = Blueprint("staff", __name__)

PER_PAGE = 20


@bp.route("/doctors")
@allow(AUTHENTICATED)
def doctors():
    q = request.args.get("q", "").strip()
    page = db.paginate(doctor_search_query(q), per_page=PER_PAGE, error_out=False)
    return render_template("staff/doctors.html", q=q, page=page)


@bp.route("/staff/faces", methods=["GET", "POST"])
@allow(ADMIN, *STAFF_ROLES)
def enrol_faces():
    """Admins enrol any staff member's photos; staff enrol their own."""
    form = FaceForm()
    if form.validate_on_submit():
        try:
            profile = enrolment_target(current_user, form.staff_id.data)
            faces.enrol_photo(profile, form.file.data.read(), current_user.id)
        except ServiceError as exc:
            db.session.rollback()
            show_service_error(form, exc)
        else:
            published = faces.publish_gallery(profile.site_id)
            flash(
                f"Photo enrolled for {profile.user.name}."
                + (
                    ""
                    if published
                    else " The kiosks get it when the hub's ingest next connects to the broker."
                ),
                "info",
            )
            return redirect(url_for("staff.enrol_faces"))
    counts = dict(
        db.session.execute(
            db.select(FaceTemplate.user_id, db.func.count(FaceTemplate.id)).group_by(
                FaceTemplate.user_id
            )
        ).all()
    )
    query = db.select(StaffProfile).order_by(StaffProfile.staff_code)
    if current_user.role != ADMIN:
        query = query.where(StaffProfile.user_id == current_user.id)
    return render_template(
        "staff/faces.html", form=form, profiles=db.session.scalars(query), counts=counts
    )
