"""Benchmark: the kiosk's recognition pipeline on the sample video at 640x480.

Two figures:
- throughput: frames per second processed, the video fed as fast as the pipeline takes it
  (detection on every frame, tracking, quality, liveness landmarks; embeddings in the
  worker process, as on the kiosk);
- face-to-event latency: the video played at its own frame rate (as a camera delivers),
  from the first frame a face is detected in to its event committed (signed) in the
  outbox; several passes with the cooldown off, so each pass decides again.

Targets (issue 3): at least 10 fps at 640x480; median latency under 1 s.

    .venv/bin/python bench/kiosk_pipeline.py [--passes 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._common import percentile  # noqa: E402
from edge_device.app import event_builder  # noqa: E402
from edge_device.config import LivenessConfig, RecognitionConfig  # noqa: E402
from edge_device.embedder import Embedder  # noqa: E402
from edge_device.outbox import Outbox  # noqa: E402
from edge_device.pipeline import Pipeline  # noqa: E402
from edge_device.sources import Frame  # noqa: E402
from faces.backends import load_backend  # noqa: E402
from faces.enrol import gallery_from_folders  # noqa: E402
from protocol import generate_key  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "faces"
CLIP = SHARED / "scenes" / "short_hamilton_clip.mp4"


def frames_640x480(path: Path) -> tuple[list[np.ndarray], float]:
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    out = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        h, w = frame.shape[:2]
        scale = 640 / w
        frame = cv2.resize(frame, (640, round(h * scale)))
        pad = 480 - frame.shape[0]
        out.append(
            cv2.copyMakeBorder(frame, pad // 2, pad - pad // 2, 0, 0, cv2.BORDER_CONSTANT)
            if pad > 0
            else frame[:480]
        )
    return out, fps


class _Config:  # what event_builder reads
    device_id, direction = "bench-kiosk", "auto"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=4, help="real-time passes for latency")
    args = parser.parse_args()
    frames, fps = frames_640x480(CLIP)
    backend = load_backend("dlib")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "gallery"
        folder.mkdir()
        for person in ("lin_manuel_miranda", "alex_lacamoire"):
            (folder / person).symlink_to(SHARED / person)
        gallery, _ = gallery_from_folders(backend, folder)
        embedder = Embedder(backend)  # worker process
        outbox = Outbox(Path(tmp) / "outbox.db")
        key = generate_key()
        try:
            # throughput
            pipe = Pipeline(
                backend, lambda: gallery, embedder, RecognitionConfig(), LivenessConfig()
            )
            t0 = time.perf_counter()
            events = 0
            for i, image in enumerate(frames):
                events += len(pipe.process(Frame(image, i, time.time(), time.monotonic())))
            events += len(pipe.flush())
            wall = time.perf_counter() - t0
            print(f"kiosk_pipeline: {len(frames)} frames of 640x480 from {CLIP.name}")
            print(
                f"  throughput: {len(frames) / wall:.1f} fps ({wall:.1f} s, "
                f"{pipe.stats.embedded} crops embedded, {events} events)"
            )
            # latency, real time
            latencies = []
            for n in range(args.passes):
                pipe = Pipeline(
                    backend,
                    lambda: gallery,
                    embedder,
                    RecognitionConfig(cooldown_s=0),
                    LivenessConfig(),
                )
                start = time.monotonic()
                for i, image in enumerate(frames):
                    delay = start + i / fps - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    for d in pipe.process(Frame(image, i, time.time(), time.monotonic())):
                        outbox.add(event_builder(_Config, key, d, backend.model_id))
                        latencies.append(time.monotonic() - d.first_seen)
                sys.stderr.write(f"\rreal-time pass {n + 1}/{args.passes}")
            sys.stderr.write("\n")
        finally:
            embedder.close()
            outbox.close()
    fps_value = len(frames) / wall
    median = statistics.median(latencies) if latencies else float("nan")
    print(
        f"  face-to-event latency (real time, {len(latencies)} events): median "
        f"{median * 1000:.0f} ms, p90 {percentile(latencies, 90) * 1000:.0f} ms, "
        f"min {min(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    print(
        f"  targets: >= 10 fps {'MET' if fps_value >= 10 else 'NOT MET'}; "
        f"median < 1 s {'MET' if median < 1 else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
