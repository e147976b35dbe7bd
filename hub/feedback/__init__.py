"""Feedback and complaints."""

from hub.feedback.routes import bp

__all__ = ["bp"]
