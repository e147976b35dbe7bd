"""Staff attendance from the kiosks."""

from hub.attendance.routes import bp

__all__ = ["bp"]
