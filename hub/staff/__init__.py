"""Staff: profiles and doctor search."""

from hub.staff.routes import bp

__all__ = ["bp"]
