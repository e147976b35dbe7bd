from hub.audit.models import AuditEntry
from hub.extensions import db
from hub.patients.health_id import display
from tests.conftest import token_for


def test_patient_sees_own_record_not_others(client, account):
    me, other = account("patient"), account("patient")
    headers = token_for(client, me)
    resp = client.get(f"/api/v1/patients/{display(me.health_id)}", headers=headers)
    assert resp.status_code == 200 and resp.get_json()["health_id"] == me.health_id
    resp = client.get(f"/api/v1/patients/{other.health_id}", headers=headers)
    assert resp.status_code == 403 and "error" in resp.get_json()


def test_staff_reads_are_audit_logged(app, client, account, logged_in):
    patient = account("patient")
    doctor = account("doctor")
    resp = client.get(f"/api/v1/patients/{patient.health_id}", headers=token_for(client, doctor))
    assert resp.status_code == 200 and resp.get_json()["name"] == patient.name
    phn, _ = logged_in("phn")
    assert phn.get(f"/patients/{patient.health_id}").status_code == 200
    # the patient reading their own record is not an audit event
    client.get(f"/api/v1/patients/{patient.health_id}", headers=token_for(client, patient))
    with app.app_context():
        entries = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "record.read").order_by(AuditEntry.id)
        ).all()
        assert [(e.actor_role, e.patient_id is not None) for e in entries] == [
            ("doctor", True),
            ("phn", True),
        ]
    admin, _ = logged_in("admin")
    found = admin.get(f"/api/v1/audit?health_id={patient.health_id}").get_json()
    assert found["total"] == 2
    page = admin.get(f"/admin/audit/?health_id={display(patient.health_id)}").get_data(as_text=True)
    assert "record page" in page and "record api" in page


def test_pharmacist_and_admin_may_not_read_records(client, account):
    patient = account("patient")
    for role in ("pharmacist", "admin"):
        resp = client.get(
            f"/api/v1/patients/{patient.health_id}", headers=token_for(client, account(role))
        )
        assert resp.status_code == 403


def test_wrong_check_digit_and_unknown_id(client, account):
    doctor = account("doctor")
    patient = account("patient")
    headers = token_for(client, doctor)
    wrong = patient.health_id[:-1] + str((int(patient.health_id[-1]) + 1) % 10)
    resp = client.get(f"/api/v1/patients/{wrong}", headers=headers)
    assert resp.status_code == 400 and "check digit" in resp.get_json()["error"]


def test_lookup_page(logged_in, account):
    patient = account("patient")
    c, _ = logged_in("phn")
    resp = c.get(f"/patients/lookup?health_id={display(patient.health_id)}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(patient.health_id)
    wrong = patient.health_id[:-1] + str((int(patient.health_id[-1]) + 3) % 10)
    page = c.get(f"/patients/lookup?health_id={wrong}").get_data(as_text=True)
    assert "check digit" in page


def test_patient_edits_profile(logged_in, client):
    c, me = logged_in("patient")
    resp = c.post(
        "/me/profile",
        data={
            "blood_group": "B+",
            "allergies": "Penicillin",
            "abha_number": "12-3456-7890-1234",
            "phone": "",
            "emergency_contact_name": "Rekha",
        },
    )
    assert resp.status_code == 302
    body = c.get(f"/api/v1/patients/{me.health_id}").get_json()
    assert body["medical"]["blood_group"] == "B+"
    assert body["medical"]["allergies"] == "Penicillin"
    assert body["abha_number"] == "12345678901234"
    resp = c.post("/me/profile", data={"abha_number": "123", "blood_group": ""})
    assert resp.status_code == 200 and "14 digits" in resp.get_data(as_text=True)
    resp = c.patch(f"/api/v1/patients/{me.health_id}", json={"blood_group": "Q+"})
    assert resp.status_code == 400 and "blood_group" in resp.get_json()["fields"]
    resp = c.patch(f"/api/v1/patients/{me.health_id}", json={"current_medicines": "Metformin"})
    assert resp.get_json()["medical"]["current_medicines"] == "Metformin"


def test_staff_register_a_patient_without_an_account(client, account):
    asha = token_for(client, account("asha"))
    resp = client.post(
        "/api/v1/patients",
        headers=asha,
        json={
            "name": "Baby Nair",
            "date_of_birth": "2026-09-01",
            "sex": "female",
            "area": "Ward 2",
            "guardian_name": "Sreeja Nair",
        },
    )
    assert resp.status_code == 201
    body = resp.get_json()
    assert len(body["health_id"]) == 14 and body["guardian_name"] == "Sreeja Nair"
    got = client.get(f"/api/v1/patients/{body['health_id']}", headers=asha)
    assert got.status_code == 200 and got.get_json()["area"] == "Ward 2"
    bad = client.post(
        "/api/v1/patients",
        headers=asha,
        json={"name": "", "date_of_birth": "2999-01-01", "sex": "x"},
    )
    assert bad.status_code == 400 and {"name", "sex"} <= set(bad.get_json()["fields"])
    future = client.post(
        "/api/v1/patients",
        headers=asha,
        json={"name": "Not yet", "date_of_birth": "2999-01-01", "sex": "male"},
    )
    assert future.status_code == 400 and "date_of_birth" in future.get_json()["fields"]
    for role in ("patient", "pharmacist", "doctor"):
        denied = client.post(
            "/api/v1/patients",
            headers=token_for(client, account(role)),
            json={"name": "X", "date_of_birth": "2020-01-01", "sex": "male"},
        )
        assert denied.status_code == 403, role
