"""The admin's audit log search."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from hub.access import ADMIN, allow
from hub.audit.services import search_query
from hub.auth.models import User
from hub.errors.exceptions import NotFound
from hub.extensions import db
from hub.patients.health_id import InvalidHealthId
from hub.patients.models import Patient
from hub.patients.services import get_by_health_id

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("/")
@allow(ADMIN)
def search():
    health_id = request.args.get("health_id", "").strip()
    action = request.args.get("action", "").strip() or None
    error, patient_id = None, None
    if health_id:
        try:
            patient_id = get_by_health_id(health_id).id
        except (InvalidHealthId, NotFound) as exc:
            error = exc.message
    page = None
    users: dict[int, User] = {}
    patients: dict[int, Patient] = {}
    if error is None:
        page = db.paginate(
            search_query(patient_id=patient_id, action=action), per_page=50, error_out=False
        )
        user_ids = {e.actor_id for e in page.items} | {e.target_user_id for e in page.items}
        users = {
            u.id: u
            for u in db.session.scalars(db.select(User).where(User.id.in_(user_ids - {None})))
        }
        patients = {
            p.id: p
            for p in db.session.scalars(
                db.select(Patient).where(
                    Patient.id.in_({e.patient_id for e in page.items} - {None})
                )
            )
        }
    return render_template(
        "audit/search.html",
        page=page,
        error=error,
        health_id=health_id,
        action=action or "",
        users=users,
        patients=patients,
    )
