"""The ``insightface`` backend: a standard InsightFace model pack (SCRFD detector and
ArcFace recogniser, ONNX) run by onnxruntime.

The pack is a directory that provisioning puts on the device (its licence is
non-commercial; nothing here downloads anything). The two models are told apart by their
shapes, as InsightFace's own model zoo does: the detector has 6 or 9 outputs (scores,
boxes, and keypoints per stride), the recogniser takes a 112x112 face and gives one
embedding.
"""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np

from faces.types import Face

logger = logging.getLogger(__name__)

#: Where ArcFace expects the eyes, nose and mouth corners in its 112x112 input.
ARCFACE_TEMPLATE = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float32,
)
#: Cosine distance threshold (1 - cosine similarity) for ArcFace packs; InsightFace's
#: usual operating point is a similarity of about 0.4.
ARCFACE_THRESHOLD = 0.6


def _session(path: Path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(
        str(path), sess_options=options, providers=["CPUExecutionProvider"]
    )


def _nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    order = scores.argsort()[::-1]
    keep = []
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1 + 1) * (y2 - y1 + 1)
    while order.size:
        i = order[0]
        keep.append(int(i))
        xx1 = np.maximum(x1[i], x1[order[1:]])
        yy1 = np.maximum(y1[i], y1[order[1:]])
        xx2 = np.minimum(x2[i], x2[order[1:]])
        yy2 = np.minimum(y2[i], y2[order[1:]])
        inter = np.maximum(0, xx2 - xx1 + 1) * np.maximum(0, yy2 - yy1 + 1)
        overlap = inter / (areas[i] + areas[order[1:]] - inter)
        order = order[1:][overlap <= iou]
    return keep


class ScrfdDetector:
    """SCRFD: per stride (8, 16, 32), 2 anchors per cell: score, box distances, keypoints."""

    def __init__(
        self, path: Path, input_size: int = 640, score_threshold: float = 0.5, nms_iou: float = 0.4
    ) -> None:
        self.session = _session(path)
        self.input_name = self.session.get_inputs()[0].name
        outputs = self.session.get_outputs()
        self.output_names = [o.name for o in outputs]
        n = len(outputs)
        if n not in (6, 9):
            raise ValueError(f"{path.name}: not an SCRFD detector ({n} outputs)")
        self.strides = (8, 16, 32)
        self.with_kps = n == 9
        self.size = input_size
        self.score_threshold, self.nms_iou = score_threshold, nms_iou
        self._centres: dict[tuple[int, int], np.ndarray] = {}

    def _anchor_centres(self, h: int, w: int, stride: int) -> np.ndarray:
        key = (h, w, stride)
        if key not in self._centres:
            ys, xs = np.mgrid[:h, :w]
            centres = (np.stack([xs, ys], axis=-1).reshape(-1, 2) * stride).astype(np.float32)
            self._centres[key] = np.repeat(centres, 2, axis=0)  # 2 anchors per cell
        return self._centres[key]

    def detect(self, rgb: np.ndarray) -> list[Face]:
        h, w = rgb.shape[:2]
        scale = self.size / max(h, w)
        resized = cv2.resize(rgb, (round(w * scale), round(h * scale)))
        canvas = np.zeros((self.size, self.size, 3), np.uint8)
        canvas[: resized.shape[0], : resized.shape[1]] = resized
        blob = ((canvas.astype(np.float32) - 127.5) / 128.0).transpose(2, 0, 1)[None]
        outs = self.session.run(self.output_names, {self.input_name: blob})
        boxes, scores, kpss = [], [], []
        k = len(self.strides)
        for i, stride in enumerate(self.strides):
            score = outs[i].reshape(-1)
            dist = outs[i + k].reshape(-1, 4) * stride
            fh, fw = self.size // stride, self.size // stride
            centres = self._anchor_centres(fh, fw, stride)
            keep = np.where(score >= self.score_threshold)[0]
            if keep.size == 0:
                continue
            c = centres[keep]
            d = dist[keep]
            boxes.append(
                np.stack(
                    [c[:, 0] - d[:, 0], c[:, 1] - d[:, 1], c[:, 0] + d[:, 2], c[:, 1] + d[:, 3]],
                    axis=1,
                )
            )
            scores.append(score[keep])
            if self.with_kps:
                kp = outs[i + 2 * k].reshape(-1, 10)[keep] * stride
                kpss.append(kp.reshape(-1, 5, 2) + c[:, None, :])
        if not boxes:
            return []
        all_boxes = np.vstack(boxes) / scale
        all_scores = np.concatenate(scores)
        all_kps = np.vstack(kpss) / scale if kpss else None
        faces = []
        for i in _nms(all_boxes, all_scores, self.nms_iou):
            x1, y1, x2, y2 = all_boxes[i]
            x1, y1 = max(0.0, x1), max(0.0, y1)
            x2, y2 = min(float(w), x2), min(float(h), y2)
            if x2 - x1 < 2 or y2 - y1 < 2:
                continue
            landmarks = (
                all_kps[i]
                if all_kps is not None
                else np.array(
                    [
                        [x1 + (x2 - x1) * fx, y1 + (y2 - y1) * fy]
                        for fx, fy in ARCFACE_TEMPLATE / 112.0
                    ]
                )
            )
            faces.append(
                Face(
                    box=(round(x1), round(y1), round(x2 - x1), round(y2 - y1)),
                    score=float(all_scores[i]),
                    landmarks=landmarks.astype(np.float32),
                    layout="arcface5",
                )
            )
        return faces


class ArcFaceRecognizer:
    def __init__(self, path: Path) -> None:
        self.session = _session(path)
        inp = self.session.get_inputs()[0]
        out = self.session.get_outputs()
        if len(out) != 1 or list(inp.shape[2:]) != [112, 112]:
            raise ValueError(f"{path.name}: not an ArcFace recogniser")
        self.input_name = inp.name
        self.dim = int(out[0].shape[-1])

    def embed(self, chips: list[np.ndarray]) -> np.ndarray:
        blob = np.stack([(c.astype(np.float32) - 127.5) / 127.5 for c in chips])
        out = self.session.run(None, {self.input_name: blob.transpose(0, 3, 1, 2)})[0]
        out = out.reshape(len(chips), -1).astype(np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def find_models(pack: Path) -> tuple[Path, Path]:
    """(detector, recogniser) in a model pack, told apart by their shapes."""
    if not pack.is_dir():
        raise FileNotFoundError(f"model pack {pack} is not a directory")
    detector = recogniser = None
    for path in sorted(pack.glob("*.onnx")):
        session = _session(path)
        inputs, outputs = session.get_inputs(), session.get_outputs()
        shape = inputs[0].shape
        if len(outputs) in (6, 9) and detector is None:
            detector = path
        elif (
            len(outputs) == 1
            and list(shape[2:]) == [112, 112]
            and isinstance(outputs[0].shape[-1], int)
            and outputs[0].shape[-1] >= 128
            and recogniser is None
        ):
            recogniser = path
    if detector is None or recogniser is None:
        raise FileNotFoundError(
            f"model pack {pack} needs an SCRFD detector and an ArcFace recogniser (.onnx)"
        )
    return detector, recogniser


class InsightFaceBackend:
    metric = "cosine"
    threshold = ARCFACE_THRESHOLD

    def __init__(self, pack: Path, det_size: int = 640) -> None:
        det_path, rec_path = find_models(pack)
        self.detector = ScrfdDetector(det_path, input_size=det_size)
        self.recognizer = ArcFaceRecognizer(rec_path)
        self.dim = self.recognizer.dim
        self.model_id = f"arcface-{pack.name.lower()}"
        logger.info(
            "insightface pack %s: detector %s, recogniser %s (%d-d)",
            pack,
            det_path.name,
            rec_path.name,
            self.dim,
        )

    def detect(self, rgb: np.ndarray, upsample: int = 0) -> list[Face]:
        return self.detector.detect(rgb)

    def align(self, rgb: np.ndarray, face: Face) -> np.ndarray:
        matrix, _ = cv2.estimateAffinePartial2D(
            face.landmarks.astype(np.float32), ARCFACE_TEMPLATE, method=cv2.LMEDS
        )
        if matrix is None:
            raise ValueError("could not align the face")
        return cv2.warpAffine(rgb, matrix, (112, 112), borderValue=0.0)

    def embed(self, chips: list[np.ndarray]) -> np.ndarray:
        if not chips:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.recognizer.embed(chips)
