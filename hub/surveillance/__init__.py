"""Disease surveillance: IDSP case reporting, outbreak detection, scheduled reports."""

from hub.surveillance import reports  # noqa: F401  (registers the scheduled jobs)
from hub.surveillance.routes import bp

__all__ = ["bp"]
