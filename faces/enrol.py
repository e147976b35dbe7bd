"""Enrolment: templates from several photos per person, refusing bad photos with a reason."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from faces.backends import FaceBackend
from faces.gallery import Gallery
from faces.quality import QualityRules, assess
from faces.stills import ImageError, detect_faces, image_files, load_rgb

logger = logging.getLogger(__name__)

#: Enrolment photos are taken on purpose: a face should be clearly visible.
ENROL_RULES = QualityRules(min_face_px=80, min_sharpness=15.0, max_yaw=0.3, max_roll_deg=20.0)


@dataclass
class EnrolResult:
    embeddings: list[np.ndarray] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    #: (photo label, reason) for each photo refused.
    rejected: list[tuple[str, str]] = field(default_factory=list)


def template_from_photo(
    backend: FaceBackend, photo: str | Path | bytes, rules: QualityRules = ENROL_RULES
) -> np.ndarray:
    """One template from one photo; ``ValueError`` with a reason a person can act on."""
    try:
        rgb = load_rgb(photo)
    except ImageError:
        raise ValueError("not a readable JPEG or PNG image") from None
    faces = detect_faces(backend, rgb)
    if not faces:
        raise ValueError("no face found")
    if len(faces) > 1:
        raise ValueError(f"{len(faces)} faces found; the photo must show one person")
    face = faces[0]
    chip = backend.align(rgb, face)
    quality = assess(face, chip, rules)
    if not quality.ok:
        raise ValueError("poor quality: " + "; ".join(quality.reasons))
    return backend.embed([chip])[0]


def enrol_photos(
    backend: FaceBackend,
    photos: list[tuple[str, str | Path | bytes]],
    rules: QualityRules = ENROL_RULES,
) -> EnrolResult:
    """Templates from (label, photo) pairs, each refused photo with its reason."""
    result = EnrolResult()
    for label, photo in photos:
        try:
            result.embeddings.append(template_from_photo(backend, photo, rules))
            result.accepted.append(label)
        except ValueError as exc:
            result.rejected.append((label, str(exc)))
            logger.info("enrolment photo refused photo=%s reason=%s", label, exc)
    return result


def gallery_from_folders(
    backend: FaceBackend,
    root: Path,
    rules: QualityRules = ENROL_RULES,
    exclude: set[Path] | None = None,
) -> tuple[Gallery, dict[str, EnrolResult]]:
    """A gallery from ``root/<person id>/*.jpg``; also each person's enrolment result."""
    people, results = [], {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        photos = [(p.name, p) for p in image_files(folder) if not exclude or p not in exclude]
        result = enrol_photos(backend, photos, rules)
        results[folder.name] = result
        if result.embeddings:
            people.append((folder.name, folder.name, np.vstack(result.embeddings)))
    gallery = Gallery(backend.model_id, backend.dim, backend.metric, people)
    return gallery, results
