"""Staff profiles: the public face of a staff account (doctor search, attendance)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from hub.timeutil import utcnow

if TYPE_CHECKING:
    from hub.auth.models import User


class StaffProfile(db.Model):
    __tablename__ = "staff_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    #: The id kiosks put in attendance events (``staff_id``) and galleries use.
    staff_code: Mapped[str] = mapped_column(String(32), unique=True)
    specialisation: Mapped[str | None] = mapped_column(String(120))
    consultation_hours: Mapped[str | None] = mapped_column(String(200))
    area: Mapped[str | None] = mapped_column(String(120))
    #: The centre whose kiosks recognise this person (their gallery).
    site_id: Mapped[str] = mapped_column(
        String(64), default="phc-main", server_default="phc-main", index=True
    )

    user: Mapped[User] = relationship(lazy="joined")


class FaceTemplate(db.Model):
    """One face embedding of a staff member for one model. The photo is not kept."""

    __tablename__ = "face_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    model: Mapped[str] = mapped_column(String(64))
    #: little-endian float32 values
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    photo_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
