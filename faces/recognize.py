"""Offline recognition of still images against a gallery (``smartcare-kiosk recognize``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from faces.backends import FaceBackend
from faces.gallery import Gallery
from faces.stills import ImageError, detect_faces, load_rgb


def recognize_image(
    backend: FaceBackend, gallery: Gallery, image: Path, threshold: float | None = None
) -> dict[str, Any]:
    """``{"image": ..., "faces": [{"box": [x, y, w, h], "id": id or None, "score": s}]}``."""
    threshold = backend.threshold if threshold is None else threshold
    try:
        rgb = load_rgb(image)
    except ImageError as exc:
        return {"image": str(image), "faces": [], "error": str(exc)}
    faces = detect_faces(backend, rgb)
    embeddings = backend.embed([backend.align(rgb, f) for f in faces])
    out = []
    for face, emb in zip(faces, embeddings, strict=True):
        match = gallery.match(emb, threshold)
        out.append(
            {
                "box": [int(v) for v in face.box],
                "id": match.staff_id,
                "score": round(match.score, 4),
            }
        )
    return {"image": str(image), "faces": out}


def recognize_images(
    backend: FaceBackend, gallery: Gallery, images: list[Path], threshold: float | None = None
) -> Iterator[dict[str, Any]]:
    for image in images:
        yield recognize_image(backend, gallery, image, threshold)
