"""Builders shared by the ingest and kiosk tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from protocol import canonical_json, format_ts, public_key_b64, sign_envelope


def attendance(
    device_id: str, staff_id: str, seq: int = 1, *, ts: datetime | None = None, **over
) -> dict:
    payload = {
        "v": 1,
        "type": "attendance",
        "event_id": str(uuid.uuid4()),
        "device_id": device_id,
        "seq": seq,
        "ts": format_ts(ts or datetime.now(UTC) - timedelta(seconds=1)),
        "staff_id": staff_id,
        "direction": "auto",
        "score": 0.66,
        "liveness": 0.93,
        "model": "dlib-resnet-v1",
    }
    payload.update(over)
    return payload


def signed(payload: dict, key) -> bytes:
    return canonical_json(sign_envelope(payload, key))


def register_device(app, device_id: str, key, site_id: str = "phc-main"):
    from hub.devices.services import register

    with app.test_request_context():
        return register(device_id, site_id, public_key_b64(key))
