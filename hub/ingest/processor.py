"""The ingest's core, apart from MQTT: a batch of raw messages in, committed rows and the
acks to publish out. Every refusal is counted per device and reason, and logged; nothing
here raises on bad input.

Refusal reasons: oversized, bad_json, bad_schema, bad_topic, unknown_device,
revoked_device, bad_signature, device_mismatch, future_timestamp, replay_conflict,
unknown_staff (the last is quarantined and acked: the event is authentic, and kept).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func

from hub.attendance.models import AttendanceEvent
from hub.auth.models import ACTIVE as USER_ACTIVE
from hub.auth.models import User
from hub.devices.models import ACTIVE, Device, IngestRejection, QuarantinedEvent
from hub.extensions import db
from hub.staff.models import StaffProfile
from hub.timeutil import utcnow
from protocol import (
    MAX_ATTENDANCE_BYTES,
    MAX_STATUS_BYTES,
    AttendancePayload,
    ProtocolError,
    SignatureError,
    StatusPayload,
    canonical_json,
    decode_envelope,
    parse_ts,
    public_key_from_b64,
    topics,
    validate_payload,
    verify_envelope,
)

logger = logging.getLogger(__name__)
CACHE_TTL_S = 5.0


@dataclass(frozen=True, slots=True)
class Incoming:
    topic: str
    payload: bytes


@dataclass
class BatchResult:
    #: device id -> event ids now safely in the database (new or seen before)
    acks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    committed: int = 0
    duplicates: int = 0
    quarantined: int = 0
    statuses: int = 0
    rejected: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class Rejected(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True, slots=True)
class _DeviceInfo:
    status: str
    key_id: str
    key: Ed25519PublicKey


class IngestProcessor:
    """Holds short-lived caches of devices and staff; call ``process`` in an app context."""

    def __init__(self, max_skew_s: int = 300) -> None:
        self.max_skew = timedelta(seconds=max_skew_s)
        self._devices: dict[str, _DeviceInfo] = {}
        self._staff: dict[str, int] = {}
        self._loaded_at = 0.0

    # caches
    def _refresh(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._loaded_at < CACHE_TTL_S:
            return
        devices = {}
        for d in db.session.scalars(db.select(Device)):
            try:
                devices[d.device_id] = _DeviceInfo(
                    d.status, d.key_id, public_key_from_b64(d.public_key)
                )
            except ValueError:
                logger.error("device %s has an unreadable public key", d.device_id)
        rows = db.session.execute(
            db.select(StaffProfile.staff_code, StaffProfile.user_id)
            .join(User, User.id == StaffProfile.user_id)
            .where(User.status == USER_ACTIVE)
        )
        self._devices, self._staff = devices, {code: uid for code, uid in rows}
        self._loaded_at = time.monotonic()

    def _device(self, device_id: str) -> _DeviceInfo | None:
        info = self._devices.get(device_id)
        if info is None:
            self._refresh(force=True)  # a device registered a moment ago
            info = self._devices.get(device_id)
        return info

    def _staff_user(self, staff_id: str) -> int | None:
        uid = self._staff.get(staff_id)
        if uid is None and time.monotonic() - self._loaded_at > 1.0:
            self._refresh(force=True)
            uid = self._staff.get(staff_id)
        return uid

    # checks
    def _verified(self, device_id: str, raw: bytes, max_bytes: int) -> tuple[dict[str, Any], bytes]:
        """The verified payload and its canonical bytes (what was signed)."""
        try:
            envelope = decode_envelope(raw, max_bytes)
        except ProtocolError as exc:
            raise Rejected(exc.reason, exc.detail) from None
        info = self._device(device_id)
        if info is None:
            raise Rejected("unknown_device", f"device {device_id} is not registered")
        if info.status != ACTIVE:
            raise Rejected("revoked_device", f"device {device_id} is revoked")
        try:
            signed_bytes = canonical_json(envelope.payload)
        except ValueError as exc:  # NaN and the like cannot be canonical
            raise Rejected("bad_schema", str(exc)) from None
        try:
            payload = verify_envelope(
                {"payload": envelope.payload, "sig": envelope.sig, "kid": envelope.kid},
                lambda kid: info.key if kid == info.key_id else None,
                signed_bytes,
            )
        except SignatureError as exc:
            raise Rejected("bad_signature", str(exc)) from None
        return payload, signed_bytes

    def _attendance(self, device_id: str, raw: bytes) -> tuple[AttendancePayload, str, datetime]:
        payload, signed_bytes = self._verified(device_id, raw, MAX_ATTENDANCE_BYTES)
        try:
            event: AttendancePayload = validate_payload(AttendancePayload, payload)
        except ProtocolError as exc:
            raise Rejected(exc.reason, exc.detail) from None
        if event.device_id != device_id:
            raise Rejected(
                "device_mismatch", f"payload device {event.device_id} on topic of {device_id}"
            )
        captured = parse_ts(event.ts)
        if captured - datetime.now(UTC) > self.max_skew:
            raise Rejected("future_timestamp", f"ts {event.ts} is in the future")
        digest = hashlib.sha256(signed_bytes).hexdigest()
        return event, digest, captured.replace(tzinfo=None)

    # the batch
    def process(self, batch: list[Incoming]) -> BatchResult:
        """Validate and commit one batch in one transaction."""
        self._refresh()
        result = BatchResult()
        events: dict[str, tuple[AttendancePayload, str, str, datetime]] = {}
        rejections: list[tuple[str, str, str]] = []
        quarantine: list[tuple[AttendancePayload, str, str]] = []
        seen_devices: dict[str, datetime] = {}
        statuses: dict[str, StatusPayload] = {}
        for message in batch:
            parsed = topics.parse_device_topic(message.topic)
            device_id, kind = parsed if parsed else ("", "")
            try:
                if kind == topics.ATTENDANCE:
                    event, digest, captured = self._attendance(device_id, message.payload)
                    seen_devices[device_id] = utcnow()
                    if self._staff_user(event.staff_id) is None:
                        quarantine.append((event, digest, "unknown_staff"))
                        rejections.append(
                            (
                                device_id,
                                "unknown_staff",
                                f"staff {event.staff_id} unknown (quarantined)",
                            )
                        )
                        continue
                    prior = events.get(event.event_id)
                    if prior is not None and prior[1] != digest:
                        raise Rejected(
                            "replay_conflict", f"event {event.event_id} twice with other content"
                        )
                    events[event.event_id] = (event, digest, device_id, captured)
                elif kind == topics.STATUS:
                    payload, _ = self._verified(device_id, message.payload, MAX_STATUS_BYTES)
                    try:
                        status: StatusPayload = validate_payload(StatusPayload, payload)
                    except ProtocolError as exc:
                        raise Rejected(exc.reason, exc.detail) from None
                    if status.device_id != device_id:
                        raise Rejected("device_mismatch", "status for another device")
                    statuses[device_id] = status
                else:
                    raise Rejected("bad_topic", message.topic[:120])
            except Rejected as exc:
                rejections.append((device_id, exc.reason, exc.detail))
        self._store(events, quarantine, statuses, seen_devices, rejections, result)
        for device_id, reason, detail in rejections:
            result.rejected[reason] += 1
            logger.warning(
                "ingest refused reason=%s device=%s detail=%s",
                reason,
                device_id or "?",
                detail[:200],
            )
        return result

    def _store(
        self, events, quarantine, statuses, seen_devices, rejections, result: BatchResult
    ) -> None:
        existing: dict[str, str] = {}
        ids = list(events)
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            existing.update(
                db.session.execute(
                    db.select(AttendanceEvent.event_id, AttendanceEvent.payload_sha256).where(
                        AttendanceEvent.event_id.in_(part)
                    )
                ).all()
            )
        rows = []
        for event_id, (event, digest, device_id, captured) in events.items():
            if event_id in existing:
                if existing[event_id] == digest:
                    result.duplicates += 1
                    result.acks[device_id].append(event_id)
                else:
                    rejections.append(
                        (
                            device_id,
                            "replay_conflict",
                            f"event {event_id} replayed with other content",
                        )
                    )
                continue
            rows.append(
                {
                    "event_id": event_id,
                    "device_id": device_id,
                    "seq": event.seq,
                    "captured_at": captured,
                    "staff_id": event.staff_id,
                    "user_id": self._staff[event.staff_id],
                    "direction": event.direction,
                    "score": event.score,
                    "liveness": event.liveness,
                    "model": event.model,
                    "payload_sha256": digest,
                }
            )
            result.acks[device_id].append(event_id)
        if rows:  # Core executemany: the ORM's bulk path costs more per row here
            db.session.connection().execute(AttendanceEvent.__table__.insert(), rows)
        result.committed = len(rows)
        for event, _digest, reason in quarantine:
            if (
                db.session.scalar(
                    db.select(QuarantinedEvent.id).where(
                        QuarantinedEvent.event_id == event.event_id
                    )
                )
                is None
            ):
                db.session.add(
                    QuarantinedEvent(
                        event_id=event.event_id,
                        device_id=event.device_id,
                        reason=reason,
                        payload=json.dumps(event.model_dump(), sort_keys=True),
                    )
                )
            result.quarantined += 1
            result.acks[event.device_id].append(event.event_id)
        self._count(rejections)
        self._touch_devices(seen_devices, statuses)
        result.statuses = len(statuses)
        db.session.commit()

    def _count(self, rejections: list[tuple[str, str, str]]) -> None:
        grouped: dict[tuple[str, str], tuple[int, str]] = {}
        for device_id, reason, detail in rejections:
            n, _ = grouped.get((device_id, reason), (0, ""))
            grouped[(device_id, reason)] = (n + 1, detail)
        now = utcnow()
        for (device_id, reason), (n, detail) in grouped.items():
            row = db.session.scalar(
                db.select(IngestRejection).where(
                    IngestRejection.device_key == device_id, IngestRejection.reason == reason
                )
            )
            if row is None:
                row = IngestRejection(device_key=device_id, reason=reason, count=0)
                db.session.add(row)
            row.count += n
            row.last_at = now
            row.last_detail = detail[:500]

    def _touch_devices(self, seen: dict[str, datetime], statuses: dict[str, StatusPayload]) -> None:
        for device_id in set(seen) | set(statuses):
            device = db.session.scalar(db.select(Device).where(Device.device_id == device_id))
            if device is None:
                continue
            device.last_seen_at = seen.get(device_id, device.last_seen_at)
            status = statuses.get(device_id)
            if status is not None:
                at = parse_ts(status.ts).replace(tzinfo=None)
                if device.last_status_at is None or at >= device.last_status_at:
                    device.state = status.state
                    device.last_status_at = at
                    device.version = status.version
                    device.outbox_depth = status.outbox_depth
                    device.fps = status.fps
                    device.model = status.model
                    device.gallery_version = status.gallery_version
                    device.last_event_at = (
                        parse_ts(status.last_event_ts).replace(tzinfo=None)
                        if status.last_event_ts
                        else None
                    )
                    if status.state == "online":
                        device.last_seen_at = max(device.last_seen_at or at, at)
                        device.offline_alerted_at = None


def rejection_totals() -> dict[str, int]:
    """Refusals per reason over all devices (for the admin page and tests)."""
    rows = db.session.execute(
        db.select(IngestRejection.reason, func.sum(IngestRejection.count)).group_by(
            IngestRejection.reason
        )
    )
    return {reason: int(total) for reason, total in rows}
