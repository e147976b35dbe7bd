"""Scheduled jobs: once per slot across processes; the offline alert; the jobs CLI."""

from __future__ import annotations

from datetime import timedelta

from hub.audit.models import AuditEntry
from hub.devices.models import Device
from hub.extensions import db
from hub.scheduler import JOBS, claim, run_job
from hub.scheduler_models import JobRun
from hub.timeutil import utcnow
from protocol import generate_key
from tests.helpers import register_device


def test_a_slot_runs_once_across_processes(app):
    assert claim(app, "device-offline-check", "42")
    assert not claim(app, "device-offline-check", "42")  # a second process, same slot
    assert claim(app, "device-offline-check", "43")
    from flask import Flask

    other = Flask("other")  # another process has its own app but the same database
    other.config.update(app.config)
    from hub.extensions import db as shared

    shared.init_app(other)
    assert not claim(other, "device-offline-check", "43")
    with other.app_context():
        shared.engine.dispose()


def test_offline_alert_once(app):
    register_device(app, "kiosk-quiet", generate_key())
    with app.app_context():
        device = db.session.scalar(db.select(Device))
        device.last_seen_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    assert run_job(app, "device-offline-check") == ["kiosk-quiet"]
    assert run_job(app, "device-offline-check", scheduled=False) == []  # alerted already
    with app.app_context():
        alerts = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "device.offline")
        ).all()
        assert len(alerts) == 1 and "kiosk-quiet" in alerts[0].detail
        assert db.session.scalar(db.select(db.func.count(JobRun.id))) == 2


def test_jobs_cli(runner):
    listed = runner.invoke(args=["jobs", "list"])
    assert listed.exit_code == 0 and all(name in listed.output for name in JOBS)
    ran = runner.invoke(args=["jobs", "run", "device-offline-check"])
    assert ran.exit_code == 0 and "device-offline-check: []" in ran.output
    assert runner.invoke(args=["jobs", "run", "nope"]).exit_code != 0
