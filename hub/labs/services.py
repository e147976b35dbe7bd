"""Lab report uploads: checked by content, stored under random names outside static/."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from datetime import date
from pathlib import Path
from typing import IO

import filetype
from flask import current_app

from hub.errors.exceptions import PayloadTooLarge, ServiceError, UnsupportedMediaType
from hub.extensions import db
from hub.labs.models import LabReport
from hub.patients.models import Patient

logger = logging.getLogger(__name__)

ALLOWED_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "lab_reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read_limited(stream: IO[bytes], limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(
            f"The file is larger than {limit // (1024 * 1024)} MB.",
            {"file": f"Files up to {limit // (1024 * 1024)} MB are accepted."},
        )
    return data


def sniff_type(data: bytes) -> str:
    """The MIME type of an accepted file, judged from its bytes (the name is ignored)."""
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in ALLOWED_TYPES:
        found = kind.mime if kind else "an unknown type"
        raise UnsupportedMediaType(
            f"Only PDF, JPEG or PNG files are accepted; this file is {found}.",
            {"file": "Upload a PDF, JPEG or PNG file."},
        )
    return kind.mime


def save_report(
    patient: Patient,
    *,
    stream: IO[bytes],
    filename: str | None,
    title: str,
    report_date: date,
    uploader_id: int | None,
) -> LabReport:
    """Check and store an uploaded report. On any error nothing is kept."""
    errors = {}
    if not title or not title.strip():
        errors["title"] = "Give the report a title."
    if report_date > date.today():
        errors["date"] = "The report date cannot be in the future."
    if errors:
        raise ServiceError("Check the highlighted fields.", errors)
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    data = _read_limited(stream, limit)
    if not data:
        raise ServiceError("The file is empty.", {"file": "Choose a file to upload."})
    mime = sniff_type(data)
    stored_name = secrets.token_hex(16)
    target = upload_dir() / stored_name
    tmp = target.with_suffix(".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    report = LabReport(
        patient_id=patient.id,
        title=title.strip()[:200],
        report_date=report_date,
        original_name=(filename or "report")[:255],
        stored_name=stored_name,
        mime_type=mime,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=uploader_id,
    )
    db.session.add(report)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        target.unlink(missing_ok=True)
        raise
    logger.info("lab report stored report=%s patient=%s bytes=%s", report.id, patient.id, len(data))
    return report


def reports_of(patient: Patient) -> list[LabReport]:
    return list(
        db.session.scalars(
            db.select(LabReport)
            .where(LabReport.patient_id == patient.id)
            .order_by(LabReport.report_date.desc(), LabReport.id.desc())
        )
    )


def file_path(report: LabReport) -> Path:
    return upload_dir() / report.stored_name


def download_name(report: LabReport) -> str:
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[report.mime_type]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in report.title)[:60] or "report"
    return f"{safe}-{report.report_date.isoformat()}.{ext}"


def to_dict(report: LabReport) -> dict:
    return {
        "id": report.id,
        "title": report.title,
        "date": report.report_date.isoformat(),
        "mime_type": report.mime_type,
        "size_bytes": report.size_bytes,
        "uploaded_at": report.uploaded_at.isoformat(timespec="seconds") + "Z",
    }
