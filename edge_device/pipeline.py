"""The recognition pipeline: detect every frame, track, embed the best crops of each
track, decide by agreement, check liveness, apply the cooldown."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from edge_device.config import LivenessConfig, RecognitionConfig
from edge_device.decision import Cooldown, Decision, agreed_identity
from edge_device.embedder import Embedder
from edge_device.sources import Frame
from edge_device.tracker import Track, Tracker
from faces.backends import FaceBackend
from faces.gallery import Gallery
from faces.liveness import Landmarks68, liveness_score
from faces.quality import QualityRules, assess

logger = logging.getLogger(__name__)


@dataclass
class PipelineStats:
    frames: int = 0
    faces: int = 0
    embedded: int = 0
    decisions: int = 0
    unknown_tracks: int = 0
    not_live: int = 0
    cooled_down: int = 0
    started: float = field(default_factory=time.monotonic)

    def fps(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.frames / elapsed if elapsed > 0 else 0.0


class Pipeline:
    def __init__(
        self,
        backend: FaceBackend,
        gallery: Callable[[], Gallery],
        embedder: Embedder,
        recognition: RecognitionConfig,
        liveness: LivenessConfig,
    ) -> None:
        self.backend, self.gallery, self.embedder = backend, gallery, embedder
        self.cfg, self.live_cfg = recognition, liveness
        self.threshold = recognition.threshold or backend.threshold
        self.rules = QualityRules(
            min_face_px=recognition.min_face_px, min_sharpness=recognition.min_sharpness
        )
        self.tracker = Tracker(timeout_s=recognition.track_timeout_s)
        self.cooldown = Cooldown(recognition.cooldown_s)
        self.landmarks68 = Landmarks68() if liveness.enabled else None
        self.stats = PipelineStats()
        self._ending: dict[int, Track] = {}

    def process(self, frame: Frame) -> list[Decision]:
        """One frame in; the decisions it completed out."""
        self.stats.frames += 1
        image = frame.image
        h, w = image.shape[:2]
        factor = min(1.0, self.cfg.detect_width / w)
        small = (
            image
            if factor == 1.0
            else cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        )
        rgb_small = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        faces = self.backend.detect(rgb_small)
        rgb = rgb_small if factor == 1.0 else cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        if factor != 1.0:
            faces = [f.scaled(1.0 / factor) for f in faces]
        self.stats.faces += len(faces)
        decisions: list[Decision] = []
        for track in self.tracker.update(faces, frame.read_at, frame.captured_at):
            if track.outcome is not None:
                continue
            if self.landmarks68 is not None:
                track.landmarks.append(self.landmarks68(rgb, track.face.box))
            self._maybe_embed(track, rgb)
        self._collect(wait=False)
        for track in list(self.tracker.tracks.values()):
            decision = self._decide(track, final=False)
            if decision:
                decisions.append(decision)
        for track in self.tracker.expire(frame.read_at):
            decision = self._finish(track)
            if decision:
                decisions.append(decision)
        return decisions

    def flush(self) -> list[Decision]:
        """The source ended: finish every open track."""
        return [d for t in self.tracker.end_all() if (d := self._finish(t))]

    # steps
    def _maybe_embed(self, track: Track, rgb: np.ndarray) -> None:
        budget = self.cfg.max_crops_per_track - track.embedded - track.in_flight
        if budget <= 0 or track.in_flight >= 2:
            return
        chip = self.backend.align(rgb, track.face)
        quality = assess(track.face, chip, self.rules)
        if not quality.ok:
            return
        # after the first crops, only a crop at least as good as the best so far
        if track.embedded + track.in_flight >= 1 and quality.score < track.best_quality * 0.9:
            return
        track.best_quality = max(track.best_quality, quality.score)
        track.in_flight += 1
        self.embedder.submit(track.id, chip)

    def _collect(self, wait: bool) -> None:
        gallery = self.gallery()
        for track_id, embedding in self.embedder.results(wait=wait):
            track = self.tracker.tracks.get(track_id) or self._ending.get(track_id)
            if track is None:
                continue
            track.in_flight -= 1
            track.embedded += 1
            self.stats.embedded += 1
            track.votes.append(gallery.match(embedding, self.threshold))

    def _decide(self, track: Track, final: bool) -> Decision | None:
        if track.outcome is not None:
            return None
        staff_id, votes = agreed_identity(track.votes, self.cfg.agreement)
        if staff_id is None:
            if len(track.votes) >= self.cfg.max_crops_per_track or (final and track.in_flight == 0):
                track.outcome = "unknown"
                self.stats.unknown_tracks += 1
            return None
        live: float | None = None
        if self.landmarks68 is not None:
            if len(track.landmarks) < self.live_cfg.min_frames and not final:
                return None  # wait for enough frames to judge liveness
            live, detail = liveness_score(list(track.landmarks))
            if live < self.live_cfg.min_score:
                if final or len(track.landmarks) >= track.landmarks.maxlen:
                    track.outcome = "not-live"
                    self.stats.not_live += 1
                    logger.warning(
                        "track %s matched %s but failed liveness (%.2f %s)",
                        track.id,
                        staff_id,
                        live,
                        detail,
                    )
                return None
        if not self.cooldown.allows(staff_id, track.first_seen_wall):
            track.outcome = "cooldown"
            self.stats.cooled_down += 1
            return None
        self.cooldown.record(staff_id, track.first_seen_wall)
        track.outcome = "event"
        self.stats.decisions += 1
        score = float(np.mean([v.score for v in votes]))
        return Decision(
            staff_id=staff_id,
            name=self.gallery().name_of(staff_id),
            score=score,
            liveness=None if live is None else round(float(live), 3),
            captured_at=track.first_seen_wall,
            first_seen=track.first_seen,
            track_id=track.id,
        )

    def _finish(self, track: Track) -> Decision | None:
        if track.outcome is not None:
            return None
        if track.in_flight:
            self._ending[track.id] = track
            self._collect(wait=True)
            self._ending.pop(track.id, None)
        return self._decide(track, final=True)
