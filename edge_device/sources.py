"""Frame sources: ``picamera2``, ``cv:N``, ``file:PATH``, ``dir:PATH``, ``rtsp://...``.

Each yields ``Frame``s (BGR arrays) until the source ends or ``close()`` is called.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Frame:
    image: np.ndarray  # BGR uint8
    index: int
    #: Wall-clock time the frame was read (``time.time()``): its capture time.
    captured_at: float
    #: Monotonic time the frame was read, for latencies.
    read_at: float


class SourceError(RuntimeError):
    pass


class FrameSource:
    name = "source"

    def frames(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _frame(image: np.ndarray, index: int) -> Frame:
    return Frame(image, index, time.time(), time.monotonic())


class OpenCvSource(FrameSource):
    """A camera (``cv:0``), a video file or an RTSP stream through OpenCV."""

    def __init__(self, target: int | str, *, realtime: bool = False, loop: bool = False) -> None:
        self.target, self.realtime, self.loop = target, realtime, loop
        self.name = str(target)
        self._cap = cv2.VideoCapture(target)
        if not self._cap.isOpened():
            raise SourceError(f"cannot open {target!r}")
        self.fps = self._cap.get(cv2.CAP_PROP_FPS) or 30.0
        self._closed = False

    def frames(self) -> Iterator[Frame]:
        index, start = 0, time.monotonic()
        while not self._closed:
            ok, image = self._cap.read()
            if not ok:
                if self.loop and isinstance(self.target, str):
                    self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    continue
                return
            if self.realtime:  # play a file at its own speed, as a camera would deliver it
                delay = start + index / self.fps - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            yield _frame(image, index)
            index += 1

    def close(self) -> None:
        self._closed = True
        self._cap.release()


class DirectorySource(FrameSource):
    """Images in a folder, in name order."""

    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise SourceError(f"{folder} is not a folder")
        self.name = f"dir:{folder}"
        self.paths = sorted(
            p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".bmp")
        )

    def frames(self) -> Iterator[Frame]:
        for index, path in enumerate(self.paths):
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                logger.warning("skipping unreadable image %s", path)
                continue
            yield _frame(image, index)


class Picamera2Source(FrameSource):
    """The Raspberry Pi camera (imported only here, only on the Pi)."""

    name = "picamera2"

    def __init__(self, size: tuple[int, int] = (640, 480)) -> None:
        try:
            from picamera2 import Picamera2  # type: ignore[import-not-found]
        except ImportError as exc:
            raise SourceError("picamera2 is not installed (pip install '.[pi]' on the Pi)") from exc
        self._cam = Picamera2()
        self._cam.configure(
            self._cam.create_video_configuration(main={"size": size, "format": "RGB888"})
        )
        self._cam.start()
        self._closed = False

    def frames(self) -> Iterator[Frame]:
        index = 0
        while not self._closed:
            # picamera2's "RGB888" is BGR byte order, what OpenCV expects
            yield _frame(self._cam.capture_array(), index)
            index += 1

    def close(self) -> None:
        self._closed = True
        self._cam.stop()


def open_source(spec: str, *, realtime: bool = False, loop: bool = False) -> FrameSource:
    """Open a source from its spec string."""
    if spec == "picamera2":
        return Picamera2Source()
    if spec.startswith("cv:"):
        try:
            return OpenCvSource(int(spec[3:]))
        except ValueError:
            raise SourceError(f"{spec!r}: cv: takes a camera index, e.g. cv:0") from None
    if spec.startswith("file:"):
        path = Path(spec[5:])
        if not path.is_file():
            raise SourceError(f"{path}: no such video file")
        return OpenCvSource(str(path), realtime=realtime, loop=loop)
    if spec.startswith("dir:"):
        return DirectorySource(Path(spec[4:]))
    if spec.startswith(("rtsp://", "rtsps://")):
        return OpenCvSource(spec)
    raise SourceError(
        f"unknown source {spec!r}: use picamera2, cv:N, file:PATH, dir:PATH or rtsp://..."
    )
