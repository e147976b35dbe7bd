"""The device registry: register, revoke, list."""

from __future__ import annotations

from datetime import timedelta

from hub.audit.services import record
from hub.devices.models import ACTIVE, REVOKED, Device, IngestRejection
from hub.errors.exceptions import Conflict, NotFound, ServiceError
from hub.extensions import db
from hub.timeutil import utcnow
from protocol import key_id, public_key_from_b64, topics


def register(
    device_id: str,
    site_id: str,
    public_key_b64: str,
    *,
    name: str | None = None,
    rotate: bool = False,
) -> Device:
    """Register a kiosk and its Ed25519 public key (``rotate`` replaces an existing key)."""
    if not topics.valid_id(device_id) or not topics.valid_id(site_id):
        raise ServiceError("Invalid id.", {"device_id": "Letters, digits and _.- only."})
    try:
        key = public_key_from_b64(public_key_b64)
    except ValueError:
        raise ServiceError(
            "Not an Ed25519 public key.", {"public_key": "base64url of the 32-byte raw Ed25519 key"}
        ) from None
    device = db.session.scalar(db.select(Device).where(Device.device_id == device_id))
    if device is not None and not rotate:
        raise Conflict(
            f"Device {device_id} exists; rotate its key explicitly.",
            {"device_id": "already registered"},
        )
    if device is None:
        device = Device(device_id=device_id, site_id=site_id)
        db.session.add(device)
    device.site_id, device.name = site_id, name or device.name
    device.public_key, device.key_id = public_key_b64, key_id(key)
    device.status, device.revoked_at = ACTIVE, None
    record("device.rotate" if rotate else "device.register", detail=f"{device_id} site={site_id}")
    db.session.commit()
    return device


def revoke(device_id: str) -> Device:
    device = db.session.scalar(db.select(Device).where(Device.device_id == device_id))
    if device is None:
        raise NotFound(f"No device {device_id}.")
    device.status, device.revoked_at = REVOKED, utcnow()
    record("device.revoke", detail=device_id)
    db.session.commit()
    return device


def offline_after() -> timedelta:
    """How long a kiosk may be silent before it counts as offline (and is alerted)."""
    from flask import current_app

    return timedelta(minutes=current_app.config["DEVICE_OFFLINE_MINUTES"])


def is_online(device: Device, offline_after: timedelta) -> bool:
    if device.state != "online" or device.last_seen_at is None:
        return False
    return utcnow() - device.last_seen_at < offline_after


def rejected_counts() -> dict[str, dict[str, int]]:
    """device id -> reason -> count."""
    out: dict[str, dict[str, int]] = {}
    for row in db.session.scalars(db.select(IngestRejection)):
        out.setdefault(row.device_key, {})[row.reason] = row.count
    return out


def to_dict(device: Device, offline_after: timedelta, rejected: dict[str, int]) -> dict:
    def iso(v):
        return v.isoformat(timespec="seconds") + "Z" if v else None

    return {
        "device_id": device.device_id,
        "site_id": device.site_id,
        "name": device.name,
        "status": device.status,
        "key_id": device.key_id,
        "online": is_online(device, offline_after),
        "state": device.state,
        "last_seen_at": iso(device.last_seen_at),
        "version": device.version,
        "outbox_depth": device.outbox_depth,
        "fps": device.fps,
        "last_event_at": iso(device.last_event_at),
        "model": device.model,
        "gallery_version": device.gallery_version,
        "rejected": rejected,
    }
