"""Scheduled jobs (APScheduler). Each job is a plain function of the app, named, so that it
can also be run at once from the command line (``smartcare-hub jobs run NAME``).

Several hub processes may run a scheduler: each run of a job first claims its time slot
with a row in ``job_runs`` (unique per job and slot), so only one process runs it."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

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


def slot_for(trigger: dict, now: datetime) -> str:
    """The time slot a scheduled run belongs to: the same in every process."""
    if trigger.get("trigger") == "interval":
        seconds = int(
            timedelta(
                **{
                    k: v
                    for k, v in trigger.items()
                    if k in ("weeks", "days", "hours", "minutes", "seconds")
                }
            ).total_seconds()
        )
        return str(int(now.timestamp()) // max(seconds, 1))
    return now.strftime("%Y-%m-%d")  # cron jobs here run at most daily


def claim(app: Flask, name: str, slot: str) -> bool:
    """Claim a job's slot; False when another process already has it."""
    from sqlalchemy.exc import IntegrityError

    from hub.extensions import db
    from hub.scheduler_models import JobRun

    with app.app_context():
        db.session.add(JobRun(job=name, slot=slot, host=socket.gethostname(), pid=os.getpid()))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return False
        return True


def run_job(app: Flask, name: str, *, scheduled: bool = True) -> object:
    """Run a job now. Scheduled runs run once per slot across all processes."""
    fn, trigger = JOBS[name]
    now = datetime.now(UTC)
    slot = slot_for(trigger, now) if scheduled else f"manual-{now.isoformat()}"
    if not claim(app, name, slot):
        logger.debug("job %s slot %s already taken by another process", name, slot)
        return None
    result = fn(app)
    logger.info("job %s ran (slot %s): %s", name, slot, result)
    return result


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
    # Cron times (e.g. the 06:00 morning jobs) are the centre's local time.
    scheduler = BackgroundScheduler(timezone=app.config.get("TIMEZONE", "UTC"))
    for name, (_fn, trigger) in JOBS.items():
        scheduler.add_job(
            run_job,
            args=[app, name],
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
