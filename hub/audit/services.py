"""Writing and searching the audit log."""

from __future__ import annotations

import logging

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Select

from hub.access import PATIENT
from hub.audit.models import AuditEntry
from hub.extensions import db

logger = logging.getLogger(__name__)


def record(
    action: str,
    *,
    patient_id: int | None = None,
    target_user_id: int | None = None,
    detail: str | None = None,
    actor_id: int | None = None,
    actor_role: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    if actor_id is None and has_request_context() and current_user.is_authenticated:
        actor_id, actor_role = current_user.id, current_user.role
    entry = AuditEntry(
        action=action,
        patient_id=patient_id,
        target_user_id=target_user_id,
        detail=detail,
        actor_id=actor_id,
        actor_role=actor_role,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    logger.info(
        "audit action=%s actor=%s patient=%s target=%s",
        action,
        actor_id,
        patient_id,
        target_user_id,
    )
    return entry


def record_read(patient_id: int, what: str) -> None:
    """Log a staff member's read of a patient's record and commit it at once.

    A patient reading their own record is not logged.
    """
    if current_user.is_authenticated and current_user.role != PATIENT:
        record("record.read", patient_id=patient_id, detail=what)
        db.session.commit()


def search_query(
    *, patient_id: int | None = None, actor_id: int | None = None, action: str | None = None
) -> Select:
    """The audit entries matching the filters, newest first."""
    query = db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if patient_id is not None:
        query = query.where(AuditEntry.patient_id == patient_id)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if action:
        query = query.where(AuditEntry.action == action)
    return query
