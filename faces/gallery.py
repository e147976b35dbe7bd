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
    #: The best distance of anyone else among those examined (at least the true runner-up's
    #: distance): a small margin means an ambiguous match.
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
        self.counts = np.array([len(b) for b in blocks], dtype=np.intp)
        self.sq_norms = np.einsum("ij,ij->i", self.matrix, self.matrix)
        # Per person: the centroid and the radius around it that holds every template. By
        # the triangle inequality a person's best distance is at least |probe - centroid| -
        # radius, so ``match`` reads the small centroid matrix and only the templates of
        # the few people that bound does not rule out: exact, and far less memory traffic.
        if blocks:
            self.centroids = np.vstack([b.mean(axis=0) for b in blocks]).astype(np.float32)
            self.radii = np.array(
                [
                    np.linalg.norm(b - c, axis=1).max()
                    for b, c in zip(blocks, self.centroids, strict=True)
                ],
                dtype=np.float32,
            )
        else:
            self.centroids = np.zeros((0, dim), np.float32)
            self.radii = np.zeros(0, np.float32)
        self.c_sq = np.einsum("ij,ij->i", self.centroids, self.centroids)

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

    def _euclid_rows(self, people: np.ndarray, probe: np.ndarray) -> np.ndarray:
        """Exact euclidean best distance of the given people."""
        rows = np.concatenate(
            [np.arange(self.starts[i], self.starts[i] + self.counts[i]) for i in people]
        )
        d2 = self.sq_norms[rows] - 2.0 * (self.matrix[rows] @ probe) + float(probe @ probe)
        d = np.sqrt(np.maximum(d2, 0.0))
        offsets = np.concatenate([[0], np.cumsum(self.counts[people])[:-1]])
        return np.minimum.reduceat(d, offsets)

    def _best_two(self, probe: np.ndarray) -> tuple[int, float, float]:
        """(best person, its exact distance, the best other distance examined)."""
        n = len(self.ids)
        if self.metric == "cosine":
            # unit vectors: cosine distance = |a - b|^2 / 2, so search in euclidean space
            unit = probe / max(float(np.linalg.norm(probe)), 1e-12)
            best, d, other = self._best_two_euclidean(unit, n)
            return best, d * d / 2.0, other * other / 2.0
        return self._best_two_euclidean(probe, n)

    def _best_two_euclidean(self, probe: np.ndarray, n: int) -> tuple[int, float, float]:
        dc = np.sqrt(
            np.maximum(self.c_sq - 2.0 * (self.centroids @ probe) + float(probe @ probe), 0.0)
        )
        lower = dc - self.radii
        k = min(n, 8)
        candidates = np.argpartition(lower, k - 1)[:k] if k < n else np.arange(n)
        exact = dict(
            zip(candidates.tolist(), self._euclid_rows(candidates, probe).tolist(), strict=True)
        )
        while True:
            best_so_far = min(exact.values())
            # nobody outside ``exact`` can beat the best so far unless its bound allows it
            more = np.nonzero(lower < best_so_far)[0]
            more = np.array([i for i in more.tolist() if i not in exact], dtype=np.intp)
            if more.size == 0:
                break
            exact.update(zip(more.tolist(), self._euclid_rows(more, probe).tolist(), strict=True))
        ranked = sorted(exact, key=exact.get)
        best = ranked[0]
        runner_up = exact[ranked[1]] if len(ranked) > 1 else float("inf")
        return best, exact[best], runner_up

    def match(self, probe: np.ndarray, threshold: float) -> Match:
        """The closest person if within ``threshold``, else an unknown match."""
        if not self.ids:
            return Match(None, float("inf"), 0.0, float("inf"))
        probe = np.asarray(probe, dtype=np.float32).reshape(self.dim)
        best, distance, runner_up = self._best_two(probe)
        score = max(0.0, min(1.0, 1.0 - distance))
        staff_id = self.ids[best] if distance <= threshold else None
        return Match(staff_id, distance, score, runner_up)

    def name_of(self, staff_id: str) -> str:
        return self.names.get(staff_id, staff_id)
