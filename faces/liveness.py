"""Liveness: tell a live face from a printed photo or a phone screen held to the camera.

A multi-frame check over one track's 68-point landmarks (dlib's public-domain
predictor). A photo is a flat object: however it is moved or tilted, its landmarks in
one frame map onto those in another by a single homography, and its eyes never blink. A
real head is not flat: as it turns, the nose moves against the eyes and cheeks by
parallax, and eyes blink and expressions change. The score combines:

- non-planarity: the residual of the best homography between frames, as a share of the
  eye distance (a photo's residual is landmark noise only);
- blink: the eye aspect ratio dropping well below its median in some frame.

A still image fed frame after frame (a replayed picture) has neither and scores 0.
Where provisioning placed InsightFace's ``liveness.onnx`` under the model root's
``addons/`` (checked by SHA-256), ``OnnxLiveness`` adds its per-frame score.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import cv2
import dlib
import numpy as np

from faces.backends.dlib_backend import model_path

logger = logging.getLogger(__name__)

#: Residual (share of the eye distance) that a flat photo stays under once landmark noise
#: is smoothed away, and the one a turning head reaches. Calibrated with
#: bench/liveness_calibrate.py on the sample video (20-frame windows: live 0.032-0.111,
#: simulated photos 0.015-0.029); the score is 0.5 at 0.031.
PLANAR_NOISE = 0.022
PARALLAX_FULL = 0.040
BLINK_RATIO = 0.70

_LEFT_EYE = slice(36, 42)
_RIGHT_EYE = slice(42, 48)


class Landmarks68:
    """dlib's 68-point shape predictor."""

    def __init__(self) -> None:
        self._predictor = dlib.shape_predictor(
            str(model_path("shape_predictor_68_face_landmarks.dat"))
        )

    def __call__(self, rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
        x, y, w, h = box
        shape = self._predictor(rgb, dlib.rectangle(int(x), int(y), int(x + w), int(y + h)))
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)


def eye_aspect_ratio(points: np.ndarray) -> float:
    def ear(eye: np.ndarray) -> float:
        vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
        return float(vertical / (2.0 * max(np.linalg.norm(eye[0] - eye[3]), 1e-6)))

    return (ear(points[_LEFT_EYE]) + ear(points[_RIGHT_EYE])) / 2.0


def _eye_distance(points: np.ndarray) -> float:
    return float(np.linalg.norm(points[_LEFT_EYE].mean(0) - points[_RIGHT_EYE].mean(0)))


def planar_residual(a: np.ndarray, b: np.ndarray) -> float:
    """RMS error of the best homography from ``a`` to ``b``, over the eye distance."""
    H, _ = cv2.findHomography(a, b, 0)
    if H is None:
        return 0.0
    projected = cv2.perspectiveTransform(a.reshape(-1, 1, 2), H).reshape(-1, 2)
    rms = float(np.sqrt(np.mean(np.sum((projected - b) ** 2, axis=1))))
    return rms / max(_eye_distance(b), 1e-6)


def _smooth(points: np.ndarray) -> np.ndarray:
    """Fit each landmark coordinate with a quadratic in time: per-frame landmark noise
    cancels, smooth motion (a moving photo, a turning head) stays."""
    t = np.arange(len(points), dtype=np.float64)
    basis = np.vstack([np.ones_like(t), t, t * t]).T
    flat = points.reshape(len(points), -1)
    coef, *_ = np.linalg.lstsq(basis, flat, rcond=None)
    return (basis @ coef).reshape(points.shape)


def liveness_score(history: list[np.ndarray]) -> tuple[float, dict[str, float]]:
    """Score in [0, 1] from a track's 68-point landmark sets (oldest first)."""
    if len(history) < 3:
        return 0.0, {"frames": float(len(history))}
    raw = np.stack([np.asarray(h, dtype=np.float64) for h in history])
    pts = _smooth(raw)
    # compare frames a few apart: neighbours barely differ
    step = 3 if len(pts) >= 6 else 1
    residuals = [
        planar_residual(pts[i], pts[j])
        for i in range(len(pts))
        for j in range(i + step, len(pts), step)
    ]
    parallax = float(np.percentile(residuals, 90)) if residuals else 0.0
    ears = np.array([eye_aspect_ratio(p) for p in raw])
    median_ear = float(np.median(ears))
    blink = bool(median_ear > 0.12 and ears.min() < BLINK_RATIO * median_ear)
    parallax_score = float(
        np.clip((parallax - PLANAR_NOISE) / (PARALLAX_FULL - PLANAR_NOISE), 0.0, 1.0)
    )
    score = max(parallax_score, 1.0 if blink else 0.0)
    return score, {"parallax": parallax, "blink": float(blink), "frames": float(len(pts))}


class OnnxLiveness:
    """InsightFace 2.1's RGB liveness add-on, when provisioning placed it (never fetched)."""

    def __init__(self, path: Path, sha256: str) -> None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != sha256:
            raise ValueError(f"{path}: SHA-256 {digest[:12]}... does not match the expected one")
        import onnxruntime

        self.session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0]

    def __call__(self, chip_rgb: np.ndarray) -> float:
        size = self.input.shape[2] if isinstance(self.input.shape[2], int) else 112
        blob = cv2.resize(chip_rgb, (size, size)).astype(np.float32)
        blob = ((blob - 127.5) / 127.5).transpose(2, 0, 1)[None]
        out = self.session.run(None, {self.input.name: blob})[0].reshape(-1)
        if out.size >= 2:  # [spoof, live] logits or probabilities
            e = np.exp(out - out.max())
            return float((e / e.sum())[-1])
        return float(1.0 / (1.0 + np.exp(-out[0])))


def find_onnx_addon(model_root: Path | None, sha256: str | None) -> OnnxLiveness | None:
    """The add-on under ``<model root>/addons/liveness.onnx``, if present and verified."""
    if model_root is None or sha256 is None:
        return None
    path = model_root / "addons" / "liveness.onnx"
    if not path.is_file():
        return None
    try:
        return OnnxLiveness(path, sha256)
    except Exception as exc:
        logger.error("liveness add-on refused: %s", exc)
        return None
