"""The quality gate: is a face crop good enough to embed? Size, sharpness and pose."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from faces.types import Face


@dataclass(frozen=True, slots=True)
class QualityRules:
    min_face_px: int = 60
    #: Variance of the Laplacian of the aligned grey crop; below it the crop is blurred.
    min_sharpness: float = 25.0
    #: |nose offset from the eye midpoint| / eye distance: about 0 frontal, 0.5 in profile.
    max_yaw: float = 0.35
    max_roll_deg: float = 25.0


@dataclass(frozen=True, slots=True)
class Quality:
    ok: bool
    score: float
    size: int
    sharpness: float
    yaw: float
    roll_deg: float
    reasons: list[str] = field(default_factory=list)


def pose(face: Face) -> tuple[float, float]:
    """(yaw ratio, roll in degrees) from the 5 landmarks."""
    a, b, nose = face.eyes_and_nose()
    left, right = (a, b) if a[0] < b[0] else (b, a)
    dx, dy = right - left
    eye_dist = max(1e-6, math.hypot(dx, dy))
    roll = math.degrees(math.atan2(dy, dx))
    mid = (left + right) / 2
    # nose offset along the eye line, as a share of the eye distance
    yaw = float(np.dot(nose - mid, (dx, dy)) / eye_dist / eye_dist)
    return yaw, roll


def sharpness(chip: np.ndarray) -> float:
    grey = cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY) if chip.ndim == 3 else chip
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def assess(face: Face, chip: np.ndarray, rules: QualityRules = QualityRules()) -> Quality:
    """Judge one face; ``score`` orders crops of a track (higher is better)."""
    yaw, roll = pose(face)
    sharp = sharpness(chip)
    reasons = []
    if face.size < rules.min_face_px:
        reasons.append(f"face too small ({face.size} px < {rules.min_face_px})")
    if sharp < rules.min_sharpness:
        reasons.append(f"too blurred (sharpness {sharp:.0f} < {rules.min_sharpness:.0f})")
    if abs(yaw) > rules.max_yaw:
        reasons.append(f"face turned away (yaw {yaw:+.2f})")
    if abs(roll) > rules.max_roll_deg:
        reasons.append(f"head tilted ({roll:+.0f} degrees)")
    size_term = min(1.0, face.size / (2.0 * rules.min_face_px))
    sharp_term = min(1.0, sharp / (4.0 * rules.min_sharpness))
    pose_term = max(0.0, 1.0 - abs(yaw) / max(rules.max_yaw, 1e-6) * 0.5)
    score = size_term * sharp_term * pose_term
    return Quality(not reasons, score, face.size, sharp, yaw, roll, reasons)
