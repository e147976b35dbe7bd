"""The SmartCare attendance kiosk: recognise staff on the device, publish signed events."""

__version__ = "0.1.0"
