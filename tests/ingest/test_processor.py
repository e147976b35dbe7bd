"""The ingest's core without MQTT: every refusal reason, dedup, quarantine, status."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from hub.attendance.models import AttendanceEvent
from hub.devices.models import Device, QuarantinedEvent
from hub.devices.services import revoke
from hub.extensions import db
from hub.ingest.processor import Incoming, IngestProcessor, rejection_totals
from protocol import format_ts, generate_key, sign_envelope, topics
from tests.helpers import attendance, register_device, signed


@pytest.fixture
def setup(app, account):
    key = generate_key()
    register_device(app, "kiosk-1", key)
    nurse = account("phn")
    return key, nurse.staff_code


def run(app, *messages: tuple[str, bytes]):
    with app.app_context():
        return IngestProcessor().process([Incoming(t, p) for t, p in messages])


def count(app, model=AttendanceEvent) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(model.id)))


def test_valid_event_is_committed_and_acked_once(app, setup):
    key, staff = setup
    payload = attendance("kiosk-1", staff)
    raw = signed(payload, key)
    result = run(app, (topics.attendance("kiosk-1"), raw))
    assert result.committed == 1 and result.acks == {"kiosk-1": [payload["event_id"]]}
    # the same event again (a re-send): acked again, stored once
    again = run(app, (topics.attendance("kiosk-1"), raw), (topics.attendance("kiosk-1"), raw))
    assert again.committed == 0 and again.duplicates == 1
    assert again.acks == {"kiosk-1": [payload["event_id"]]}
    assert count(app) == 1


def test_every_refusal_is_counted_and_nothing_crashes(app, setup):
    key, staff = setup
    other = generate_key()
    t = topics.attendance("kiosk-1")
    good = attendance("kiosk-1", staff)
    run(app, (t, signed(good, key)))
    conflicting = dict(good, score=0.99)  # same id, other content
    future = attendance("kiosk-1", staff, ts=datetime.now(UTC) + timedelta(hours=2))
    wrong_device = attendance("kiosk-2", staff)
    extra_field = dict(attendance("kiosk-1", staff), extra=1)
    bad_type = attendance("kiosk-1", staff, seq="7")
    messages = [
        (t, b"{not json"),
        (t, b"x" * 10_000),
        (t, json.dumps({"payload": {}, "sig": "a" * 86, "kid": "0" * 16, "x": 1}).encode()),
        (t, signed(attendance("kiosk-1", staff), other)),  # forged
        (t, signed(conflicting, key)),
        (t, signed(future, key)),
        (t, signed(wrong_device, key)),
        (t, signed(extra_field, key)),
        (t, signed(bad_type, key)),
        (topics.attendance("ghost"), signed(attendance("ghost", staff), key)),
        ("smartcare/v1/devices/kiosk-1/other", b"{}"),
    ]
    result = run(app, *messages)
    assert result.committed == 0 and not result.acks
    totals_expected = {
        "bad_json": 1,
        "oversized": 1,
        "bad_schema": 3,
        "bad_signature": 1,
        "replay_conflict": 1,
        "future_timestamp": 1,
        "device_mismatch": 1,
        "unknown_device": 1,
        "bad_topic": 1,
    }
    assert dict(result.rejected) == totals_expected
    with app.app_context():
        assert rejection_totals() == totals_expected
    # a revoked device is refused
    with app.test_request_context():
        revoke("kiosk-1")
    result = run(app, (t, signed(attendance("kiosk-1", staff), key)))
    assert dict(result.rejected) == {"revoked_device": 1}
    assert count(app) == 1


def test_unknown_staff_is_quarantined_and_acked(app, setup):
    key, _ = setup
    payload = attendance("kiosk-1", "NOBODY-0001")
    result = run(app, (topics.attendance("kiosk-1"), signed(payload, key)))
    assert result.committed == 0 and result.quarantined == 1
    assert result.acks == {"kiosk-1": [payload["event_id"]]}
    assert dict(result.rejected) == {"unknown_staff": 1}
    assert count(app, QuarantinedEvent) == 1 and count(app) == 0


def test_old_capture_times_are_fine(app, setup):
    key, staff = setup
    payload = attendance("kiosk-1", staff, ts=datetime.now(UTC) - timedelta(days=9))
    assert run(app, (topics.attendance("kiosk-1"), signed(payload, key))).committed == 1


def test_status_updates_the_registry(app, setup):
    key, _ = setup
    status = {
        "v": 1,
        "type": "status",
        "device_id": "kiosk-1",
        "state": "online",
        "ts": format_ts(datetime.now(UTC)),
        "version": "0.1.0",
        "outbox_depth": 3,
        "fps": 12.5,
        "last_event_ts": None,
        "model": "dlib-resnet-v1",
        "gallery_version": 7,
    }
    raw = signed(status, key)
    result = run(app, (topics.status("kiosk-1"), raw))
    assert result.statuses == 1 and not result.rejected
    with app.app_context():
        device = db.session.scalar(db.select(Device))
        assert (device.state, device.outbox_depth, device.fps, device.gallery_version) == (
            "online",
            3,
            12.5,
            7,
        )
    forged = sign_envelope(dict(status, state="offline"), generate_key())
    result = run(app, (topics.status("kiosk-1"), json.dumps(forged).encode()))
    assert dict(result.rejected) == {"bad_signature": 1}
