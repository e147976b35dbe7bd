"""Home visits: plans, the ASHA's own visits only, outcomes, the morning overdue run."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hub.extensions import db
from hub.scheduler import run_job
from hub.visits import services
from hub.visits.models import Visit
from tests.conftest import token_for

TODAY = date.today()


def _patient(client, headers, **kw):
    body = {"name": "Meena Devi", "date_of_birth": "1998-04-02", "sex": "female", "area": "Ward 5"}
    body.update(kw)
    resp = client.post("/api/v1/patients", json=body, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["health_id"]


def test_antenatal_contacts_from_edd():
    # registered at 8 weeks: all four contacts, at registration, 20, 30 and 36 weeks
    edd = TODAY + timedelta(weeks=32)
    lmp = edd - timedelta(days=280)
    got = services.antenatal_dates(edd, TODAY)
    assert [d for _, d in got] == [
        TODAY,
        lmp + timedelta(weeks=20),
        lmp + timedelta(weeks=30),
        lmp + timedelta(weeks=36),
    ]
    # registered at 30 weeks: ANC 2's window has passed; ANC 3 two weeks after ANC 1
    edd = TODAY + timedelta(weeks=10)
    lmp = edd - timedelta(days=280)
    got = services.antenatal_dates(edd, TODAY)
    assert [n.split(" (")[0] for n, _ in got] == ["ANC 1", "ANC 3", "ANC 4"]
    assert got[1][1] == TODAY + timedelta(days=14) and got[2][1] == lmp + timedelta(weeks=36)


def test_plans_and_asha_sees_only_her_visits(client, account):
    phn = token_for(client, account("phn"))
    asha1, asha2 = account("asha"), account("asha")
    h1, h2 = token_for(client, asha1), token_for(client, asha2)
    mother = _patient(client, h1)
    old_man = _patient(client, h2, name="Ramu", sex="male", date_of_birth="1940-01-01")

    resp = client.post(
        "/api/v1/visit-plans",
        json={"health_id": mother, "kind": "antenatal", "edd": str(TODAY + timedelta(weeks=28))},
        headers=phn,
    )
    assert resp.status_code == 201, resp.get_json()
    anc = resp.get_json()["visits"]
    assert len(anc) == 4 and all(v["asha_id"] == asha1.id for v in anc)  # her own ASHA
    resp = client.post(
        "/api/v1/visit-plans",
        json={"health_id": old_man, "kind": "bedridden", "every_days": 14},
        headers=phn,
    )
    assert resp.status_code == 201
    recurring = resp.get_json()["visits"]
    assert recurring[0]["scheduled_on"] == TODAY.isoformat()
    assert recurring[1]["scheduled_on"] == (TODAY + timedelta(days=14)).isoformat()
    assert len(recurring) == 90 // 14 + 1  # the horizon

    mine = client.get("/api/v1/visits", headers=h1).get_json()
    assert {v["health_id"] for v in mine["items"]} == {mother} and mine["total"] == 4
    # an ASHA may not ask for another's list, nor touch another's visit
    assert client.get(f"/api/v1/visits?asha_id={asha2.id}", headers=h1).status_code == 403
    other = recurring[0]["id"]
    assert (
        client.patch(f"/api/v1/visits/{other}", json={"status": "done"}, headers=h1).status_code
        == 403
    )
    # nor read the other's patient
    assert client.get(f"/api/v1/patients/{old_man}", headers=h1).status_code == 403
    assert client.get(f"/api/v1/patients/{mother}", headers=h1).status_code == 200
    # the PHN sees all
    assert client.get("/api/v1/visits?per_page=200", headers=phn).get_json()["total"] == 4 + 7
    # invalid plans answer field errors
    resp = client.post(
        "/api/v1/visit-plans", json={"health_id": old_man, "kind": "antenatal"}, headers=phn
    )
    assert resp.status_code == 400 and {"edd", "health_id"} <= set(resp.get_json()["fields"])
    # only a PHN plans
    resp = client.post(
        "/api/v1/visits",
        json={"health_id": mother, "kind": "antenatal", "scheduled_on": str(TODAY)},
        headers=h1,
    )
    assert resp.status_code == 403


def test_outcomes(client, account):
    phn = token_for(client, account("phn"))
    asha = account("asha")
    h = token_for(client, asha)
    hid = _patient(client, h)
    made = []
    for _ in range(3):
        resp = client.post(
            "/api/v1/visits",
            json={"health_id": hid, "kind": "postnatal", "scheduled_on": str(TODAY)},
            headers=phn,
        )
        assert resp.status_code == 201
        made.append(resp.get_json()["id"])
    done, missed, moved = made
    resp = client.patch(
        f"/api/v1/visits/{done}",
        json={
            "status": "done",
            "notes": "Baby feeding well",
            "vitals": {
                "bp_systolic": 118,
                "bp_diastolic": 76,
                "weight_kg": 54.5,
                "hb_g_dl": 10.8,
                "temperature_c": 36.9,
            },
        },  # fmt: skip
        headers=h,
    )
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "done" and body["vitals"]["hb_g_dl"] == 10.8
    assert body["visited_on"] == TODAY.isoformat()
    # a done visit is closed
    resp = client.patch(f"/api/v1/visits/{done}", json={"status": "missed"}, headers=h)
    assert resp.status_code == 400
    # vitals out of range, BP half given, missed without reason: clear field errors
    bad = client.patch(
        f"/api/v1/visits/{missed}",
        json={"status": "done", "vitals": {"bp_systolic": 400, "bp_diastolic": 80}},
        headers=h,
    )
    assert bad.status_code == 400 and "bp_systolic" in bad.get_json()["fields"]
    bad = client.patch(
        f"/api/v1/visits/{missed}", json={"status": "done", "vitals": {"bp_systolic": 120}},
        headers=h,
    )  # fmt: skip
    assert bad.status_code == 400 and "bp_diastolic" in bad.get_json()["fields"]
    bad = client.patch(f"/api/v1/visits/{missed}", json={"status": "missed"}, headers=h)
    assert bad.status_code == 400 and "missed_reason" in bad.get_json()["fields"]
    ok = client.patch(
        f"/api/v1/visits/{missed}",
        json={"status": "missed", "missed_reason": "House locked"},
        headers=h,
    )
    assert ok.status_code == 200 and ok.get_json()["missed_reason"] == "House locked"
    new_day = TODAY + timedelta(days=2)
    ok = client.patch(
        f"/api/v1/visits/{moved}",
        json={"status": "rescheduled", "reschedule_to": str(new_day)},
        headers=h,
    )
    assert ok.status_code == 200
    new_id = ok.get_json()["rescheduled_to_id"]
    listed = client.get("/api/v1/visits?status=scheduled", headers=h).get_json()["items"]
    assert [(v["id"], v["scheduled_on"]) for v in listed] == [(new_id, new_day.isoformat())]


def test_morning_job_marks_overdue_and_lists_them(app, client, account, logged_in):
    phn_client, _ = logged_in("phn")
    asha = account("asha")
    hid = _patient(client, token_for(client, asha))
    with app.app_context():
        from hub.patients.models import Patient

        pid = db.session.scalar(db.select(Patient.id).where(Patient.health_id == hid))
        for days_ago in (3, 1):
            db.session.add(
                Visit(patient_id=pid, kind="bedridden", purpose=f"old {days_ago}",
                      scheduled_on=TODAY - timedelta(days=days_ago), asha_id=asha.id)
            )  # fmt: skip
        db.session.add(
            Visit(patient_id=pid, kind="bedridden", purpose="today", scheduled_on=TODAY,
                  asha_id=asha.id)
        )  # fmt: skip
        db.session.commit()
    assert run_job(app, "visits-overdue", scheduled=False) == 2
    with app.app_context():
        flagged = db.session.scalars(db.select(Visit.purpose).where(Visit.overdue.is_(True)))
        assert sorted(flagged) == ["old 1", "old 3"]
    page = phn_client.get("/visits/").get_data(as_text=True)
    assert "Overdue (2)" in page
    # each is on the calendar of its month, the passed ones marked late
    for purpose, day, late in (("old 3", TODAY - timedelta(days=3), True),
                               ("old 1", TODAY - timedelta(days=1), True),
                               ("today", TODAY, False)):  # fmt: skip
        cal = phn_client.get(f"/visits/calendar?month={day:%Y-%m}").get_data(as_text=True)
        item = re.search(rf'class="cal-item ([^"]*)"[^>]*title="{purpose} ·', cal)
        assert item is not None, purpose
        assert ("late" in item.group(1)) is late
    # ...and kept as the morning's report for the PHN
    with app.app_context():
        from hub.surveillance.models import GeneratedReport

        report_id = db.session.scalar(
            db.select(GeneratedReport.id).where(GeneratedReport.kind == "visits-overdue")
        )
    resp = phn_client.get(f"/surveillance/reports/{report_id}/file")
    lines = resp.get_data(as_text=True).strip().splitlines()
    resp.close()
    assert len(lines) == 3 and lines[1].split(",")[1] == "3" and "Meena Devi" in lines[1]
    doctor, _ = logged_in("doctor")
    resp = doctor.get(f"/surveillance/reports/{report_id}/file")
    resp.close()
    assert resp.status_code == 403
    asha_page = client.get("/api/v1/visits?status=overdue", headers=token_for(client, asha))
    assert asha_page.get_json()["total"] == 2


def test_asha_pages(client, logged_in):
    c, asha = logged_in("asha")
    resp = c.post(
        "/patients/covered",
        data={
            "name": "Sita",
            "date_of_birth": "2025-02-02",
            "sex": "female",
            "area": "Ward 1",
            "household": "House 12 (Ramesh)",
            "guardian_name": "Ramesh",
        },  # fmt: skip
        follow_redirects=True,
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "House 12 (Ramesh)" in page and "Sita" in page
    bad = c.post("/patients/covered", data={"name": "", "sex": "female"})
    assert bad.status_code == 200 and "This field is required" in bad.get_data(as_text=True)
    assert c.get("/visits/mine").status_code == 200
    home = c.get("/dashboard").get_data(as_text=True)
    assert "visits today" in home and "overdue visits" in home


def test_phn_moves_reassigns_and_cancels_on_the_page(client, account, logged_in):
    phn_page, _ = logged_in("phn")
    phn = token_for(client, account("phn"))
    asha1, asha2 = account("asha"), account("asha")
    hid = _patient(client, token_for(client, asha1))
    made = client.post(
        "/api/v1/visits",
        json={"health_id": hid, "kind": "bedridden", "scheduled_on": str(TODAY)},
        headers=phn,
    ).get_json()
    url = f"/visits/{made['id']}"
    later = TODAY + timedelta(days=5)
    resp = phn_page.post(url, data={"action": "manage", "asha_id": asha2.id,
                                    "scheduled_on": str(later)})  # fmt: skip
    assert resp.status_code == 302
    moved = client.get("/api/v1/visits", headers=token_for(client, asha2)).get_json()["items"]
    assert [(v["id"], v["scheduled_on"]) for v in moved] == [(made["id"], str(later))]
    assert client.get("/api/v1/visits", headers=token_for(client, asha1)).get_json()["total"] == 0
    past = phn_page.post(url, data={"action": "manage", "asha_id": asha2.id,
                                    "scheduled_on": str(TODAY - timedelta(days=1))})  # fmt: skip
    assert "In the past" in past.get_data(as_text=True)
    # an ASHA may not move it, only record what happened
    resp = client.patch(f"/api/v1/visits/{made['id']}", json={"scheduled_on": str(later)},
                        headers=token_for(client, asha2))  # fmt: skip
    assert resp.status_code == 403
    resp = phn_page.post(url, data={"status": "cancelled", "notes": "Moved to daughter's home"})
    assert resp.status_code == 302
    done = client.get("/api/v1/visits?status=cancelled", headers=phn).get_json()["items"]
    assert [v["id"] for v in done] == [made["id"]]
