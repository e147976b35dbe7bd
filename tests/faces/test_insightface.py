"""The insightface backend's loading, decoding, alignment and matching, exercised with
small ONNX models of the same input/output shapes as a real pack, built here with onnx."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from faces.backends import load_backend
from faces.backends.insightface_backend import find_models
from faces.gallery import Gallery

STRIDES = (8, 16, 32)
FACE_STRIDE, FACE_ROW, FACE_COL = 16, 10, 12
FACE_INDEX = (FACE_ROW * (640 // 16) + FACE_COL) * 2  # anchor 0 of that cell


def _save(graph, path: Path) -> None:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def build_detector(path: Path) -> None:
    """SCRFD's 9 outputs; one confident face at stride 16, everything else below threshold."""
    nodes, outputs, inits = [], [], []
    nodes.append(helper.make_node("ReduceMean", ["input.1"], ["mean"], keepdims=0))
    inits.append(numpy_helper.from_array(np.array(0.0, np.float32), "zero"))
    nodes.append(helper.make_node("Mul", ["mean", "zero"], ["nothing"]))
    names = (
        [f"score_{s}" for s in STRIDES]
        + [f"bbox_{s}" for s in STRIDES]
        + [f"kps_{s}" for s in STRIDES]
    )
    for name in names:
        kind, stride = name.split("_")
        n = (640 // int(stride)) ** 2 * 2
        width = {"score": 1, "bbox": 4, "kps": 10}[kind]
        value = np.full((n, width), 0.01 if kind == "score" else 1.0, np.float32)
        if int(stride) == FACE_STRIDE:
            if kind == "score":
                value[FACE_INDEX] = 0.95
            elif kind == "bbox":
                value[FACE_INDEX] = [2, 3, 2, 3]
            else:  # eyes, nose, mouth corners around the anchor centre, in stride units
                value[FACE_INDEX] = [-0.8, -0.8, 0.8, -0.8, 0, 0.2, -0.6, 1.2, 0.6, 1.2]
        inits.append(numpy_helper.from_array(value, f"const_{name}"))
        nodes.append(helper.make_node("Add", [f"const_{name}", "nothing"], [name]))
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [n, width]))
    graph = helper.make_graph(
        nodes,
        "scrfd-test",
        [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 3, 640, 640])],
        outputs,
        inits,
    )
    _save(graph, path)


def build_recogniser(path: Path, dim: int = 512) -> None:
    rng = np.random.default_rng(0)
    conv = rng.normal(0, 0.1, (8, 3, 8, 8)).astype(np.float32)
    proj = rng.normal(0, 0.05, (8 * 14 * 14, dim)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["input.1", "w"], ["c"], strides=[8, 8]),
            helper.make_node("Flatten", ["c"], ["f"]),
            helper.make_node("MatMul", ["f", "p"], ["683"]),
        ],
        "arcface-test",
        [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, ["N", 3, 112, 112])],
        [helper.make_tensor_value_info("683", TensorProto.FLOAT, ["N", dim])],
        [numpy_helper.from_array(conv, "w"), numpy_helper.from_array(proj, "p")],
    )
    _save(graph, path)


def build_other(path: Path) -> None:
    """A third model of another shape (like genderage.onnx) that must be ignored."""
    graph = helper.make_graph(
        [helper.make_node("ReduceMean", ["data"], ["fc1"], axes=[2, 3], keepdims=0)],
        "other",
        [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, 96, 96])],
        [helper.make_tensor_value_info("fc1", TensorProto.FLOAT, [1, 3])],
    )
    _save(graph, path)


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("models") / "buffalo_test"
    folder.mkdir()
    build_detector(folder / "det_10g.onnx")
    build_recogniser(folder / "w600k_r50.onnx")
    build_other(folder / "genderage.onnx")
    return folder


def test_models_are_found_by_shape(pack):
    det, rec = find_models(pack)
    assert (det.name, rec.name) == ("det_10g.onnx", "w600k_r50.onnx")
    with pytest.raises(FileNotFoundError):
        find_models(pack / "missing")


def test_detect_decodes_scrfd_outputs(pack):
    backend = load_backend("insightface", pack)
    assert backend.model_id == "arcface-buffalo_test" and backend.dim == 512
    assert backend.metric == "cosine"
    image = np.zeros((320, 320, 3), np.uint8)  # letterboxed x2 into 640
    faces = backend.detect(image)
    assert len(faces) == 1
    face = faces[0]
    # anchor centre (192, 160) in the 640 input; box = centre -/+ (2, 3, 2, 3) * 16; / 2
    assert face.box == (80, 56, 32, 48) and face.score == pytest.approx(0.95)
    left_eye, right_eye, nose = face.eyes_and_nose()
    assert left_eye == pytest.approx([(192 - 12.8) / 2, (160 - 12.8) / 2])
    assert right_eye == pytest.approx([(192 + 12.8) / 2, (160 - 12.8) / 2])
    assert nose == pytest.approx([96, (160 + 3.2) / 2])


def test_align_embed_and_match(pack):
    backend = load_backend("insightface", pack)
    rng = np.random.default_rng(5)
    person_a = rng.integers(0, 255, (320, 320, 3), dtype=np.uint8)
    person_b = rng.integers(0, 255, (320, 320, 3), dtype=np.uint8)

    def embed(image):
        face = backend.detect(image)[0]
        chip = backend.align(image, face)
        assert chip.shape == (112, 112, 3)
        return backend.embed([chip])[0]

    a, b = embed(person_a), embed(person_b)
    assert a.shape == (512,) and np.linalg.norm(a) == pytest.approx(1.0, abs=1e-5)
    gallery = Gallery(
        backend.model_id, backend.dim, backend.metric, [("A", "A", a[None]), ("B", "B", b[None])]
    )
    noisy_a = np.clip(person_a + rng.normal(0, 4, person_a.shape), 0, 255).astype(np.uint8)
    assert gallery.match(embed(noisy_a), backend.threshold).staff_id == "A"
    stranger = rng.integers(0, 255, (320, 320, 3), dtype=np.uint8)
    assert gallery.match(embed(stranger), backend.threshold).staff_id is None
    assert backend.embed([]).shape == (0, 512)
