"""The gallery: every enrolled person's templates in one matrix, matched with numpy.

Templates of one person sit next to each other, so the best distance per person is one
``np.minimum.reduceat`` over the distances to all templates.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Match:
    """The best person for a probe. ``staff_id`` is None when nobody is close enough."""

    staff_id: str | None
    distance: float
    #: Confidence in [0, 1] (1 - distance, floored at 0), what events carry as ``score``.
    score: float
    #: The best distance of anyone else: a small margin means an ambiguous match.
    runner_up: float


def encode_embedding(vector: np.ndarray) -> str:
    """base64url of little-endian float32, as galleries carry templates."""
    raw = np.asarray(vector, dtype="<f4").tobytes()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_embedding(text: str, dim: int) -> np.ndarray:
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    vector = np.frombuffer(raw, dtype="<f4")
    if vector.shape != (dim,) or not np.all(np.isfinite(vector)):
        raise ValueError(f"template is not {dim} finite float32 values")
    return vector.astype(np.float32)


class Gallery:
    """An immutable set of people and templates for one model."""

    def __init__(
        self,
        model_id: str,
        dim: int,
        metric: str,
        people: Iterable[tuple[str, str, np.ndarray]],
        version: int = 0,
    ) -> None:
        if metric not in ("euclidean", "cosine"):
            raise ValueError("metric must be euclidean or cosine")
        self.model_id, self.dim, self.metric, self.version = model_id, dim, metric, version
        self.ids: list[str] = []
        self.names: dict[str, str] = {}
        blocks, starts, start = [], [], 0
        for staff_id, name, templates in people:
            templates = np.asarray(templates, dtype=np.float32).reshape(-1, dim)
            if len(templates) == 0:
                continue
            if metric == "cosine":
                templates = templates / np.linalg.norm(templates, axis=1, keepdims=True)
            self.ids.append(staff_id)
            self.names[staff_id] = name
            blocks.append(templates)
            starts.append(start)
            start += len(templates)
        self.matrix = np.vstack(blocks) if blocks else np.zeros((0, dim), np.float32)
        self.starts = np.array(starts, dtype=np.intp)
        self.sq_norms = np.einsum("ij,ij->i", self.matrix, self.matrix)

    def __len__(self) -> int:
        return len(self.ids)

    def person_distances(self, probe: np.ndarray) -> np.ndarray:
        """The best distance from the probe to each person, shape (len(self),)."""
        probe = np.asarray(probe, dtype=np.float32).reshape(self.dim)
        if self.metric == "cosine":
            probe = probe / np.linalg.norm(probe)
            per_template = 1.0 - self.matrix @ probe
        else:
            d2 = self.sq_norms - 2.0 * (self.matrix @ probe) + float(probe @ probe)
            per_template = np.sqrt(np.maximum(d2, 0.0))
        return np.minimum.reduceat(per_template, self.starts)

    def match(self, probe: np.ndarray, threshold: float) -> Match:
        """The closest person if within ``threshold``, else an unknown match."""
        if not self.ids:
            return Match(None, float("inf"), 0.0, float("inf"))
        dists = self.person_distances(probe)
        best = int(np.argmin(dists))
        distance = float(dists[best])
        runner_up = float(np.partition(dists, 1)[1]) if len(dists) > 1 else float("inf")
        score = max(0.0, min(1.0, 1.0 - distance))
        staff_id = self.ids[best] if distance <= threshold else None
        return Match(staff_id, distance, score, runner_up)

    def name_of(self, staff_id: str) -> str:
        return self.names.get(staff_id, staff_id)
