"""Member administration: approve, deactivate, create staff."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func

from hub.access import ADMIN, ALL_ROLES, ROLE_LABELS, allow
from hub.admin.forms import StaffForm, StatusForm
from hub.auth import services as accounts
from hub.auth.models import STATUSES, User
from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.forms import show_service_error

bp = Blueprint("admin", __name__, url_prefix="/admin")


def members_query(*, status: str | None, role: str | None, q: str | None):
    query = db.select(User).order_by(User.created_at.desc(), User.id.desc())
    if status in STATUSES:
        query = query.where(User.status == status)
    if role in ALL_ROLES:
        query = query.where(User.role == role)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(func.lower(User.name).like(like) | User.email.like(like))
    return query


@bp.route("/members")
@allow(ADMIN)
def members():
    status, role, q = (request.args.get(k) or None for k in ("status", "role", "q"))
    page = db.paginate(members_query(status=status, role=role, q=q), per_page=30, error_out=False)
    return render_template(
        "admin/members.html",
        page=page,
        status=status,
        role=role,
        q=q or "",
        statuses=STATUSES,
        roles=ALL_ROLES,
        labels=ROLE_LABELS,
        status_form=StatusForm(),
    )


@bp.route("/members/<int:user_id>/status", methods=["POST"])
@allow(ADMIN)
def set_status(user_id: int):
    user = db.get_or_404(User, user_id)
    form = StatusForm()
    if not form.validate_on_submit():
        flash("Choose a status.", "error")
    elif user.id == current_user.id and form.status.data != "active":
        flash("You cannot deactivate your own account.", "error")
    else:
        accounts.set_status(user, form.status.data)
        flash(f"{user.name} is now {user.status}.", "info")
    return redirect(request.referrer or url_for("admin.members"))


@bp.route("/members/new", methods=["GET", "POST"])
@allow(ADMIN)
def new_member():
    form = StaffForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_staff(
                name=form.name.data,
                email=form.email.data,
                role=form.role.data,
                password=form.password.data,
                phone=form.phone.data or None,
                specialisation=form.specialisation.data,
                area=form.area.data,
                consultation_hours=form.consultation_hours.data,
            )
        except ServiceError as exc:
            db.session.rollback()
            show_service_error(form, exc)
        else:
            flash(f"Account created for {user.name}.", "info")
            return redirect(url_for("admin.members"))
    return render_template("admin/new_member.html", form=form)
