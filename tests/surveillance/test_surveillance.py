"""Case reporting, detection from the database, the alert workflow, the IDSP reports."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from hub.extensions import db
from hub.surveillance import services
from hub.surveillance.models import DiseaseCase, OutbreakAlert
from tests.conftest import token_for

TODAY = date.today()


def add(app, condition, area, day, count=1, form="P"):
    with app.app_context():
        db.session.add(
            DiseaseCase(form=form, condition=condition, area=area, onset_date=day, count=count)
        )
        db.session.commit()


def test_case_reporting_validation(client, account):
    headers = token_for(client, account("jhi"))
    ok = client.post(
        "/api/v1/surveillance/cases",
        headers=headers,
        json={
            "form": "L",
            "disease": "dengue",
            "area": "Ward 3",
            "onset_date": TODAY.isoformat(),
            "age_years": 34,
            "sex": "female",
            "lab_test": "NS1 ELISA",
            "lab_result": "positive",
        },
    )
    assert ok.status_code == 201 and ok.get_json()["week"].startswith(str(TODAY.year)[:2])
    bad = client.post(
        "/api/v1/surveillance/cases",
        headers=headers,
        json={"form": "L", "disease": "fever", "area": "", "onset_date": "2999-01-01"},
    )
    assert bad.status_code == 400
    assert {"condition", "area", "onset_date"} <= set(bad.get_json()["fields"])
    afp = client.post(
        "/api/v1/surveillance/cases",
        headers=headers,
        json={
            "form": "P",
            "disease": "afp",
            "area": "Ward 1",
            "onset_date": TODAY.isoformat(),
            "age_years": 30,
        },
    )
    assert afp.status_code == 400 and "age_years" in afp.get_json()["fields"]
    lab = client.post(
        "/api/v1/surveillance/cases",
        headers=headers,
        json={"form": "L", "disease": "malaria", "area": "Ward 1", "onset_date": TODAY.isoformat()},
    )
    assert lab.status_code == 400 and "lab_test" in lab.get_json()["fields"]
    asha = token_for(client, account("asha"))
    assert client.post("/api/v1/surveillance/cases", headers=asha, json={}).status_code == 403


def test_detection_flags_the_outbreak_day_and_any_measles_case(app, runner):
    start = TODAY - timedelta(days=40)
    for i in range(41):  # a steady 2-4 cases a day of ADD in Ward 5
        add(app, "add", "Ward 5", start + timedelta(days=i), 2 + i % 3)
        add(app, "add", "Ward 6", start + timedelta(days=i), 3)  # flat
    outbreak_day = TODAY - timedelta(days=2)
    add(app, "add", "Ward 5", outbreak_day, 20)
    add(app, "measles", "Ward 9", TODAY - timedelta(days=1))
    result = runner.invoke(args=["jobs", "run", "outbreak-detection"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        alerts = db.session.scalars(db.select(OutbreakAlert)).all()
        found = {(a.condition, a.area, a.day, a.method) for a in alerts}
    assert ("add", "Ward 5", outbreak_day, "C1") in found
    assert ("add", "Ward 5", outbreak_day, "C2") in found
    assert ("measles", "Ward 9", TODAY - timedelta(days=1), "threshold") in found
    assert not any(area == "Ward 6" for _, area, _, _ in found)  # flat: nothing
    assert all(day >= outbreak_day for c, a, day, _ in found if a == "Ward 5")
    # a second run raises nothing new
    with app.app_context():
        assert services.run_detection() == []


def test_alert_workflow(app, client, account):
    add(app, "diphtheria", "Ward 2", TODAY)
    with app.app_context():
        services.run_detection()
        alert_id = db.session.scalar(db.select(OutbreakAlert.id))
    jhi = token_for(client, account("jhi"))
    url = f"/api/v1/surveillance/alerts/{alert_id}"
    assert client.patch(url, headers=jhi, json={"status": "closed"}).status_code == 400
    assert (
        client.patch(
            url, headers=jhi, json={"status": "investigating", "note": "Team sent"}
        ).status_code
        == 200
    )
    assert client.patch(url, headers=jhi, json={"status": "confirmed"}).status_code == 200
    body = client.patch(url, headers=jhi, json={"status": "closed", "note": "Contained"})
    assert body.get_json()["status"] == "closed"
    phn = token_for(client, account("phn"))
    assert client.patch(url, headers=phn, json={"status": "closed"}).status_code == 403
    listed = client.get("/api/v1/surveillance/alerts?status=closed", headers=phn).get_json()
    assert [a["id"] for a in listed["items"]] == [alert_id]


def test_idsp_report_csv_and_pdf(app, client, account):
    monday = services.week_start(TODAY) - timedelta(days=7)
    add(app, "dengue", "Ward 1", monday + timedelta(days=1), 3)
    add(app, "dengue", "Ward 2", monday + timedelta(days=6), 2)
    add(app, "fever", "Ward 1", monday, 7, form="S")
    add(app, "dengue", "Ward 1", monday - timedelta(days=1), 50)  # the week before
    jhi = token_for(client, account("jhi"))
    from tests.conftest import login  # noqa: F401

    with app.test_request_context():
        services.report_weekly(
            form="P", condition="malaria", area="Ward 4", week=monday, count=4, reporter_id=None
        )
    week = services.week_label(monday)
    csv_resp = client.get(f"/api/v1/reports/idsp?week={week}&format=csv", headers=jhi)
    assert csv_resp.status_code == 200
    rows = {
        tuple(line.split(",")[2:4]): line.split(",")[-1]
        for line in csv_resp.get_data(as_text=True).strip().splitlines()[1:]
    }
    assert rows[("P", "dengue")] == "5" and rows[("S", "fever")] == "7"
    assert rows[("P", "malaria")] == "4" and rows[("P", "measles")] == "0"
    ward1 = client.get(f"/api/v1/reports/idsp?week={week}&format=csv&area=Ward 1", headers=jhi)
    assert ",P,dengue,Dengue,3" in ward1.get_data(as_text=True)
    pdf = client.get(f"/api/v1/reports/idsp?week={week}&format=pdf", headers=jhi)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.data)).pages
    )
    assert f"IDSP weekly report {week}" in text
    assert "Dengue 5" in text and "Fever 7" in text
    pharmacist = token_for(client, account("pharmacist"))
    assert client.get(f"/api/v1/reports/idsp?week={week}", headers=pharmacist).status_code == 403


def test_scheduled_reports_are_kept_and_served_to_owners(app, runner, logged_in):
    assert runner.invoke(args=["jobs", "run", "idsp-weekly-report"]).exit_code == 0
    assert runner.invoke(args=["jobs", "run", "attendance-monthly-report"]).exit_code == 0
    jhi, _ = logged_in("jhi")
    page = jhi.get("/surveillance/reports").get_data(as_text=True)
    assert page.count("idsp-weekly") == 2 and "attendance-monthly" not in page
    admin, _ = logged_in("admin")
    page = admin.get("/surveillance/reports").get_data(as_text=True)
    assert "attendance-monthly" in page
    from hub.surveillance.models import GeneratedReport

    with app.app_context():
        monthly = db.session.scalar(
            db.select(GeneratedReport.id).where(GeneratedReport.kind == "attendance-monthly")
        )
    assert jhi.get(f"/surveillance/reports/{monthly}/file").status_code == 403
    got = admin.get(f"/surveillance/reports/{monthly}/file")
    assert got.status_code == 200 and got.data.startswith(b"staff_id,name")
    got.close()


@pytest.mark.parametrize("week", ["2026-W99", "last week"])
def test_bad_week(client, account, week):
    jhi = token_for(client, account("jhi"))
    assert client.get(f"/api/v1/reports/idsp?week={week}", headers=jhi).status_code == 400
