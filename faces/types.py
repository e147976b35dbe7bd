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
    #: "dlib5": eye corners (0-1, 2-3) and nose (4); "arcface5": eyes (0, 1), nose (2),
    #: mouth corners (3, 4), as SCRFD gives them.
    layout: str = "dlib5"

    def eyes_and_nose(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pts = self.landmarks
        if self.layout == "arcface5":
            return pts[0], pts[1], pts[2]
        return pts[0:2].mean(axis=0), pts[2:4].mean(axis=0), pts[4]

    @property
    def size(self) -> int:
        return min(self.box[2], self.box[3])

    def scaled(self, factor: float) -> Face:
        x, y, w, h = self.box
        return Face(
            box=(round(x * factor), round(y * factor), round(w * factor), round(h * factor)),
            score=self.score,
            landmarks=self.landmarks * factor,
            layout=self.layout,
        )
