"""Imports every area's models so that SQLAlchemy and Alembic see all tables."""

from hub.attendance.models import AttendanceCorrection, AttendanceEvent
from hub.audit.models import AuditEntry
from hub.auth.models import ApiToken, LoginFailure, User
from hub.clinic.models import Consultation, Prescription, PrescriptionItem
from hub.devices.models import Device, IngestRejection, QuarantinedEvent
from hub.feedback.models import Feedback
from hub.growth.models import GrowthMeasurement
from hub.labs.models import LabReport
from hub.patients.models import Patient
from hub.pharmacy.models import Medicine, StockBatch, StockMovement
from hub.scheduler_models import JobRun
from hub.staff.models import FaceTemplate, StaffProfile
from hub.surveillance.models import (
    AlertNote,
    DiseaseCase,
    GeneratedReport,
    OutbreakAlert,
    WeeklyCount,
)
from hub.vaccination.models import Beneficiary, Immunization
from hub.visits.models import Visit, VisitPlan

__all__ = [
    "Consultation",
    "Prescription",
    "PrescriptionItem",
    "Medicine",
    "StockBatch",
    "StockMovement",
    "Beneficiary",
    "GrowthMeasurement",
    "Immunization",
    "Visit",
    "VisitPlan",
    "AlertNote",
    "DiseaseCase",
    "GeneratedReport",
    "OutbreakAlert",
    "WeeklyCount",
    "ApiToken",
    "AttendanceCorrection",
    "AttendanceEvent",
    "AuditEntry",
    "Device",
    "FaceTemplate",
    "Feedback",
    "IngestRejection",
    "JobRun",
    "LabReport",
    "LoginFailure",
    "Patient",
    "QuarantinedEvent",
    "StaffProfile",
    "User",
]
