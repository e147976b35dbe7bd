"""API: member administration and the audit log."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from hub.access import ADMIN
from hub.api import api_route, page_args, page_dict, parse_body
from hub.api.accounts import user_dict
from hub.api.schemas import StaffIn, UserPatch
from hub.audit.services import search_query
from hub.auth import services as accounts
from hub.auth.models import ACTIVE, DEACTIVATED, User
from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.patients.services import get_by_health_id


@api_route(
    "/admin/users",
    methods=("POST",),
    roles=(ADMIN,),
    body=StaffIn,
    tag="admin",
    summary="Create a staff or admin account",
    responses={201: "created", 409: "e-mail taken"},
)
def create_user():
    data = parse_body(StaffIn)
    user = accounts.create_staff(**data.model_dump())
    return jsonify(user_dict(user)), 201


@api_route(
    "/admin/users/<int:user_id>",
    methods=("PATCH",),
    roles=(ADMIN,),
    body=UserPatch,
    tag="admin",
    summary="Approve/activate or deactivate a member",
)
def patch_user(user_id: int):
    user = db.get_or_404(User, user_id)
    data = parse_body(UserPatch)
    if user.id == current_user.id and not data.active:
        raise ServiceError("You cannot deactivate your own account.", {"active": "Not yourself."})
    accounts.set_status(user, ACTIVE if data.active else DEACTIVATED)
    return jsonify(user_dict(user))


@api_route(
    "/audit",
    roles=(ADMIN,),
    tag="admin",
    summary="Search the audit log",
    query={"health_id": "the patient", "action": "e.g. record.read", "page": "page"},
)
def audit():
    page, per_page = page_args(50, 200)
    patient_id = None
    if request.args.get("health_id"):
        patient_id = get_by_health_id(request.args["health_id"]).id
    pagination = db.paginate(
        search_query(patient_id=patient_id, action=request.args.get("action") or None),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    items = [
        {
            "id": e.id,
            "at": e.at.isoformat(timespec="seconds") + "Z",
            "actor_id": e.actor_id,
            "actor_role": e.actor_role,
            "action": e.action,
            "patient_id": e.patient_id,
            "target_user_id": e.target_user_id,
            "detail": e.detail,
        }
        for e in pagination.items
    ]
    return jsonify(page_dict(pagination, items))
