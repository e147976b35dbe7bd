"""Template helpers: the role-aware navigation and filters."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user

from hub.access import PUBLIC, ROLE_LABELS, allowed_roles
from hub.patients.health_id import display

#: The menu; each entry shows only to roles its page allows (from the route declarations).
NAVIGATION: list[tuple[str, str]] = [
    ("Home", "views.dashboard"),
    ("My profile", "patients.profile"),
    ("Lab reports", "labs.mine"),
    ("Find patient", "patients.lookup"),
    ("Clinic", "clinic.find"),
    ("My prescriptions", "clinic.mine"),
    ("Dispensing", "pharmacy.queue"),
    ("Stock", "pharmacy.stock"),
    ("My visits", "visits.mine"),
    ("My people", "patients.covered"),
    ("Home visits", "visits.manage"),
    ("Vaccination", "vaccination.due"),
    ("My vaccinations", "vaccination.mine"),
    ("Coverage", "vaccination.coverage"),
    ("Growth", "growth.flagged"),
    ("Doctors", "staff.doctors"),
    ("Attendance", "attendance.day"),
    ("Surveillance", "surveillance.dashboard"),
    ("Face enrolment", "staff.enrol_faces"),
    ("Members", "admin.members"),
    ("Kiosks", "devices.index"),
    ("Feedback queue", "feedback.queue"),
    ("Audit log", "audit.search"),
    ("Feedback", "feedback.mine"),
]


def nav_items() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint in NAVIGATION:
        roles = allowed_roles(endpoint) or frozenset()
        if PUBLIC in roles or current_user.role in roles:
            items.append((label, endpoint))
    return items


def init_app(app: Flask) -> None:
    app.jinja_env.filters["health_id"] = display
    app.jinja_env.filters["role_label"] = lambda r: ROLE_LABELS.get(r, r)
    app.jinja_env.filters["dt"] = lambda v: v.strftime("%d %b %Y %H:%M") if v else ""
    app.jinja_env.filters["d"] = lambda v: v.strftime("%d %b %Y") if v else ""

    @app.context_processor
    def _globals() -> dict:
        return {"nav_items": nav_items, "role_labels": ROLE_LABELS}
