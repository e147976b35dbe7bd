"""End to end through a real Mosquitto: staff enrolled from photos in the hub, the kiosk
plays the sample video, recognises on the device and its signed events land in the hub's
database exactly once; nobody else gets an event."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from hub.attendance.models import AttendanceEvent
from hub.devices.models import Device
from hub.extensions import db
from hub.ingest.service import IngestService
from tests.conftest import SHARED_FACES
from tests.e2e.conftest import PY, enrol_from_shared, python_env, write_kiosk

CLIP = SHARED_FACES / "scenes" / "short_hamilton_clip.mp4"
pytestmark = [
    pytest.mark.mqtt,
    pytest.mark.faces,
    pytest.mark.slow,
    pytest.mark.skipif(not CLIP.exists(), reason="../shared/faces is absent"),
]


def test_video_to_attendance(app, tmp_path, broker, account):
    app.config.update(MQTT_URL=broker.url, HUB_KEY_FILE=str(tmp_path / "hub_key.pem"))
    lin = account("doctor", name="Lin-Manuel Miranda")
    alex = account("asha", name="Alex Lacamoire")
    account("phn", name="Nobody Enrolled")
    enrol_from_shared(app, lin, "lin_manuel_miranda")
    enrol_from_shared(app, alex, "alex_lacamoire")
    config = write_kiosk(app, tmp_path / "kiosk", "kiosk-e2e", broker.url)
    service = IngestService(app)
    service.start()
    try:
        assert service.wait_connected(10)
        proc = subprocess.run(
            [
                PY,
                "-m",
                "edge_device.cli",
                "run",
                "--config",
                str(config),
                "--source",
                f"file:{CLIP}",
                "--exit-when-done",
                "--drain-timeout",
                "60",
            ],
            env=python_env(app),
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "Welcome, Lin-Manuel Miranda" in proc.stdout
    finally:
        service.stop()
    with app.app_context():
        rows = db.session.scalars(db.select(AttendanceEvent)).all()
        device = db.session.scalar(db.select(Device).where(Device.device_id == "kiosk-e2e"))
        assert device.last_seen_at is not None and device.model == "dlib-resnet-v1"
    # Lin-Manuel faces the camera and is recognised once (one pass, cooldown); Alex is in
    # the clip only in profile, which the frontal detector cannot see: no event for him,
    # and none for anyone else.
    assert [r.staff_id for r in rows] == [lin.staff_code]
    event = rows[0]
    assert event.device_id == "kiosk-e2e" and event.liveness is not None
    assert event.liveness >= 0.5 and 0.3 < event.score <= 1.0
    assert alex.staff_code not in {r.staff_id for r in rows}
    # exactly what the kiosk decided, and its outbox is empty (everything acked)
    kiosk_db = sqlite3.connect(tmp_path / "kiosk" / "data" / "outbox.db")
    decided = [r[0] for r in kiosk_db.execute("SELECT event_id FROM decided")]
    pending = kiosk_db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    kiosk_db.close()
    assert decided == [event.event_id] and pending == 0
