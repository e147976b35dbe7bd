"""Who may call what: every view declares its allowed roles with ``@allow`` (or
``@public``), and one ``before_request`` hook enforces them.

``create_app`` refuses to start when a view has no declaration, so a new route can
never be open by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, jsonify, redirect, request, url_for
from flask_login import current_user

PATIENT = "patient"
ADMIN = "admin"
PHN = "phn"
JHI = "jhi"
DOCTOR = "doctor"
ASHA = "asha"
PHARMACIST = "pharmacist"

STAFF_ROLES: tuple[str, ...] = (PHN, JHI, DOCTOR, ASHA, PHARMACIST)
ALL_ROLES: tuple[str, ...] = (PATIENT, ADMIN, *STAFF_ROLES)
#: Roles that may read a patient's health record (each read is audit-logged).
CLINICAL_ROLES: tuple[str, ...] = (DOCTOR, PHN, ASHA, JHI)
#: Roles an admin may create directly.
CREATABLE_ROLES: tuple[str, ...] = (ADMIN, *STAFF_ROLES)

ROLE_LABELS = {
    PATIENT: "Patient",
    ADMIN: "Administrator",
    PHN: "Public health nurse",
    JHI: "Junior health inspector",
    DOCTOR: "Doctor",
    ASHA: "ASHA worker",
    PHARMACIST: "Pharmacist",
}

PUBLIC = "*public*"
AUTHENTICATED = "*authenticated*"

F = TypeVar("F", bound=Callable)


def allow(*roles: str) -> Callable[[F], F]:
    """Declare the roles that may call a view. ``allow(AUTHENTICATED)``: any logged-in user."""
    unknown = set(roles) - set(ALL_ROLES) - {AUTHENTICATED}
    if unknown or not roles:
        raise ValueError(f"unknown roles {sorted(unknown)}" if unknown else "no roles given")

    def deco(view: F) -> F:
        view.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return deco


def public(view: F) -> F:
    """Declare a view open to everyone, logged in or not."""
    view.allowed_roles = frozenset({PUBLIC})  # type: ignore[attr-defined]
    return view


def allowed_roles(endpoint: str) -> frozenset[str] | None:
    """The declaration of an endpoint, expanded to concrete roles (or ``{PUBLIC}``)."""
    if endpoint == "static" or endpoint.endswith(".static"):
        return frozenset({PUBLIC})
    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "allowed_roles", None)
    if roles is None:
        return None
    if AUTHENTICATED in roles:
        return frozenset(ALL_ROLES)
    return roles


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _enforce() -> object | None:
    if request.endpoint is None:  # no such route: the 404 handler answers
        return None
    roles = allowed_roles(request.endpoint)
    if roles is None:  # create_app checks this; a belt for views added later
        abort(500, "route has no role declaration")
    if PUBLIC in roles:
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            return jsonify(error="authentication required"), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.role not in roles:
        abort(403, "your role may not use this page")
    return None


def init_app(app: Flask) -> None:
    app.before_request(_enforce)


def check_declarations(app: Flask) -> None:
    """Fail start-up when any endpoint lacks a role declaration."""
    with app.app_context():
        missing = [
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if allowed_roles(rule.endpoint) is None
        ]
    if missing:
        raise RuntimeError(f"routes without a role declaration: {sorted(missing)}")
