"""Staff face enrolment in the hub and the per-site galleries it publishes (signed).

Photos are turned into templates by the same ``faces`` pipeline the kiosks run, and then
dropped: the hub keeps templates, not photos.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Any

import numpy as np
from flask import current_app

from faces.backends import FaceBackend, load_backend
from faces.enrol import template_from_photo
from faces.gallery import encode_embedding
from hub.auth.models import ACTIVE, User
from hub.errors.exceptions import ServiceError, UnsupportedMediaType
from hub.extensions import db
from hub.keys import hub_key
from hub.labs.services import sniff_type
from hub.staff.models import FaceTemplate, StaffProfile
from protocol import canonical_json, format_ts, sign_envelope, topics

logger = logging.getLogger(__name__)
_backends: dict[str, FaceBackend] = {}
MAX_TEMPLATES = 10


def backend() -> FaceBackend:
    name = current_app.config["FACE_BACKEND"]
    if name not in _backends:
        _backends[name] = load_backend(name, current_app.config.get("FACE_MODEL_DIR"))
    return _backends[name]


def enrol_photo(profile: StaffProfile, photo: bytes, actor_id: int | None) -> FaceTemplate:
    """Add one template from a photo; a clear error when the photo will not do."""
    if not photo:
        raise ServiceError("The photo is empty.", {"file": "Choose a photo."})
    mime = sniff_type(photo)
    if mime == "application/pdf":
        raise UnsupportedMediaType("Upload a JPEG or PNG photo.", {"file": "JPEG or PNG only."})
    model = backend()
    try:
        vector = template_from_photo(model, photo)
    except ValueError as exc:
        raise ServiceError(f"Photo not usable: {exc}.", {"file": f"Not usable: {exc}."}) from None
    if template_count(profile.user_id, model.model_id) >= MAX_TEMPLATES:
        raise ServiceError(f"{profile.user.name} already has {MAX_TEMPLATES} photos enrolled.")
    template = FaceTemplate(
        user_id=profile.user_id,
        model=model.model_id,
        vector=np.asarray(vector, dtype="<f4").tobytes(),
        photo_sha256=hashlib.sha256(photo).hexdigest(),
        created_by_id=actor_id,
    )
    db.session.add(template)
    db.session.commit()
    return template


def template_count(user_id: int, model_id: str | None = None) -> int:
    """How many face templates a staff member has (for one model, or for all)."""
    query = db.select(db.func.count(FaceTemplate.id)).where(FaceTemplate.user_id == user_id)
    if model_id is not None:
        query = query.where(FaceTemplate.model == model_id)
    return db.session.scalar(query) or 0


def gallery_payload(site_id: str, model_id: str, dim: int) -> dict[str, Any]:
    """The site's gallery for a model: every active staff member with templates."""
    rows = db.session.execute(
        db.select(StaffProfile.staff_code, User.name, FaceTemplate.vector, FaceTemplate.id)
        .join(User, User.id == StaffProfile.user_id)
        .join(FaceTemplate, FaceTemplate.user_id == StaffProfile.user_id)
        .where(
            StaffProfile.site_id == site_id, User.status == ACTIVE, FaceTemplate.model == model_id
        )
        .order_by(StaffProfile.staff_code, FaceTemplate.id)
    )
    people: dict[str, dict[str, Any]] = {}
    for code, name, vector, _template_id in rows:
        person = people.setdefault(code, {"staff_id": code, "name": name, "embeddings": []})
        person["embeddings"].append(encode_embedding(np.frombuffer(vector, dtype="<f4")))
    # kiosks keep the newest version they have seen; milliseconds rise with every publish
    version = int(datetime.now(UTC).timestamp() * 1000)
    return {
        "v": 1,
        "type": "gallery",
        "site_id": site_id,
        "model": model_id,
        "version": version,
        "dim": dim,
        "ts": format_ts(datetime.now(UTC)),
        "people": list(people.values()),
    }


def signed_gallery(site_id: str) -> bytes:
    model = backend()
    payload = gallery_payload(site_id, model.model_id, model.dim)
    return canonical_json(sign_envelope(payload, hub_key()))


def publish_gallery(site_id: str) -> bool:
    """Publish the site's gallery, retained, for its kiosks. False when no broker answers
    (the ingest publishes every gallery again when it starts)."""
    from hub.mqtt_link import broker_settings, publish_once

    settings = broker_settings()
    if settings is None:
        logger.warning("no MQTT broker configured; gallery for %s not published", site_id)
        return False
    ok = publish_once(settings, topics.gallery(site_id), signed_gallery(site_id), retain=True)
    logger.info("gallery for site %s published=%s", site_id, ok)
    return ok


def sites() -> list[str]:
    return list(db.session.scalars(db.select(StaffProfile.site_id).distinct()))
