import numpy as np
import pytest

from faces.gallery import Gallery, decode_embedding, encode_embedding
from faces.quality import QualityRules, assess, pose
from faces.types import Face


def brute_force(people, probe):
    return {pid: min(float(np.linalg.norm(t - probe)) for t in ts) for pid, _, ts in people}


def test_vectorised_match_equals_brute_force():
    rng = np.random.default_rng(3)
    people = [
        (f"S{i}", f"Name {i}", rng.normal(size=(rng.integers(1, 6), 128)).astype(np.float32))
        for i in range(40)
    ]
    gallery = Gallery("dlib-resnet-v1", 128, "euclidean", people)
    for _ in range(20):
        probe = rng.normal(size=128).astype(np.float32)
        expected = brute_force(people, probe)
        got = dict(zip(gallery.ids, gallery.person_distances(probe), strict=True))
        assert got == pytest.approx(expected, rel=1e-4)
        match = gallery.match(probe, threshold=1e9)
        assert match.staff_id == min(expected, key=expected.get)


def test_unknown_below_threshold_and_runner_up():
    a = np.zeros(128, np.float32)
    b = np.ones(128, np.float32)
    gallery = Gallery("m", 128, "euclidean", [("A", "A", a[None]), ("B", "B", b[None])])
    close = a + 0.01
    m = gallery.match(close, threshold=0.6)
    assert m.staff_id == "A" and m.distance < 0.2 and m.runner_up > 10
    far = a + 0.5  # distance ~5.7 from A
    assert gallery.match(far, threshold=0.6).staff_id is None
    assert Gallery("m", 128, "euclidean", []).match(a, 0.6).staff_id is None


def test_cosine_metric_and_template_encoding():
    rng = np.random.default_rng(1)
    t = rng.normal(size=(3, 512)).astype(np.float32)
    gallery = Gallery("arcface-x", 512, "cosine", [("A", "A", t), ("B", "B", -t)])
    assert gallery.match(t[1] * 7.0, threshold=0.3).staff_id == "A"  # scale does not matter
    text = encode_embedding(t[0])
    assert np.array_equal(decode_embedding(text, 512), t[0])
    with pytest.raises(ValueError):
        decode_embedding(text, 128)


def face(size=100, eyes=((30, 40), (70, 40)), nose=(50, 60)):
    (lx, ly), (rx, ry) = eyes
    pts = np.array([[lx - 5, ly], [lx + 5, ly], [rx + 5, ry], [rx - 5, ry], list(nose)], np.float32)
    return Face(box=(0, 0, size, size), score=1.0, landmarks=pts)


def test_quality_gate_reasons():
    rng = np.random.default_rng(0)
    sharp = rng.integers(0, 255, (150, 150, 3), dtype=np.uint8)
    flat = np.full((150, 150, 3), 128, np.uint8)
    rules = QualityRules()
    assert assess(face(), sharp, rules).ok
    small = assess(face(size=40), sharp, rules)
    assert not small.ok and "too small" in small.reasons[0]
    assert "blurred" in assess(face(), flat, rules).reasons[0]
    turned = assess(face(nose=(75, 60)), sharp, rules)
    assert not turned.ok and "turned" in " ".join(turned.reasons)
    tilted = assess(face(eyes=((30, 20), (70, 60))), sharp, rules)
    assert "tilted" in " ".join(tilted.reasons)
    yaw, roll = pose(face())
    assert abs(yaw) < 1e-6 and abs(roll) < 1e-6


@pytest.mark.parametrize("metric, dim", [("euclidean", 128), ("cosine", 512)])
def test_bounded_search_equals_full_scan_on_clustered_data(metric, dim):
    rng = np.random.default_rng(7)
    centres = rng.normal(0, 0.7 / np.sqrt(dim), (500, dim))
    people = [
        (f"P{i}", "", (c + rng.normal(0, 0.02, (rng.integers(1, 6), dim))).astype(np.float32))
        for i, c in enumerate(centres)
    ]
    gallery = Gallery("m", dim, metric, people)
    for i in rng.integers(0, 500, 50):
        probe = (centres[i] + rng.normal(0, 0.02, dim)).astype(np.float32)
        full = gallery.person_distances(probe)
        match = gallery.match(probe, threshold=10.0)
        assert match.staff_id == gallery.ids[int(np.argmin(full))] == f"P{i}"
        assert match.distance == pytest.approx(float(full.min()), abs=1e-4)
        assert match.runner_up >= float(np.partition(full, 1)[1]) - 1e-4
