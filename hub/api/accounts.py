"""API: registration, login, the current user, doctor search."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from hub.access import AUTHENTICATED, PATIENT, PUBLIC
from hub.api import api_route, page_args, page_dict, parse_body
from hub.api.schemas import LoginIn, RegisterIn
from hub.auth import services as accounts
from hub.extensions import db
from hub.patients import health_id as hid
from hub.patients.services import patient_of_user
from hub.staff.models import StaffProfile
from hub.staff.services import doctor_search_query, doctor_to_dict


def user_dict(user) -> dict:
    return {
        "id": user.id,
        "role": user.role,
        "name": user.name,
        "email": user.email,
        "status": user.status,
    }


@api_route(
    "/auth/register",
    methods=("POST",),
    roles=(PUBLIC,),
    body=RegisterIn,
    tag="accounts",
    summary="A patient registers; answers the new health ID",
    responses={201: "registered", 400: "invalid fields", 409: "e-mail already registered"},
)
def register():
    data = parse_body(RegisterIn)
    patient = accounts.register_patient(
        name=data.name,
        email=data.email,
        password=data.password,
        date_of_birth=data.date_of_birth,
        sex=data.sex,
        phone=data.phone,
    )
    return jsonify(
        health_id=patient.health_id,
        health_id_display=hid.display(patient.health_id),
        user=user_dict(patient.user),
    ), 201


@api_route(
    "/auth/login",
    methods=("POST",),
    roles=(PUBLIC,),
    body=LoginIn,
    tag="accounts",
    summary="Exchange e-mail and password for a bearer token",
    responses={
        200: "token",
        401: "bad credentials or account may not log in",
        429: "too many failures",
    },
)
def login():
    data = parse_body(LoginIn)
    user = accounts.authenticate(data.email, data.password, request.remote_addr)
    return jsonify(
        token=accounts.issue_token(user), user={"id": user.id, "role": user.role, "name": user.name}
    )


@api_route("/me", roles=(AUTHENTICATED,), tag="accounts", summary="The current user")
def me():
    body = user_dict(current_user)
    if current_user.role == PATIENT:
        patient = patient_of_user(current_user)
        body["health_id"] = patient.health_id if patient else None
    else:
        profile = db.session.scalar(
            db.select(StaffProfile).where(StaffProfile.user_id == current_user.id)
        )
        body["staff_id"] = profile.staff_code if profile else None
    return jsonify(body)


@api_route(
    "/doctors",
    roles=(AUTHENTICATED,),
    tag="accounts",
    summary="Search doctors by any part of the name (case-insensitive), paginated",
    query={"q": "part of the name", "page": "page number", "per_page": "items per page"},
)
def doctors():
    page, per_page = page_args()
    pagination = db.paginate(
        doctor_search_query(request.args.get("q")), page=page, per_page=per_page, error_out=False
    )
    return jsonify(page_dict(pagination, [doctor_to_dict(p) for p in pagination.items]))
