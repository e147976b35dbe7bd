"""Every route x every role (and nobody): the answer matches the route's declaration."""

from __future__ import annotations

import pytest

from hub.access import ALL_ROLES, PUBLIC, allowed_roles
from hub.extensions import db
from hub.feedback.models import Feedback
from hub.labs.models import LabReport
from tests.conftest import PDF_BYTES, login, make_account

# Paths that depend on data get real ids from the fixture below.
ARGS = ("health_id", "report_id", "item_id", "user_id", "filename", "visit_id", "prescription_id")


@pytest.fixture
def world(app, tmp_path):
    """One account per role, a patient with a lab report, a feedback item."""
    accounts = {role: make_account(app, role) for role in ALL_ROLES}
    patient = accounts["patient"]
    client = app.test_client()
    login(client, patient)
    resp = client.post(
        f"/api/v1/patients/{patient.health_id}/lab-reports",
        data={
            "file": (__import__("io").BytesIO(PDF_BYTES), "r.pdf"),
            "title": "CBC",
            "date": "2026-01-05",
        },
    )
    assert resp.status_code == 201
    resp = client.post(
        "/api/v1/feedback", json={"kind": "complaint", "subject": "Queue", "text": "Long wait"}
    )
    assert resp.status_code == 201
    with app.test_request_context():
        from datetime import date

        from hub.surveillance.reports import idsp_report

        report_id = db.session.scalar(db.select(LabReport.id))
        # a generated report with the same id, for /surveillance/reports/<report_id>/file
        _, generated = idsp_report(date(2026, 11, 16), None, "csv", None)
        assert generated.id == report_id
        item_id = db.session.scalar(db.select(Feedback.id))
        # the patient is covered by the ASHA, with a home visit assigned to her
        from hub.patients.models import Patient
        from hub.visits.models import Visit

        record = db.session.scalar(db.select(Patient).where(Patient.health_id == patient.health_id))
        record.asha_id = accounts["asha"].id
        visit = Visit(
            patient_id=record.id,
            kind="bedridden",
            purpose="Home visit",
            scheduled_on=date(2026, 11, 20),
            asha_id=accounts["asha"].id,
        )
        db.session.add(visit)
        db.session.commit()
        visit_id = visit.id
        # a prescription for the patient, for the clinic and pharmacy pages
        from hub.clinic.models import Prescription, PrescriptionItem
        from hub.pharmacy.models import Medicine

        med = Medicine(name="Paracetamol", strength="500 mg", form="tablet", reorder_level=5)
        db.session.add(med)
        db.session.flush()
        rx = Prescription(patient_id=record.id, doctor_id=accounts["doctor"].id)
        db.session.add(rx)
        db.session.flush()
        db.session.add(
            PrescriptionItem(
                prescription_id=rx.id,
                medicine_id=med.id,
                dose="500 mg",
                frequency="1-0-1",
                days=3,
                quantity=6,
            )  # fmt: skip
        )
        db.session.commit()
        prescription_id = rx.id
    values = {
        "health_id": patient.health_id,
        "report_id": report_id,
        "item_id": item_id,
        "user_id": accounts["doctor"].id,
        "filename": "css/app.css",
        "visit_id": visit_id,
        "prescription_id": prescription_id,
    }
    return accounts, values


def _get_rules(app):
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and set(rule.arguments) <= set(ARGS):
            rules.append(rule)
    return rules


def test_every_route_declares_roles(app):
    with app.app_context():
        for rule in app.url_map.iter_rules():
            assert allowed_roles(rule.endpoint), rule.endpoint


def test_route_x_role_walk(app, world):
    accounts, values = world
    clients = {None: app.test_client()}
    for role, acc in accounts.items():
        clients[role] = app.test_client()
        login(clients[role], acc)
    with app.app_context():
        rules = [(r, allowed_roles(r.endpoint)) for r in _get_rules(app)]
    assert len(rules) >= 20
    checked = 0
    for rule, allowed in rules:
        path = rule.rule
        for name in rule.arguments:
            conv = f"<{'int:' if name != 'filename' and name != 'health_id' else ''}"
            path = path.replace(f"{conv}{name}>", str(values[name]))
            path = path.replace(f"<path:{name}>", str(values[name]))
        for role, c in clients.items():
            resp = c.get(path)
            resp.close()  # file downloads hold the file open until closed
            status = resp.status_code
            where = f"{role} GET {path} -> {status}"
            if PUBLIC in allowed:
                assert status in (200, 302), where
            elif role is None:
                if path.startswith("/api/"):
                    assert status == 401, where
                else:
                    assert status == 302 and "/auth/login" in resp.headers["Location"], where
            elif role in allowed:
                assert status in (200, 302), where
                if status == 302:
                    assert "/auth/login" not in resp.headers["Location"], where
            else:
                assert status == 403, where
            checked += 1
    assert checked >= 20 * 8


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/admin/members/1/status"),
        ("post", "/api/v1/admin/users"),
        ("patch", "/api/v1/feedback/1"),
    ],
)
def test_writes_are_refused_to_other_roles(app, method, path):
    for role in ("patient", "doctor", "asha"):
        c = app.test_client()
        login(c, make_account(app, role))
        assert getattr(c, method)(path, json={}).status_code == 403


def test_unknown_route_answers_json_under_api(client):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404 and resp.get_json() == {"error": "Not found."}
    assert client.get("/nothing-here").status_code == 404


def test_security_headers_and_no_external_assets(client, logged_in):
    for c, path in ((client, "/auth/login"), (logged_in("doctor")[0], "/dashboard")):
        resp = c.get(path)
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        page = resp.get_data(as_text=True)
        assert "http://" not in page and "https://" not in page  # nothing fetched elsewhere
        assert "<script" not in page and "style=" not in page  # nothing CSP would block
    assert client.get("/api/v1/openapi.json").headers["X-Frame-Options"] == "DENY"
