"""Imports every area's models so that SQLAlchemy and Alembic see all tables."""

from hub.audit.models import AuditEntry
from hub.auth.models import ApiToken, LoginFailure, User
from hub.feedback.models import Feedback
from hub.labs.models import LabReport
from hub.patients.models import Patient
from hub.staff.models import StaffProfile

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Feedback",
    "LabReport",
    "LoginFailure",
    "Patient",
    "StaffProfile",
    "User",
]
