"""Patients: profiles, medical information, health IDs."""

from hub.patients.routes import bp

__all__ = ["bp"]
