"""Doctors: look-up with audit, consultations, prescribing with warnings, the PDF, the
timeline, roles, and the FHIR Bundle validated by fhir.resources."""

from __future__ import annotations

import io
from datetime import timedelta

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from hub.audit.models import AuditEntry
from hub.extensions import db
from tests.clinic.helpers import TODAY, item, medicine, prescribe, receive
from tests.conftest import token_for


def test_consultation_prescription_and_warnings(app, client, account):
    doctor = token_for(client, account("doctor"))
    pharmacist = token_for(client, account("pharmacist"))
    patient = account("patient")
    amox = medicine(client, pharmacist, "Amoxicillin", "250 mg")
    para = medicine(client, pharmacist, "Paracetamol", "500 mg")
    # the patient records an allergy to penicillin and amoxicillin
    client.patch(
        f"/api/v1/patients/{patient.health_id}",
        json={"allergies": "Amoxicillin (rash)"},
        headers=token_for(client, patient),
    )
    resp = client.post(
        "/api/v1/consultations",
        json={"health_id": patient.health_id, "complaint": "Fever 3 days",
              "diagnosis": "Acute upper respiratory infection", "icd10": "j06.9"},
        headers=doctor,
    )  # fmt: skip
    assert resp.status_code == 201 and resp.get_json()["icd10"] == "J06.9"
    assert resp.get_json()["icd10_title"] == "Acute upper respiratory infection, unspecified"
    cid = resp.get_json()["id"]
    bad = client.post(
        "/api/v1/consultations",
        json={"health_id": patient.health_id, "complaint": "x", "diagnosis": "y",
              "icd10": "fever"},
        headers=doctor,
    )  # fmt: skip
    assert bad.status_code == 400 and "icd10" in bad.get_json()["fields"]
    # the right shape is not enough: WHO's ICD-10 must have the code
    for wrong in ("J06.99", "Z99.99", "J00-J06"):
        resp = client.post(
            "/api/v1/consultations",
            json={"health_id": patient.health_id, "complaint": "x", "diagnosis": "y",
                  "icd10": wrong},
            headers=doctor,
        )  # fmt: skip
        assert (
            resp.status_code == 400
            and "not a WHO ICD-10 code" in resp.get_json()["fields"]["icd10"]
        )

    # the allergy warns and nothing is saved until acknowledged
    warned = prescribe(client, doctor, patient.health_id, [item(amox)], consultation_id=cid)
    assert warned.status_code == 409
    assert any("Allergy" in w for w in warned.get_json()["fields"].values())
    ok = prescribe(client, doctor, patient.health_id, [item(para)], consultation_id=cid)
    assert ok.status_code == 201, ok.get_json()
    rx = ok.get_json()
    assert rx["status"] == "pending" and rx["items"][0]["remaining"] == 10
    # the same medicine again while the first is active: a duplicate warning
    dup = prescribe(client, doctor, patient.health_id, [item(para)])
    assert dup.status_code == 409
    assert any("Duplicate" in w for w in dup.get_json()["fields"].values())
    forced = prescribe(client, doctor, patient.health_id, [item(para)], acknowledge_warnings=True)
    assert forced.status_code == 201 and "Duplicate" in forced.get_json()["warnings"][0]
    # bad items: unknown medicine, zero days
    bad = prescribe(client, doctor, patient.health_id,
                    [{**item(9999)}, {**item(para), "days": 0}])  # fmt: skip
    assert bad.status_code == 400

    # the forced duplicate is withdrawn again, with a reason; the warning stays recorded
    cancel = f"/api/v1/prescriptions/{forced.get_json()['id']}/cancel"
    assert client.post(cancel, json={"reason": ""}, headers=doctor).status_code == 400
    done = client.post(cancel, json={"reason": "entered twice"}, headers=doctor)
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    assert done.get_json()["warnings"][-1] == "Cancelled: entered twice"
    assert client.post(cancel, json={"reason": "again"}, headers=doctor).status_code == 400
    assert client.post(cancel, json={"reason": "x"}, headers=pharmacist).status_code == 403

    # only doctors prescribe; only pharmacists dispense
    assert prescribe(client, pharmacist, patient.health_id, [item(para)]).status_code == 403
    nurse = token_for(client, account("phn"))
    assert prescribe(client, nurse, patient.health_id, [item(para)]).status_code == 403
    resp = client.post(
        f"/api/v1/prescriptions/{rx['id']}/dispense",
        json={"items": [{"item_id": rx["items"][0]["item_id"], "quantity": 1}]},
        headers=doctor,
    )
    assert resp.status_code == 403

    # the printable prescription
    c, _ = _login_page(app, account, "doctor")
    pdf = c.get(f"/clinic/prescriptions/{rx['id']}.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    pdf.close()
    assert "Paracetamol 500 mg tablet" in text and "1-0-1" in text and patient.name in text
    assert "Acute upper respiratory infection (J06.9)" in text and "Amoxicillin (rash)" in text

    # the patient sees their own prescriptions, not someone else's
    mine = token_for(client, patient)
    assert client.get(f"/api/v1/prescriptions/{rx['id']}", headers=mine).status_code == 200
    other = token_for(client, account("patient"))
    assert client.get(f"/api/v1/prescriptions/{rx['id']}", headers=other).status_code == 403
    pc, _ = _login_page(app, account, "patient", existing=patient)
    page = pc.get("/clinic/me").get_data(as_text=True)
    assert "Paracetamol 500 mg tablet" in page and "Acute upper respiratory infection" in page


def _login_page(app, account, role, existing=None):
    from tests.conftest import login

    acc = existing or account(role)
    c = app.test_client()
    login(c, acc)
    return c, acc


def test_timeline_and_lookup_audit(app, client, account):
    doctor_acc = account("doctor")
    doctor = token_for(client, doctor_acc)
    pharmacist = token_for(client, account("pharmacist"))
    asha = token_for(client, account("asha"))
    jhi = token_for(client, account("jhi"))
    phn = token_for(client, account("phn"))
    # a child with every kind of record
    hid = client.post(
        "/api/v1/patients",
        json={"name": "Timeline Child", "date_of_birth": str(TODAY - timedelta(days=200)),
              "sex": "female", "area": "Ward 2"},
        headers=asha,
    ).get_json()["health_id"]  # fmt: skip
    client.post("/api/v1/vaccination/beneficiaries", json={"health_id": hid}, headers=jhi)
    client.post(f"/api/v1/patients/{hid}/immunizations",
                json={"dose": "bcg", "given_on": str(TODAY - timedelta(days=199)),
                      "batch": "B1", "site": "PHC"}, headers=phn)  # fmt: skip
    client.post(f"/api/v1/patients/{hid}/growth",
                json={"measured_on": str(TODAY), "weight_kg": 7.2, "height_cm": 66.0},
                headers=asha)  # fmt: skip
    client.post("/api/v1/visits", json={"health_id": hid, "kind": "postnatal",
                "scheduled_on": str(TODAY)}, headers=phn)  # fmt: skip
    visit_id = client.get("/api/v1/visits", headers=asha).get_json()["items"][0]["id"]
    client.patch(f"/api/v1/visits/{visit_id}", json={"status": "done", "notes": "Well"},
                 headers=asha)  # fmt: skip
    c = client.post(
        "/api/v1/consultations",
        json={"health_id": hid, "complaint": "Cough", "diagnosis": "Common cold", "icd10": "J00"},
        headers=doctor,
    ).get_json()
    syrup = medicine(client, pharmacist, "Paracetamol", "120 mg/5 ml")
    receive(client, pharmacist, syrup, "S1", 10, 300)
    rx = prescribe(client, doctor, hid, [item(syrup, quantity=1)], consultation_id=c["id"])
    rx = rx.get_json()
    client.post(f"/api/v1/prescriptions/{rx['id']}/dispense",
                json={"items": [{"item_id": rx["items"][0]["item_id"], "quantity": 1}]},
                headers=pharmacist)  # fmt: skip

    history = client.get(f"/api/v1/patients/{hid}/history", headers=doctor).get_json()
    kinds = {e["kind"] for e in history["events"]}
    assert kinds == {"consultation", "prescription", "dispensed", "vaccination", "growth",
                     "home visit"}  # fmt: skip
    dates = [e["date"] for e in history["events"]]
    assert dates == sorted(dates, reverse=True)
    # the look-up was audit-logged, by API and by page
    page, _ = _login_page(app, account, "doctor", existing=doctor_acc)
    assert page.get(f"/clinic/patients/{hid}").status_code == 200
    bad = page.get("/clinic/?health_id=1234-5678-9012-34")
    assert "check digit" in bad.get_data(as_text=True)
    with app.app_context():
        what = set(db.session.scalars(db.select(AuditEntry.detail).where(
            AuditEntry.action == "record.read", AuditEntry.actor_id == doctor_acc.id)))  # fmt: skip
    assert {"history api", "clinic timeline"} <= what
    # the pharmacist reads no history
    assert client.get(f"/api/v1/patients/{hid}/history", headers=pharmacist).status_code == 403

    # FHIR: a Bundle that fhir.resources validates, entry by entry
    resp = client.get(f"/api/v1/patients/{hid}/fhir", headers=doctor)
    assert resp.status_code == 200 and resp.mimetype == "application/fhir+json"
    body = resp.get_json()
    Bundle.model_validate(body)
    types = [e["resource"]["resourceType"] for e in body["entry"]]
    for needed in ("Patient", "Encounter", "Condition", "MedicationRequest",
                   "MedicationDispense", "Immunization", "Observation"):  # fmt: skip
        assert needed in types, needed
    for e in body["entry"]:
        get_fhir_model_class(e["resource"]["resourceType"]).model_validate(e["resource"])
    patient_res = body["entry"][0]["resource"]
    assert {"system": "urn:smartcare:health-id", "value": hid} in patient_res["identifier"]
    condition = next(e["resource"] for e in body["entry"]
                     if e["resource"]["resourceType"] == "Condition")  # fmt: skip
    assert condition["code"]["coding"][0] == {
        "system": "http://hl7.org/fhir/sid/icd-10",
        "code": "J00",
        "display": "Acute nasopharyngitis [common cold]",
    }
    weight = next(e["resource"] for e in body["entry"]
                  if e["resource"]["resourceType"] == "Observation"
                  and e["resource"]["code"]["coding"][0]["code"] == "29463-7")  # fmt: skip
    assert weight["valueQuantity"]["value"] == 7.2 and weight["component"]


def test_fhir_carries_the_abha_number(client, account):
    patient = account("patient")
    mine = token_for(client, patient)
    client.patch(f"/api/v1/patients/{patient.health_id}", json={"abha_number": "91-1234-5678-9012"},
                 headers=mine)  # fmt: skip
    body = client.get(f"/api/v1/patients/{patient.health_id}/fhir", headers=mine).get_json()
    ids = body["entry"][0]["resource"]["identifier"]
    assert {"system": "https://healthid.abdm.gov.in", "value": "91123456789012"} in ids
    other = account("patient")
    resp = client.get(f"/api/v1/patients/{other.health_id}/fhir", headers=mine)
    assert resp.status_code == 403


def test_pages_consult_prescribe_and_dispense(app, client, account, logged_in):
    pharmacist_page, _ = logged_in("pharmacist")
    resp = pharmacist_page.post(
        "/pharmacy/stock",
        data={"action": "medicine", "name": "Cetirizine", "strength": "10 mg", "form": "tablet",
              "reorder_level": "30"},
    )  # fmt: skip
    assert resp.status_code == 302
    with app.app_context():
        from hub.pharmacy.models import Medicine

        med_id = db.session.scalar(db.select(Medicine.id))
    expiry = str(TODAY + timedelta(days=200))
    resp = pharmacist_page.post(
        "/pharmacy/stock",
        data={"action": "receive", "medicine_id": med_id, "batch": "CTZ-1", "expiry": expiry,
              "quantity": "8"},
    )  # fmt: skip
    assert resp.status_code == 302
    bad = pharmacist_page.post(
        "/pharmacy/stock",
        data={"action": "receive", "medicine_id": med_id, "batch": "CTZ-0",
              "expiry": str(TODAY), "quantity": "8"},
    )  # fmt: skip
    assert "expired" in bad.get_data(as_text=True)

    patient = account("patient")
    doctor, _ = logged_in("doctor")
    url = f"/clinic/patients/{patient.health_id}"
    resp = doctor.post(url, data={"action": "consultation", "complaint": "Sneezing",
                                  "diagnosis": "Allergic rhinitis", "icd10": "J30.4"})  # fmt: skip
    assert resp.status_code == 302
    rx_form = {
        "action": "prescription",
        "medicine_0": str(med_id),
        "dose_0": "10 mg",
        "frequency_0": "0-0-1",
        "days_0": "10",
        "quantity_0": "10",
    }
    assert doctor.post(url, data=rx_form).status_code == 302
    again = doctor.post(url, data=rx_form)
    page = again.get_data(as_text=True)
    assert again.status_code == 200 and "Duplicate" in page and 'name="acknowledge"' in page
    empty = doctor.post(url, data={**rx_form, "days_0": "0"})
    assert "1 to 365 days" in empty.get_data(as_text=True)
    html = doctor.get(url).get_data(as_text=True)
    assert "Allergic rhinitis (J30.4)" in html and "Cetirizine 10 mg tablet" in html

    queue = pharmacist_page.get("/pharmacy/").get_data(as_text=True)
    assert patient.name in queue
    with app.app_context():
        from hub.clinic.models import Prescription

        rx = db.session.scalar(db.select(Prescription))
        item_id = rx.items[0].id
    resp = pharmacist_page.post(f"/pharmacy/prescriptions/{rx.id}", data={f"qty_{item_id}": "10"},
                                follow_redirects=True)  # fmt: skip
    page = resp.get_data(as_text=True)
    assert "Short: Cetirizine 10 mg tablet 2" in page and "partial" in page
