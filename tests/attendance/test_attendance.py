"""Daily records, flags, corrections, who sees whom, monthly report and CSV."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub.attendance.models import AttendanceEvent
from hub.audit.models import AuditEntry
from hub.extensions import db
from tests.conftest import token_for

IST = ZoneInfo("Asia/Kolkata")
DAY = date(2026, 11, 16)  # a Monday, in the past


def add_event(app, acc, local_time: time, *, day: date = DAY, direction="auto", device="kiosk-1"):
    at = datetime.combine(day, local_time, IST).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    with app.app_context():
        db.session.add(
            AttendanceEvent(
                event_id=str(uuid.uuid4()),
                device_id=device,
                seq=1,
                captured_at=at,
                staff_id=acc.staff_code,
                user_id=acc.id,
                direction=direction,
                score=0.7,
                liveness=0.9,
                model="dlib-resnet-v1",
                payload_sha256="0" * 64,
            )
        )
        db.session.commit()


@pytest.fixture
def staff(app, account):
    people = {
        "doctor": account("doctor"),
        "phn": account("phn"),
        "asha": account("asha"),
        "asha2": account("asha"),
        "jhi": account("jhi"),
    }
    add_event(app, people["asha"], time(8, 55))
    add_event(app, people["asha"], time(13, 0))
    add_event(app, people["asha"], time(17, 5))
    add_event(app, people["jhi"], time(9, 40))  # late, and never clocked out
    add_event(app, people["phn"], time(9, 5))
    add_event(app, people["phn"], time(16, 30))
    return people


def records(client, headers, day=DAY, staff_id=None):
    url = f"/api/v1/attendance?date={day.isoformat()}"
    if staff_id:
        url += f"&staff_id={staff_id}"
    resp = client.get(url, headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return {r["staff_id"]: r for r in resp.get_json()["items"]}


def test_daily_records_and_flags(client, staff, account):
    seen = records(client, token_for(client, account("admin")))
    asha = seen[staff["asha"].staff_code]
    assert asha["first_in"].startswith("2026-11-16T08:55") and asha["last_out"][11:16] == "17:05"
    assert asha["hours"] == pytest.approx(8.17, abs=0.01)
    assert not asha["late"] and not asha["missing_clock_out"] and asha["events"] == 3
    jhi = seen[staff["jhi"].staff_code]
    assert jhi["late"] and jhi["missing_clock_out"] and jhi["last_out"] is None
    phn = seen[staff["phn"].staff_code]
    assert not phn["late"] and phn["hours"] == pytest.approx(7.42, abs=0.01)
    absent = seen[staff["asha2"].staff_code]
    assert absent["first_in"] is None and not absent["late"]


def test_explicit_directions(app, client, account):
    nurse = account("phn")
    add_event(app, nurse, time(8, 50), direction="in")
    add_event(app, nurse, time(12, 0), direction="out")  # lunch
    add_event(app, nurse, time(12, 40), direction="in")
    add_event(app, nurse, time(17, 10), direction="out")
    add_event(app, nurse, time(17, 20), direction="in")  # came back for a file
    rec = records(client, token_for(client, nurse))[nurse.staff_code]
    assert rec["first_in"][11:16] == "08:50" and rec["last_out"][11:16] == "17:10"


def test_who_sees_whom(client, staff, account):
    codes = {k: v.staff_code for k, v in staff.items()}
    everyone = set(codes.values())
    assert set(records(client, token_for(client, staff["doctor"]))) == everyone
    assert set(records(client, token_for(client, staff["phn"]))) == {
        codes["phn"],
        codes["asha"],
        codes["asha2"],
    }
    assert set(records(client, token_for(client, staff["asha"]))) == {codes["asha"]}
    headers = token_for(client, staff["asha"])
    resp = client.get(
        f"/api/v1/attendance?date=2026-11-16&staff_id={codes['jhi']}", headers=headers
    )
    assert resp.status_code == 403
    patient = token_for(client, account("patient"))
    assert client.get("/api/v1/attendance", headers=patient).status_code == 403
    assert client.get("/api/v1/attendance?date=16-11-2026", headers=headers).status_code == 400


def test_admin_correction_is_applied_and_audited(app, staff, logged_in, client):
    admin, _ = logged_in("admin")
    code = staff["jhi"].staff_code
    resp = admin.post(
        "/attendance/corrections",
        data={
            "staff_id": code,
            "day": DAY.isoformat(),
            "first_in": "09:00",
            "last_out": "17:00",
            "reason": "Kiosk camera was covered in the morning",
        },
    )
    assert resp.status_code == 302
    rec = records(admin, {}, staff_id=code)[code]
    assert rec["corrected"] and rec["first_in"][11:16] == "09:00" and not rec["late"]
    assert rec["last_out"][11:16] == "17:00" and not rec["missing_clock_out"]
    with app.app_context():
        entry = db.session.scalar(
            db.select(AuditEntry).where(AuditEntry.action == "attendance.correct")
        )
        assert entry.target_user_id == staff["jhi"].id and "covered" in entry.detail
    # without a reason nothing changes
    admin.post(
        "/attendance/corrections",
        data={"staff_id": code, "day": DAY.isoformat(), "first_in": "10:00", "reason": ""},
    )
    assert records(admin, {}, staff_id=code)[code]["first_in"][11:16] == "09:00"
    nurse = app.test_client()
    from tests.conftest import login

    login(nurse, staff["phn"])
    assert nurse.post("/attendance/corrections", data={}).status_code == 403


def test_monthly_report_chart_and_csv(app, staff, logged_in):
    add_event(app, staff["asha"], time(9, 30), day=DAY + timedelta(days=1))
    c, _ = logged_in("admin")
    page = c.get("/attendance/monthly?month=2026-11").get_data(as_text=True)
    assert "<svg" in page and "Staff present per day" in page
    assert "16: 3" in page and "17: 1" in page  # bar titles: day: staff present
    csv_text = c.get("/attendance/monthly.csv?month=2026-11").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("staff_id,name,role,date,first_in")
    assert len(lines) == 1 + 30 * 5  # 5 staff members (admins have no attendance) x 30 days
    asha_17 = [
        row for row in lines if row.startswith(staff["asha"].staff_code) and ",2026-11-17," in row
    ]
    assert asha_17 and ",09:30,," in asha_17[0] and ",1,1,0," in asha_17[0]  # late, no out
