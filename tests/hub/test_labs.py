import io
import os

import pytest

from hub.extensions import db
from hub.labs.models import LabReport
from tests.conftest import JPEG_BYTES, PDF_BYTES, PNG_BYTES, token_for


def _upload(c, health_id, data, name, title="Blood test", date="2026-11-02", **kw):
    return c.post(
        f"/api/v1/patients/{health_id}/lab-reports",
        data={"file": (io.BytesIO(data), name), "title": title, "date": date},
        **kw,
    )


def _stored_files(app):
    folder = os.path.join(app.config["UPLOAD_DIR"], "lab_reports")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


@pytest.mark.parametrize(
    "data, name, mime",
    [
        (PDF_BYTES, "cbc.pdf", "application/pdf"),
        (PNG_BYTES, "scan.png", "image/png"),
        (JPEG_BYTES, "photo.jpeg", "image/jpeg"),
        (PDF_BYTES, "misnamed.txt", "application/pdf"),  # judged by content, not by name
    ],
)
def test_accepted_types(app, logged_in, data, name, mime):
    c, me = logged_in("patient")
    resp = _upload(c, me.health_id, data, name)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["mime_type"] == mime
    files = _stored_files(app)
    assert len(files) == 1 and len(files[0]) == 32 and name not in files[0]
    assert not app.config["UPLOAD_DIR"].startswith(app.static_folder)
    got = c.get(f"/api/v1/lab-reports/{resp.get_json()['id']}/file")
    assert got.data == data and got.mimetype == mime
    got.close()


def test_wrong_type_is_refused_and_nothing_stored(app, logged_in):
    c, me = logged_in("patient")
    resp = _upload(c, me.health_id, b"MZ\x90\x00 this is an exe" * 10, "report.pdf")
    assert resp.status_code == 415 and "PDF, JPEG or PNG" in resp.get_json()["error"]
    resp = _upload(c, me.health_id, b"%PDF" + b"\x00", "", title="x")
    assert resp.status_code == 400 and "file" in resp.get_json()["fields"]
    assert _stored_files(app) == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(LabReport.id))) == 0


def test_too_large_is_refused(app, logged_in):
    app.config["MAX_UPLOAD_BYTES"] = 1000
    c, me = logged_in("patient")
    resp = _upload(c, me.health_id, PDF_BYTES + b"0" * 2000, "big.pdf")
    assert resp.status_code == 413 and "larger than" in resp.get_json()["error"]
    assert _stored_files(app) == []
    # beyond the request limit the server refuses before reading
    app.config["MAX_CONTENT_LENGTH"] = 5000
    resp = _upload(c, me.health_id, PDF_BYTES + b"0" * 10000, "big.pdf")
    assert resp.status_code == 413 and "too large" in resp.get_json()["error"]


def test_form_upload_shows_field_error(logged_in):
    c, _ = logged_in("patient")
    resp = c.post(
        "/me/lab-reports",
        data={
            "title": "X-ray",
            "date": "2026-01-02",
            "file": (io.BytesIO(b"GIF89a....."), "x.png"),
        },
    )
    assert resp.status_code == 200
    assert "Upload a PDF, JPEG or PNG file." in resp.get_data(as_text=True)
    resp = c.post(
        "/me/lab-reports",
        data={"title": "X-ray", "date": "2026-01-02", "file": (io.BytesIO(PNG_BYTES), "x.png")},
    )
    assert resp.status_code == 302
    assert "X-ray" in c.get("/me/lab-reports").get_data(as_text=True)


def test_who_may_download(app, client, logged_in, account):
    c, me = logged_in("patient")
    report_id = _upload(c, me.health_id, PDF_BYTES, "r.pdf").get_json()["id"]
    for role, expected in [("doctor", 200), ("phn", 200), ("pharmacist", 403), ("admin", 403)]:
        resp = client.get(
            f"/api/v1/lab-reports/{report_id}/file", headers=token_for(client, account(role))
        )
        assert resp.status_code == expected, role
        resp.close()
    other = account("patient")
    headers = token_for(client, other)
    assert client.get(f"/api/v1/lab-reports/{report_id}/file", headers=headers).status_code == 403
    # a patient cannot upload to someone else's record, nor list it
    assert _upload(client, me.health_id, PDF_BYTES, "r.pdf", headers=headers).status_code == 403
    assert (
        client.get(f"/api/v1/patients/{me.health_id}/lab-reports", headers=headers).status_code
        == 403
    )
    items = c.get(f"/api/v1/patients/{me.health_id}/lab-reports").get_json()["items"]
    assert [i["id"] for i in items] == [report_id]


def test_future_date_and_missing_title(logged_in):
    c, me = logged_in("patient")
    resp = _upload(c, me.health_id, PDF_BYTES, "r.pdf", title="", date="2999-01-01")
    assert resp.status_code == 400
    assert set(resp.get_json()["fields"]) == {"title", "date"}
