"""Lab reports."""

from hub.labs.routes import bp

__all__ = ["bp"]
