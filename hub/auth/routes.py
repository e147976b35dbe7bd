"""Log in, log out, register, change password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from hub.access import AUTHENTICATED, allow, public
from hub.auth import services
from hub.auth.forms import LoginForm, PasswordForm, RegisterForm
from hub.errors.exceptions import ServiceError
from hub.forms import show_service_error
from hub.patients.health_id import display

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    if (
        target
        and urlsplit(target).netloc == ""
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return url_for("views.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("views.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        except ServiceError as exc:
            flash(exc.message, "error")
            status = exc.status
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@allow(AUTHENTICATED)
def logout():
    logout_user()
    flash("You have logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            patient = services.register_patient(
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                date_of_birth=form.date_of_birth.data,
                sex=form.sex.data,
                phone=form.phone.data or None,
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return render_template(
                "auth/registered.html",
                health_id=display(patient.health_id),
                active=patient.user.is_active,
            )
    return render_template("auth/register.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@allow(AUTHENTICATED)
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            login_user(current_user)  # keep this session, with the new session version
            flash("Password changed. Other sessions and API tokens have been signed out.", "info")
            return redirect(url_for("views.dashboard"))
    return render_template("auth/password.html", form=form)
