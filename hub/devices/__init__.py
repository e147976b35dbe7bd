"""Kiosk devices: registry and fleet health."""

from hub.devices.routes import bp

__all__ = ["bp"]
