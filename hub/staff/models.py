"""Staff profiles: the public face of a staff account (doctor search, attendance)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db

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

    user: Mapped[User] = relationship(lazy="joined")
