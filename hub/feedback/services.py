"""Feedback and complaints: submission and the admin's queue with its workflow."""

from __future__ import annotations

from sqlalchemy import Select

from hub.auth.models import User
from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.feedback.models import IN_PROGRESS, KINDS, OPEN, REJECTED, RESOLVED, STATUSES, Feedback
from hub.timeutil import utcnow

#: The workflow: which status may follow which.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    OPEN: (IN_PROGRESS, REJECTED),
    IN_PROGRESS: (RESOLVED, REJECTED),
    RESOLVED: (),
    REJECTED: (),
}
STATUS_LABELS = {
    OPEN: "Open",
    IN_PROGRESS: "In progress",
    RESOLVED: "Resolved",
    REJECTED: "Rejected",
}


def submit(user: User, *, kind: str, subject: str, text: str, anonymous: bool) -> Feedback:
    errors = {}
    if kind not in KINDS:
        errors["kind"] = f"Choose one of {', '.join(KINDS)}."
    if not subject or not subject.strip():
        errors["subject"] = "Give a subject."
    elif len(subject) > 200:
        errors["subject"] = "Keep the subject under 200 characters."
    if not text or not text.strip():
        errors["text"] = "Write what happened or what you suggest."
    if errors:
        raise ServiceError("Check the highlighted fields.", errors)
    item = Feedback(
        submitter_id=user.id,
        kind=kind,
        subject=subject.strip(),
        text=text.strip(),
        anonymous=anonymous,
    )
    db.session.add(item)
    db.session.commit()
    return item


def own_query(user: User) -> Select:
    return (
        db.select(Feedback)
        .where(Feedback.submitter_id == user.id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    )


def queue_query(status: str | None = None) -> Select:
    query = db.select(Feedback).order_by(Feedback.created_at.desc(), Feedback.id.desc())
    if status:
        query = query.where(Feedback.status == status)
    return query


def update(item: Feedback, admin: User, *, status: str, response: str | None) -> None:
    """Move an item along the workflow. Resolving or rejecting needs a response."""
    if status not in STATUSES:
        raise ServiceError("Unknown status.", {"status": f"Use one of {', '.join(STATUSES)}."})
    if status != item.status and status not in TRANSITIONS[item.status]:
        allowed = ", ".join(TRANSITIONS[item.status]) or "nothing (it is closed)"
        raise ServiceError(
            f"A {item.status} item can move to {allowed}.",
            {"status": f"From {item.status} the next status is {allowed}."},
        )
    response = (response or "").strip() or None
    if status in (RESOLVED, REJECTED) and not response:
        raise ServiceError(
            "Write a response for the submitter.",
            {"response": "A response is needed to resolve or reject."},
        )
    item.status = status
    if response:
        item.response = response
    item.handled_by_id = admin.id
    item.updated_at = utcnow()
    db.session.commit()


def submitter_label(item: Feedback, viewer: User) -> str:
    """Who submitted, as a given viewer may see it (anonymity holds towards staff)."""
    if item.submitter_id == viewer.id:
        return "you"
    if item.anonymous:
        return "anonymous"
    user = db.session.get(User, item.submitter_id)
    return f"{user.name} ({user.role})" if user else "deleted account"


def to_dict(item: Feedback, viewer: User) -> dict:
    return {
        "id": item.id,
        "kind": item.kind,
        "subject": item.subject,
        "text": item.text,
        "anonymous": item.anonymous,
        "submitted_by": submitter_label(item, viewer),
        "status": item.status,
        "response": item.response,
        "created_at": item.created_at.isoformat(timespec="seconds") + "Z",
        "updated_at": item.updated_at.isoformat(timespec="seconds") + "Z",
    }
