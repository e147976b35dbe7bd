"""Vaccination through the API and pages: registration, doses checked against the schedule,
the patient's own schedule, due/defaulter lists, coverage numbers and the monthly report."""

from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader

from hub.extensions import db
from hub.scheduler import run_job
from tests.conftest import token_for

TODAY = date.today()


def _child(client, headers, days_old, area="Ward 1", name="Child"):
    body = {
        "name": name,
        "date_of_birth": str(TODAY - timedelta(days=days_old)),
        "sex": "female",
        "area": area,
    }
    resp = client.post("/api/v1/patients", json=body, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["health_id"]


def _register(client, jhi, hid, **kw):
    resp = client.post("/api/v1/vaccination/beneficiaries", json={"health_id": hid, **kw},
                       headers=jhi)  # fmt: skip
    return resp


def _dose(client, headers, hid, dose, given_on):
    return client.post(
        f"/api/v1/patients/{hid}/immunizations",
        json={"dose": dose, "given_on": str(given_on), "batch": "B-1", "site": "PHC"},
        headers=headers,
    )


def test_register_and_record_doses(client, account):
    jhi = token_for(client, account("jhi"))
    phn = token_for(client, account("phn"))
    asha = token_for(client, account("asha"))
    hid = _child(client, asha, days_old=50)
    dob = TODAY - timedelta(days=50)
    assert _register(client, asha, hid).status_code == 403  # the JHI registers
    resp = _register(client, jhi, hid)
    assert resp.status_code == 201, resp.get_json()
    sched = {d["dose"]: d for d in resp.get_json()["schedule"]}
    assert sched["bcg"]["due_on"] == str(dob) and sched["bcg"]["status"] == "overdue"
    assert sched["penta-1"]["due_on"] == str(dob + timedelta(weeks=6))
    assert sched["penta-1"]["status"] == "due"
    assert sched["hepb-0"]["status"] == "missed"  # 24 hours passed long ago
    assert _register(client, jhi, hid).status_code == 409

    assert _dose(client, phn, hid, "bcg", dob + timedelta(days=1)).status_code == 201
    early = _dose(client, phn, hid, "penta-1", dob + timedelta(days=40))
    assert early.status_code == 400 and "given_on" in early.get_json()["fields"]
    resp = _dose(client, jhi, hid, "penta-1", dob + timedelta(days=43))
    assert resp.status_code == 201 and resp.get_json()["status"] == "given"
    again = _dose(client, phn, hid, "penta-1", dob + timedelta(days=44))
    assert again.status_code == 400 and "already given" in again.get_json()["fields"]["dose"]
    too_soon = _dose(client, phn, hid, "penta-2", TODAY)
    assert too_soon.status_code == 400  # 10 weeks of age not reached
    missed = _dose(client, phn, hid, "hepb-0", dob + timedelta(days=5))
    assert missed.status_code == 400 and "24h" in missed.get_json()["fields"]["given_on"]
    assert _dose(client, asha, hid, "opv-1", TODAY).status_code == 403  # ASHA does not give

    got = client.get(f"/api/v1/patients/{hid}/immunizations", headers=asha).get_json()
    by = {d["dose"]: d for d in got}
    assert by["penta-1"]["given_on"] == str(dob + timedelta(days=43))
    # Penta-1 a day late (day 43): Penta-2 four weeks after it, a day after 10 weeks
    assert by["penta-2"]["due_on"] == str(dob + timedelta(days=43 + 28))
    assert {"vaccine", "dose", "due_on", "latest_on", "given_on", "status"} <= set(by["bcg"])


def test_patient_sees_own_schedule_only(app, client, account):
    jhi = token_for(client, account("jhi"))
    mother = account("patient", sex="female")
    other = account("patient")
    edd = TODAY + timedelta(weeks=20)
    bad = _register(client, jhi, mother.health_id, group="pregnancy")
    assert bad.status_code == 400 and "edd" in bad.get_json()["fields"]
    resp = _register(client, jhi, mother.health_id, group="pregnancy", edd=str(edd))
    assert resp.status_code == 201, resp.get_json()
    mine = token_for(client, mother)
    got = client.get(f"/api/v1/patients/{mother.health_id}/immunizations", headers=mine)
    assert got.status_code == 200
    assert [(d["dose"], d["status"]) for d in got.get_json()] == [
        ("td-p1", "due"),
        ("td-p2", "waiting"),
    ]
    assert got.get_json()[0]["latest_on"] == str(edd)
    theirs = client.get(f"/api/v1/patients/{other.health_id}/immunizations", headers=mine)
    assert theirs.status_code == 403
    # a second registration of the same pregnancy is refused; once the EDD has passed,
    # the next pregnancy closes the old record and starts its own Td doses
    again = _register(client, jhi, mother.health_id, group="pregnancy", edd=str(edd))
    assert again.status_code == 409
    with app.app_context():
        from hub.vaccination.models import Beneficiary

        old = db.session.scalar(db.select(Beneficiary))
        old.edd = TODAY - timedelta(days=1)
        db.session.commit()
    nxt = _register(client, jhi, mother.health_id, group="pregnancy", edd=str(edd))
    assert nxt.status_code == 201
    with app.app_context():
        rows = (
            db.session.execute(db.select(Beneficiary.active).order_by(Beneficiary.id))
            .scalars()
            .all()
        )
        assert rows == [False, True]


def test_coverage_numbers_and_due_lists(app, client, account, logged_in):
    jhi = token_for(client, account("jhi"))
    phn = token_for(client, account("phn"))
    asha = account("asha")
    ha = token_for(client, asha)
    a = _child(client, ha, 100, "Ward 1", "Asha child A")
    b = _child(client, ha, 10, "Ward 1", "Asha child B")
    c = _child(client, jhi, 400, "Ward 2", "Child C")
    for hid in (a, b, c):
        assert _register(client, jhi, hid).status_code == 201
    assert _dose(client, phn, a, "bcg", TODAY - timedelta(days=100)).status_code == 201
    assert _dose(client, phn, a, "penta-1", TODAY - timedelta(days=58)).status_code == 201
    assert _dose(client, phn, c, "bcg", TODAY - timedelta(days=400)).status_code == 201

    with app.app_context():  # the per-child dose bits were kept in step with the doses
        from hub.vaccination.services import rebuild_masks

        assert rebuild_masks() == 0
    cov = client.get("/api/v1/vaccination/coverage", headers=phn).get_json()
    by = {d["dose"]: d for d in cov["doses"]}
    assert (by["bcg"]["eligible"], by["bcg"]["given"], by["bcg"]["coverage_pct"]) == (3, 2, 66.7)
    assert (by["penta-1"]["eligible"], by["penta-1"]["given"]) == (2, 1)
    assert (by["mr-1"]["eligible"], by["mr-1"]["given"], by["mr-1"]["coverage_pct"]) == (1, 0, 0.0)
    assert by["dpt-b2"]["eligible"] == 0 and by["dpt-b2"]["coverage_pct"] is None
    assert "je-1" not in by  # not an endemic centre
    ward1 = {
        d["dose"]: d for d in next(x for x in cov["by_area"] if x["area"] == "Ward 1")["doses"]
    }
    assert (ward1["bcg"]["eligible"], ward1["bcg"]["given"]) == (2, 1)
    cohort = TODAY - timedelta(days=400)
    only = client.get(
        f"/api/v1/vaccination/coverage?area=Ward%202&vaccine=BCG&cohort={cohort.year}", headers=phn
    ).get_json()
    assert [(d["dose"], d["eligible"], d["given"]) for d in only["doses"]] == [("bcg", 1, 1)]
    assert client.get("/api/v1/vaccination/coverage", headers=ha).status_code == 403
    assert client.get("/api/v1/vaccination/coverage?cohort=x", headers=phn).status_code == 400

    # due lists: the ASHA sees her two children, not child C; C is a defaulter
    due = client.get("/api/v1/vaccination/due", headers=ha).get_json()
    assert {r["name"] for r in due["items"]} == {"Asha child A", "Asha child B"}
    everyone = client.get("/api/v1/vaccination/due", headers=phn).get_json()
    c_row = next(r for r in everyone["items"] if r["name"] == "Child C")
    assert c_row["defaulter"] and everyone["defaulters"] >= 1
    assert due["total"] == 2 and due["page"] == 1
    one = client.get("/api/v1/vaccination/due?per_page=1&page=2", headers=phn).get_json()
    assert one["total"] == everyone["total"] == 3 and len(one["items"]) == 1
    assert {d["dose"] for d in c_row["doses"]} >= {"opv-1", "mr-1"}
    assert "penta-1" not in {d["dose"] for d in c_row["doses"]}  # past 1 year: missed

    page, _ = logged_in("phn")
    html = page.get("/vaccination/coverage").get_data(as_text=True)
    assert 'data-dose="bcg"' in html and "66.7% (2/3)" in html
    assert "js/coverage.js" in html
    html = page.get("/vaccination/coverage?dose=bcg").get_data(as_text=True)
    assert 'aria-label="BCG coverage by area"' in html
    assert "<title>Ward 1: 50.0</title>" in html and "<title>Ward 2: 100.0</title>" in html
    html = page.get("/vaccination/").get_data(as_text=True)
    assert "Child C" in html and "defaulter" in html


def test_monthly_coverage_report(app, client, account, logged_in):
    jhi = token_for(client, account("jhi"))
    phn = token_for(client, account("phn"))
    hid = _child(client, jhi, 300, "Ward 9")
    assert _register(client, jhi, hid).status_code == 201
    assert _dose(client, phn, hid, "bcg", TODAY - timedelta(days=300)).status_code == 201
    # as of a past day, a dose given later does not count yet
    with app.app_context():
        from hub.vaccination.services import coverage

        before = coverage(today=TODAY - timedelta(days=301))
        at_birth = coverage(today=TODAY - timedelta(days=300))
    assert before["children"] == 0 and before["doses"][0]["eligible"] == 0
    assert (at_birth["doses"][0]["dose"], at_birth["doses"][0]["given"]) == ("bcg", 1)
    assert _dose(client, phn, hid, "opv-1", TODAY - timedelta(days=200)).status_code == 201
    with app.app_context():
        then = {d["dose"]: d for d in coverage(today=TODAY - timedelta(days=250))["doses"]}
        now = {d["dose"]: d for d in coverage()["doses"]}
    assert (then["opv-1"]["eligible"], then["opv-1"]["given"]) == (1, 0)
    assert (now["opv-1"]["eligible"], now["opv-1"]["given"]) == (1, 1)
    ids = run_job(app, "vaccination-coverage-monthly-report", scheduled=False)
    assert len(ids) == 2
    c, _ = logged_in("jhi")
    with app.app_context():
        from hub.surveillance.models import GeneratedReport

        rows = {r.format: r.id for r in db.session.scalars(db.select(GeneratedReport))}
    resp = c.get(f"/surveillance/reports/{rows['pdf']}/file")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.data)).pages)
    resp.close()
    assert "Vaccination coverage" in text and "Ward 9" in text and "100.0% (1/1)" in text
    resp = c.get(f"/surveillance/reports/{rows['csv']}/file")
    assert "Ward 9,all,bcg,BCG,1,1,100.0" in resp.get_data(as_text=True)
    resp.close()
    # on demand from the reports page
    made = c.post(
        "/surveillance/reports",
        data={"kind": "vaccination-coverage-monthly", "month": "2026-10", "format": "csv"},
    )
    assert made.status_code == 302


def test_pages_record_a_dose_and_refuse_others(client, account, logged_in):
    jhi = token_for(client, account("jhi"))
    hid = _child(client, jhi, 45)
    page_jhi, _ = logged_in("jhi")
    resp = page_jhi.post("/vaccination/", data={"health_id": hid, "group": "child"})
    assert resp.status_code == 302
    phn, _ = logged_in("phn")
    resp = phn.post(
        f"/vaccination/patients/{hid}",
        data={"dose": "bcg", "given_on": str(TODAY), "batch": "BCG-77", "site": "Sub-centre 2"},
        follow_redirects=True,
    )
    assert resp.status_code == 200 and "Dose recorded." in resp.get_data(as_text=True)
    resp = phn.post(
        f"/vaccination/patients/{hid}",
        data={
            "dose": "penta-1",
            "given_on": str(TODAY + timedelta(days=3)),
            "batch": "P",
            "site": "PHC",
        },  # fmt: skip
    )
    assert resp.status_code == 200 and "future" in resp.get_data(as_text=True)
    doctor, _ = logged_in("doctor")
    resp = doctor.post(
        f"/vaccination/patients/{hid}",
        data={"dose": "opv-1", "given_on": str(TODAY), "batch": "O", "site": "PHC"},
    )
    assert resp.status_code == 403


def test_td_booster_after_two_doses_in_a_recent_pregnancy(app, client, account):
    """Two Td doses in a pregnancy within 3 years: the next pregnancy gets one booster;
    longer ago: the primary two doses again."""
    from hub.vaccination.models import Beneficiary, Immunization

    jhi = token_for(client, account("jhi"))
    phn = token_for(client, account("phn"))
    edd = str(TODAY + timedelta(weeks=20))

    def earlier_pregnancy(woman, second_dose_days_ago):
        with app.app_context():
            from hub.patients.models import Patient

            pid = db.session.scalar(
                db.select(Patient.id).where(Patient.health_id == woman.health_id)
            )
            anchor = TODAY - timedelta(days=second_dose_days_ago + 200)
            ben = Beneficiary(
                patient_id=pid,
                group="pregnancy",
                anchor_on=anchor,
                edd=anchor + timedelta(days=200),
                track="primary",
                active=True,
            )
            db.session.add(ben)
            db.session.flush()
            for dose, on in (("td-p1", anchor),
                             ("td-p2", TODAY - timedelta(days=second_dose_days_ago))):  # fmt: skip
                db.session.add(Immunization(beneficiary_id=ben.id, patient_id=pid,
                                            vaccine="Td", dose=dose, given_on=on, batch="T",
                                            site="PHC"))  # fmt: skip
            db.session.commit()

    recent = account("patient", sex="female")
    earlier_pregnancy(recent, second_dose_days_ago=400)
    resp = _register(client, jhi, recent.health_id, group="pregnancy", edd=edd)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["track"] == "booster"
    assert [(d["dose"], d["status"]) for d in body["schedule"]] == [("td-pb", "due")]
    wrong = _dose(client, phn, recent.health_id, "td-p1", TODAY)
    assert wrong.status_code == 400 and "booster" in wrong.get_json()["fields"]["dose"]
    assert _dose(client, phn, recent.health_id, "td-pb", TODAY).status_code == 201

    long_ago = account("patient", sex="female")
    earlier_pregnancy(long_ago, second_dose_days_ago=4 * 365)
    body = _register(client, jhi, long_ago.health_id, group="pregnancy", edd=edd).get_json()
    assert body["track"] == "primary"
    assert [d["dose"] for d in body["schedule"]] == ["td-p1", "td-p2"]
