"""Plain data passed between the stages of the face pipeline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Face:
    """One detected face in an RGB image: box ``(x, y, w, h)`` in pixels, the detector's
    confidence, and 5 landmarks (eye corners / eye centres and nose) as a (5, 2) array."""

    box: tuple[int, int, int, int]
    score: float
    landmarks: np.ndarray

    @property
    def size(self) -> int:
        return min(self.box[2], self.box[3])

    def scaled(self, factor: float) -> Face:
        x, y, w, h = self.box
        return Face(
            box=(round(x * factor), round(y * factor), round(w * factor), round(h * factor)),
            score=self.score,
            landmarks=self.landmarks * factor,
        )
