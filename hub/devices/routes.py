"""The admin's devices page: online/offline, last seen, version, outbox, fps, refusals."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from hub.access import ADMIN, allow
from hub.devices import services
from hub.devices.models import Device, IngestRejection
from hub.extensions import db

bp = Blueprint("devices", __name__, url_prefix="/devices")


@bp.route("/")
@allow(ADMIN)
def index():
    devices = db.session.scalars(db.select(Device).order_by(Device.site_id, Device.device_id)).all()
    rejected = services.rejected_counts()
    rows = [
        services.to_dict(d, services.offline_after(), rejected.get(d.device_id, {}))
        for d in devices
    ]
    reasons = db.session.execute(
        db.select(IngestRejection.reason, db.func.sum(IngestRejection.count))
        .group_by(IngestRejection.reason)
        .order_by(IngestRejection.reason)
    ).all()
    unknown = rejected.get("", {})
    return render_template("devices/index.html", rows=rows, reasons=reasons, unknown=unknown)


@bp.route("/<device_id>/revoke", methods=["POST"])
@allow(ADMIN)
def revoke(device_id: str):
    services.revoke(device_id)
    flash(f"{device_id} revoked: the hub refuses its events from now on.", "info")
    return redirect(url_for("devices.index"))
