"""Staff look-ups: doctor search."""

from __future__ import annotations

from sqlalchemy import Select, func

from hub.access import DOCTOR
from hub.auth.models import ACTIVE, User
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
