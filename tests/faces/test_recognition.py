"""Real faces from ../shared/faces with the bundled dlib models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from faces.backends import load_backend
from faces.enrol import enrol_photos, template_from_photo
from faces.gallery import Gallery
from faces.recognize import recognize_image
from faces.stills import image_files
from tests.conftest import SHARED_FACES

pytestmark = [
    pytest.mark.faces,
    pytest.mark.skipif(not SHARED_FACES.exists(), reason="../shared/faces is absent"),
]
PEOPLE = ["alex_lacamoire", "biden", "lin_manuel_miranda", "obama"]


@pytest.fixture(scope="module")
def backend():
    return load_backend("dlib")


@pytest.fixture(scope="module")
def templates(backend):
    """Each enrolable photo's template, computed once."""
    out = {}
    for person in PEOPLE:
        for photo in image_files(SHARED_FACES / person):
            try:
                out[photo] = (person, template_from_photo(backend, photo))
            except ValueError:
                pass  # refused at enrolment (e.g. too small); still used as a probe
    return out


def gallery_without(backend, templates, probe: Path) -> Gallery:
    people = {}
    for photo, (person, vector) in templates.items():
        if photo != probe:
            people.setdefault(person, []).append(vector)
    return Gallery(
        backend.model_id,
        backend.dim,
        backend.metric,
        [(p, p, np.vstack(v)) for p, v in people.items()],
    )


def test_leave_one_out_identifies_every_single_face_photo(backend, templates):
    checked = 0
    for person in PEOPLE:
        photos = image_files(SHARED_FACES / person)
        for probe in photos:
            gallery = gallery_without(backend, templates, probe)
            result = recognize_image(backend, gallery, probe)
            assert len(result["faces"]) == 1, probe
            found = result["faces"][0]["id"]
            if len(photos) > 1:
                assert found == person, (probe.name, result)
            else:
                # the only photo of this person is left out: nobody else may be named
                assert found is None, (probe.name, result)
            checked += 1
    assert checked == 10


def test_no_false_match_between_people(backend, templates):
    for probe, (person, vector) in templates.items():
        others = Gallery(
            backend.model_id,
            backend.dim,
            backend.metric,
            [(p, p, v[None]) for ph, (p, v) in templates.items() if p != person],
        )
        assert others.match(vector, backend.threshold).staff_id is None, probe.name


def test_enrolment_refuses_bad_photos_with_reasons(backend, tmp_path):
    import cv2

    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((400, 400, 3), 200, np.uint8))
    not_image = tmp_path / "notes.jpg"
    not_image.write_text("hello")
    result = enrol_photos(
        backend,
        [
            ("blank", blank),
            ("two", SHARED_FACES / "scenes" / "two_people.jpg"),
            ("small", SHARED_FACES / "obama" / "obama_240p.jpg"),
            ("text", not_image),
            ("good", SHARED_FACES / "obama" / "obama1.jpg"),
        ],
    )
    reasons = dict(result.rejected)
    assert result.accepted == ["good"] and len(result.embeddings) == 1
    assert reasons["blank"] == "no face found"
    assert reasons["two"].startswith("2 faces found")
    assert "too small" in reasons["small"]
    assert "not a readable" in reasons["text"]


def test_recognize_command_output(tmp_path):
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    for person in ("obama", "biden"):
        (gallery / person).symlink_to(SHARED_FACES / person)
    images = [
        SHARED_FACES / "scenes" / "two_people.jpg",
        SHARED_FACES / "lin_manuel_miranda" / "lin1.png",
    ]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "edge_device.cli",
            "recognize",
            "--gallery",
            str(gallery),
            *map(str, images),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["image"] for line in lines] == [str(p) for p in images]
    two = sorted(lines[0]["faces"], key=lambda f: f["box"][0])
    assert [f["id"] for f in two] == ["obama", "biden"]
    for f in two:
        assert len(f["box"]) == 4 and all(isinstance(v, int) for v in f["box"])
        assert 0 < f["score"] <= 1
    assert [f["id"] for f in lines[1]["faces"]] == [None]  # not in this gallery
