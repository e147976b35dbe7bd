"""Member administration."""

from hub.admin.routes import bp

__all__ = ["bp"]
