"""Liveness: live faces in the sample video pass; the same faces as a held-up photo
(moved and tilted frame by frame) or a replayed still do not."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.conftest import SHARED_FACES

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from liveness_calibrate import (  # noqa: E402
    WINDOW,
    photo_attack,
    track_histories,
    windows,
)

from faces.backends.dlib_backend import DlibBackend  # noqa: E402
from faces.liveness import Landmarks68, liveness_score  # noqa: E402

CLIP = SHARED_FACES / "scenes" / "short_hamilton_clip.mp4"
pytestmark = [
    pytest.mark.faces,
    pytest.mark.slow,
    pytest.mark.skipif(not CLIP.exists(), reason="../shared/faces is absent"),
]


@pytest.fixture(scope="module")
def frames():
    cap = cv2.VideoCapture(str(CLIP))
    out = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        out.append(frame)
    cap.release()
    return out


def test_live_faces_pass_and_photos_do_not(frames):
    backend, lm68 = DlibBackend(), Landmarks68()
    live = [liveness_score(w)[0] for w in windows(track_histories(backend, lm68, frames[80:200]))]
    assert len(live) >= 4 and min(live) >= 0.5
    rng = np.random.default_rng(11)
    attacks = []
    for idx in (100, 140, 180, 200):
        for history in track_histories(backend, lm68, photo_attack(frames[idx], WINDOW, rng)):
            attacks.append(liveness_score(history)[0])
        for history in track_histories(backend, lm68, [frames[idx]] * WINDOW):
            score, detail = liveness_score(history)
            assert score == 0.0 and detail["parallax"] < 1e-6  # a replayed still
    assert len(attacks) >= 3 and max(attacks) < 0.5


def test_too_few_frames_score_zero():
    assert liveness_score([np.zeros((68, 2))] * 2)[0] == 0.0
