"""Embeddings off the main loop: dlib's network holds the GIL for ~130 ms a crop on this
class of CPU, so a worker process embeds while the main loop keeps detecting and
tracking on the other core. ``in_process=True`` embeds inline (tests, tools)."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from faces.backends import FaceBackend, load_backend

_worker_backend: FaceBackend | None = None


def _init_worker(name: str, model_dir: str | None) -> None:
    global _worker_backend
    _worker_backend = load_backend(name, model_dir)


def _embed_in_worker(chip: np.ndarray) -> np.ndarray:
    assert _worker_backend is not None
    return _worker_backend.embed([chip])[0]


class Embedder:
    def __init__(
        self,
        backend: FaceBackend,
        *,
        backend_name: str = "dlib",
        model_dir: Path | None = None,
        in_process: bool = False,
    ) -> None:
        self.backend = backend
        self._done: list[tuple[Any, np.ndarray]] = []
        self._futures: list[tuple[Any, Future]] = []
        self._pool: ProcessPoolExecutor | None = None
        if not in_process:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(backend_name, str(model_dir) if model_dir else None),
            )
            # load the model now, not on the first face
            self._pool.submit(_embed_in_worker, np.zeros((150, 150, 3), np.uint8)).result()

    def submit(self, key: Any, chip: np.ndarray) -> None:
        if self._pool is None:
            self._done.append((key, self.backend.embed([chip])[0]))
        else:
            self._futures.append((key, self._pool.submit(_embed_in_worker, chip)))

    def results(self, wait: bool = False) -> list[tuple[Any, np.ndarray]]:
        """Finished embeddings as ``(key, vector)``; ``wait`` blocks for all in flight."""
        still = []
        for key, future in self._futures:
            if wait or future.done():
                self._done.append((key, future.result()))
            else:
                still.append((key, future))
        self._futures = still
        done, self._done = self._done, []
        return done

    @property
    def in_flight(self) -> int:
        return len(self._futures)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
