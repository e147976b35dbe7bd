"""Claims of scheduled job runs (one process runs each slot)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import db
from hub.timeutil import utcnow


class JobRun(db.Model):
    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(120))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
