"""Calibrate the match threshold on a folder of people (``python -m faces.calibrate DIR``).

Prints the same-person and different-person distance ranges over every single-face photo
and the threshold halfway between them.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np

from faces.backends import load_backend
from faces.enrol import enrol_photos
from faces.stills import image_files


def pairwise(backend, root: Path) -> tuple[list[float], list[float]]:
    embeddings: list[tuple[str, np.ndarray]] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "scenes"):
        result = enrol_photos(backend, [(p.name, p) for p in image_files(folder)])
        embeddings += [(folder.name, e) for e in result.embeddings]
    same, different = [], []
    for (a, ea), (b, eb) in itertools.combinations(embeddings, 2):
        if backend.metric == "cosine":
            d = 1.0 - float(ea @ eb / np.linalg.norm(ea) / np.linalg.norm(eb))
        else:
            d = float(np.linalg.norm(ea - eb))
        (same if a == b else different).append(d)
    return same, different


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--backend", default="dlib")
    parser.add_argument("--model-dir", default=None)
    args = parser.parse_args()
    backend = load_backend(args.backend, args.model_dir)
    same, different = pairwise(backend, args.folder)
    print(
        f"model {backend.model_id}: {len(same)} same-person pairs "
        f"{min(same):.3f}-{max(same):.3f}; {len(different)} different-person pairs "
        f"{min(different):.3f}-{max(different):.3f}"
    )
    print(
        f"threshold halfway: {(max(same) + min(different)) / 2:.3f} "
        f"(configured default {backend.threshold})"
    )


if __name__ == "__main__":
    main()
