"""Time helpers: the database keeps naive UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (what every timestamp column holds)."""
    return datetime.now(UTC).replace(tzinfo=None)
