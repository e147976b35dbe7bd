"""Calibrate the liveness check: real faces in the sample video against simulated photo
attacks (a frame of the same faces, warped frame by frame as a held-up photo moves and
tilts, with sensor noise), printing the score distributions.

    .venv/bin/python bench/liveness_calibrate.py [--video PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from edge_device.tracker import Tracker  # noqa: E402
from faces.backends.dlib_backend import DlibBackend  # noqa: E402
from faces.liveness import Landmarks68, liveness_score  # noqa: E402

VIDEO = Path(__file__).resolve().parents[2] / "shared/faces/scenes/short_hamilton_clip.mp4"
WINDOW = 20


def track_histories(backend, lm68, frames):
    tracker = Tracker(timeout_s=0.2)
    histories: dict[int, list[np.ndarray]] = {}
    for i, bgr in enumerate(frames):
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        faces = backend.detect(rgb)
        t = i / 30.0
        for track in tracker.update(faces, t, t):
            histories.setdefault(track.id, []).append(lm68(rgb, track.face.box))
        tracker.expire(t)
    return [h for h in histories.values() if len(h) >= WINDOW]


def windows(histories):
    for h in histories:
        for start in range(0, len(h) - WINDOW + 1, WINDOW // 2):
            yield h[start : start + WINDOW]


def photo_attack(frame: np.ndarray, n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """A flat photo of ``frame`` moved and tilted in front of the camera."""
    h, w = frame.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    out = []
    drift = rng.normal(0, 1, 8)
    for k in range(n):
        phase = k / max(n - 1, 1)
        jitter = (drift * phase * 0.03 * w + rng.normal(0, 0.004 * w, 8)).reshape(4, 2)
        tilt = np.float32([[1, 0], [-1, 0], [-1, 0], [1, 0]]) * (0.04 * w * np.sin(phase * 3))
        dst = (src + jitter + tilt).astype(np.float32)
        warped = cv2.warpPerspective(
            frame, cv2.getPerspectiveTransform(src, dst), (w, h), borderMode=cv2.BORDER_REPLICATE
        )
        noisy = np.clip(warped + rng.normal(0, 3, warped.shape), 0, 255).astype(np.uint8)
        out.append(noisy)
    return out


def main() -> None:
    global WINDOW
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=VIDEO)
    parser.add_argument("--window", type=int, default=20, help="frames per judgement")
    args = parser.parse_args()
    WINDOW = args.window
    backend, lm68 = DlibBackend(), Landmarks68()
    cap = cv2.VideoCapture(str(args.video))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    t0 = time.perf_counter()
    real = [liveness_score(w)[0] for w in windows(track_histories(backend, lm68, frames))]
    rng = np.random.default_rng(1)
    attacks = []
    for idx in range(100, len(frames), 15):
        seq = photo_attack(frames[idx], WINDOW, rng)
        for h in track_histories(backend, lm68, seq):
            attacks.append(liveness_score(h)[0])
        still = [frames[idx]] * WINDOW  # the same picture replayed
        for h in track_histories(backend, lm68, still):
            attacks.append(liveness_score(h)[0])
    real_a, att_a = np.array(real), np.array(attacks)
    print(f"liveness windows of {WINDOW} frames ({time.perf_counter() - t0:.1f} s)")
    print(
        f"  real faces   n={len(real_a)} pass@0.5={np.mean(real_a >= 0.5):.0%} "
        f"median={np.median(real_a):.2f} min={real_a.min():.2f}"
    )
    print(
        f"  photo/still  n={len(att_a)} pass@0.5={np.mean(att_a >= 0.5):.0%} "
        f"median={np.median(att_a):.2f} max={att_a.max():.2f}"
    )


if __name__ == "__main__":
    main()
