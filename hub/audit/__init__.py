"""The audit log."""

from hub.audit.routes import bp

__all__ = ["bp"]
