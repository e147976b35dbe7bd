"""Scheduled jobs (APScheduler). Each job is a plain function of the app, named, so that it
can also be run at once from the command line."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

logger = logging.getLogger(__name__)

#: name -> (function, APScheduler trigger arguments)
JOBS: dict[str, tuple[Callable[[Flask], object], dict]] = {}


def job(name: str, **trigger) -> Callable:
    def deco(fn: Callable[[Flask], object]) -> Callable[[Flask], object]:
        JOBS[name] = (fn, trigger)
        return fn

    return deco


@job("device-offline-check", trigger="interval", minutes=1)
def device_offline_check(app: Flask) -> list[str]:
    """Alert (log + audit) once for each kiosk offline longer than the configured time."""
    from hub.audit.services import record
    from hub.devices.models import ACTIVE, Device
    from hub.extensions import db
    from hub.timeutil import utcnow

    with app.app_context():
        limit = utcnow() - timedelta(minutes=app.config["DEVICE_OFFLINE_MINUTES"])
        alerted = []
        for device in db.session.scalars(db.select(Device).where(Device.status == ACTIVE)):
            seen = device.last_seen_at or device.created_at
            if seen < limit and device.offline_alerted_at is None:
                device.offline_alerted_at = utcnow()
                record(
                    "device.offline",
                    detail=f"{device.device_id} last seen {seen:%Y-%m-%d %H:%M} UTC",
                )
                logger.warning("ALERT kiosk %s offline since %s UTC", device.device_id, seen)
                alerted.append(device.device_id)
        db.session.commit()
        return alerted


def start_scheduler(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    for name, (fn, trigger) in JOBS.items():
        scheduler.add_job(
            fn,
            args=[app],
            id=name,
            name=name,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
            **trigger,
        )
    scheduler.start()
    logger.info("scheduler started: %s", ", ".join(JOBS))
    return scheduler
