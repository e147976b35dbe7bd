"""Faces in still photos (enrolment, the offline ``recognize`` check)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from faces.backends import FaceBackend
from faces.types import Face

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
#: Stills are searched at most this large; small ones are upsampled once instead.
MAX_DETECT_SIDE = 1024


class ImageError(ValueError):
    """The file is not a readable image."""


def load_rgb(source: str | Path | bytes) -> np.ndarray:
    """Decode a file path or encoded bytes into an RGB uint8 array."""
    if isinstance(source, bytes):
        bgr = cv2.imdecode(np.frombuffer(source, np.uint8), cv2.IMREAD_COLOR)
    else:
        bgr = cv2.imread(str(source), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ImageError("not a readable image")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def detect_faces(backend: FaceBackend, rgb: np.ndarray) -> list[Face]:
    """All faces in a still, in the still's own pixel coordinates."""
    side = max(rgb.shape[:2])
    factor = min(1.0, MAX_DETECT_SIDE / side)
    small = (
        rgb
        if factor == 1.0
        else cv2.resize(rgb, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    )
    upsample = 1 if max(small.shape[:2]) < 700 else 0
    faces = backend.detect(small, upsample=upsample)
    return [f.scaled(1.0 / factor) for f in faces] if factor != 1.0 else faces


def image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
