"""API: attendance, kiosk devices, staff face enrolment."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from hub.access import ADMIN, STAFF_ROLES
from hub.api import api_route, parse_body
from hub.api.schemas import Body
from hub.attendance import services as attendance
from hub.devices import services as devices
from hub.devices.models import Device
from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.staff import faces
from hub.staff.services import enrolment_target


class DeviceIn(Body):
    device_id: str
    site_id: str
    public_key: str
    name: str | None = None
    rotate: bool = False


@api_route(
    "/attendance",
    roles=(ADMIN, *STAFF_ROLES),
    tag="attendance",
    summary="Daily attendance records the caller may see",
    query={"date": "YYYY-MM-DD (default today)", "staff_id": "one staff member"},
)
def attendance_day():
    day = attendance.parse_day(request.args.get("date"))
    records = attendance.daily_records(current_user, day, request.args.get("staff_id") or None)
    return jsonify(date=day.isoformat(), items=[r.to_dict() for r in records])


@api_route(
    "/devices",
    roles=(ADMIN,),
    tag="devices",
    summary="Kiosks: state, last seen, version, outbox depth, fps, refused counts",
)
def list_devices():
    offline = devices.offline_after()
    rejected = devices.rejected_counts()
    rows = db.session.scalars(db.select(Device).order_by(Device.device_id))
    return jsonify(items=[devices.to_dict(d, offline, rejected.get(d.device_id, {})) for d in rows])


@api_route(
    "/devices",
    methods=("POST",),
    roles=(ADMIN,),
    body=DeviceIn,
    tag="devices",
    summary="Register a kiosk and its Ed25519 public key (provisioning)",
    responses={201: "registered", 409: "exists (pass rotate)"},
)
def register_device():
    data = parse_body(DeviceIn)
    device = devices.register(
        data.device_id, data.site_id, data.public_key, name=data.name, rotate=data.rotate
    )
    offline = devices.offline_after()
    return jsonify(devices.to_dict(device, offline, {})), 201


@api_route(
    "/devices/<device_id>/revoke",
    methods=("POST",),
    roles=(ADMIN,),
    tag="devices",
    summary="Revoke a kiosk: its events are refused from now on",
)
def revoke_device(device_id: str):
    device = devices.revoke(device_id)
    offline = devices.offline_after()
    return jsonify(devices.to_dict(device, offline, {}))


@api_route(
    "/staff/<staff_id>/faces",
    methods=("POST",),
    roles=(ADMIN, *STAFF_ROLES),
    tag="attendance",
    multipart={"file": "binary"},
    summary="Enrol a face photo (admin: anyone; staff: themselves)",
    responses={
        201: "enrolled",
        400: "no face / several faces / poor quality",
        403: "not yours",
        415: "not JPEG/PNG",
    },
)
def enrol_face(staff_id: str):
    profile = enrolment_target(current_user, staff_id)
    upload = request.files.get("file")
    if upload is None:
        raise ServiceError("Attach the photo as the multipart field 'file'.", {"file": "missing"})
    template = faces.enrol_photo(profile, upload.read(), current_user.id)
    published = faces.publish_gallery(profile.site_id)
    return jsonify(
        staff_id=profile.staff_code,
        templates=faces.template_count(profile.user_id),
        model=template.model,
        gallery_published=published,
    ), 201
