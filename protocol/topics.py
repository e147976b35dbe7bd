"""MQTT topic names (prefix ``smartcare/v1``)."""

from __future__ import annotations

import re

PREFIX = "smartcare/v1"
ATTENDANCE = "attendance"
STATUS = "status"
ACK = "ack"

#: What the hub's ingest subscribes to; several workers share it as a group.
ATTENDANCE_FILTER = f"{PREFIX}/devices/+/{ATTENDANCE}"
STATUS_FILTER = f"{PREFIX}/devices/+/{STATUS}"
SHARED_GROUP = "hub"
SHARED_ATTENDANCE_FILTER = f"$share/{SHARED_GROUP}/{ATTENDANCE_FILTER}"

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_DEVICE_TOPIC = re.compile(rf"^{PREFIX}/devices/([^/]+)/([a-z]+)$")


def valid_id(value: str) -> bool:
    """Device and site ids: letters, digits, ``_.-``; no MQTT wildcards or slashes."""
    return bool(_ID.match(value))


def _check(value: str, what: str) -> str:
    if not valid_id(value):
        raise ValueError(f"invalid {what}: {value!r}")
    return value


def attendance(device_id: str) -> str:
    return f"{PREFIX}/devices/{_check(device_id, 'device id')}/{ATTENDANCE}"


def status(device_id: str) -> str:
    return f"{PREFIX}/devices/{_check(device_id, 'device id')}/{STATUS}"


def ack(device_id: str) -> str:
    return f"{PREFIX}/devices/{_check(device_id, 'device id')}/{ACK}"


def gallery(site_id: str) -> str:
    return f"{PREFIX}/sites/{_check(site_id, 'site id')}/gallery"


def parse_device_topic(topic: str) -> tuple[str, str] | None:
    """``(device_id, kind)`` of a ``devices/{id}/{kind}`` topic, else None."""
    m = _DEVICE_TOPIC.match(topic)
    return (m.group(1), m.group(2)) if m else None
