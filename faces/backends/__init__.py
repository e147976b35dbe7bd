"""Face backends: ``dlib`` (default, bundled models) and ``insightface`` (ONNX model pack)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from faces.types import Face


class FaceBackend(Protocol):
    """What every backend offers. Images are RGB ``uint8`` arrays."""

    model_id: str
    dim: int
    #: "euclidean" (dlib) or "cosine" (ArcFace); the gallery matches with it.
    metric: str
    #: Default decision threshold on the metric's distance, calibrated per model.
    threshold: float

    def detect(self, rgb: np.ndarray, upsample: int = 0) -> list[Face]: ...

    def align(self, rgb: np.ndarray, face: Face) -> np.ndarray:
        """An aligned crop ready for ``embed`` (its size is the backend's own)."""
        ...

    def embed(self, chips: list[np.ndarray]) -> np.ndarray:
        """Embeddings, shape (len(chips), dim), float32."""
        ...


def available_backends() -> tuple[str, ...]:
    return ("dlib", "insightface")


def load_backend(name: str = "dlib", model_dir: str | Path | None = None, **options) -> FaceBackend:
    """Build a backend by name. ``insightface`` needs ``model_dir`` (a model pack)."""
    if name == "dlib":
        from faces.backends.dlib_backend import DlibBackend

        return DlibBackend(**options)
    if name == "insightface":
        from faces.backends.insightface_backend import InsightFaceBackend

        if model_dir is None:
            raise ValueError("the insightface backend needs model_dir (a model pack directory)")
        return InsightFaceBackend(Path(model_dir), **options)
    raise ValueError(f"unknown face backend {name!r}; choose one of {available_backends()}")
