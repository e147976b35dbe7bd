"""A simple IoU tracker: follows faces across frames so that decisions are per track."""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from faces.gallery import Match
from faces.types import Face


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union else 0.0


@dataclass
class Track:
    id: int
    face: Face
    first_seen: float  # monotonic
    first_seen_wall: float  # time.time() of the first frame: the capture time of the pass
    last_seen: float
    hits: int = 1
    landmarks: deque = field(default_factory=lambda: deque(maxlen=30))
    in_flight: int = 0
    embedded: int = 0
    best_quality: float = 0.0
    votes: list[Match] = field(default_factory=list)
    #: None while undecided; then "event", "unknown", "cooldown" or "not-live".
    outcome: str | None = None


class Tracker:
    def __init__(self, min_iou: float = 0.25, timeout_s: float = 1.0) -> None:
        self.min_iou, self.timeout_s = min_iou, timeout_s
        self.tracks: dict[int, Track] = {}
        self._ids = itertools.count(1)

    def update(self, faces: list[Face], now: float, wall: float) -> list[Track]:
        """Assign this frame's faces to tracks (greedy by IoU); new faces open tracks.
        Answers the tracks seen in this frame."""
        pairs = sorted(
            (
                (iou(t.face.box, f.box), tid, i)
                for tid, t in self.tracks.items()
                for i, f in enumerate(faces)
            ),
            reverse=True,
        )
        used_tracks: set[int] = set()
        used_faces: set[int] = set()
        seen = []
        for overlap, tid, i in pairs:
            if overlap < self.min_iou:
                break
            if tid in used_tracks or i in used_faces:
                continue
            track = self.tracks[tid]
            track.face, track.last_seen = faces[i], now
            track.hits += 1
            used_tracks.add(tid)
            used_faces.add(i)
            seen.append(track)
        for i, face in enumerate(faces):
            if i not in used_faces:
                track = Track(next(self._ids), face, now, wall, now)
                self.tracks[track.id] = track
                seen.append(track)
        return seen

    def expire(self, now: float) -> list[Track]:
        """Remove and answer the tracks not seen for ``timeout_s``."""
        gone = [t for t in self.tracks.values() if now - t.last_seen > self.timeout_s]
        for track in gone:
            del self.tracks[track.id]
        return gone

    def end_all(self) -> list[Track]:
        gone = list(self.tracks.values())
        self.tracks.clear()
        return gone


def centre(face: Face) -> np.ndarray:
    x, y, w, h = face.box
    return np.array([x + w / 2, y + h / 2])
