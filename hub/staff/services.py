"""Staff look-ups: doctor search."""

from __future__ import annotations

from sqlalchemy import Select, func

from hub.access import DOCTOR
from hub.auth.models import ACTIVE, User
from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.staff.models import StaffProfile


def doctor_search_query(q: str | None) -> Select:
    """Profiles of active doctors whose name contains ``q`` anywhere, ignoring case,
    ordered by name."""
    query = (
        db.select(StaffProfile)
        .join(User, StaffProfile.user_id == User.id)
        .where(User.role == DOCTOR, User.status == ACTIVE)
        .order_by(User.name, User.id)
    )
    q = (q or "").strip()
    if q:
        escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(User.name).like(f"%{escaped}%", escape="\\"))
    return query


def doctor_to_dict(profile: StaffProfile) -> dict:
    user = profile.user
    return {
        "id": user.id,
        "name": user.name,
        "specialisation": profile.specialisation,
        "consultation_hours": profile.consultation_hours,
    }


def enrolment_target(actor: User, staff_id: str | None) -> StaffProfile:
    """Whose face an upload is for: an admin names anyone; staff only themselves."""
    from hub.access import ADMIN
    from hub.errors.exceptions import Forbidden, NotFound

    if actor.role == ADMIN:
        if not staff_id:
            raise ServiceError("Name the staff member.", {"staff_id": "Give the staff id."})
        profile = db.session.scalar(
            db.select(StaffProfile).where(StaffProfile.staff_code == staff_id.strip())
        )
        if profile is None:
            raise NotFound(f"No staff member {staff_id}.", {"staff_id": "No such staff id."})
        return profile
    profile = db.session.scalar(db.select(StaffProfile).where(StaffProfile.user_id == actor.id))
    if profile is None or (staff_id and staff_id.strip() != profile.staff_code):
        raise Forbidden("You may enrol only your own face.", {"staff_id": "Only your own."})
    return profile
