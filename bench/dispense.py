"""Benchmark: dispensing with 4 concurrent pharmacists, and a 10-year history page.

Seeds a pharmacy (20 medicines, 5 batches each) and a queue of prescriptions (1-3 items,
most of them for the five commonest medicines, so pharmacists contend for the same
batches), serves the hub under gunicorn, and lets 4 pharmacists (threads, own logins)
dispense the whole queue through ``POST /api/v1/prescriptions/{id}/dispense``. Then checks
that the ledger matches the shelf and nothing went below zero.

Then seeds one patient with 10 years of records (monthly consultations and prescriptions,
what was dispensed, the child and adult vaccinations, growth, home visits, lab reports)
and times the doctor's history page and API. Target (issue 6): under 200 ms.

    .venv/bin/python bench/dispense.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._common import percentile, progress, start_hub, summary_ms  # noqa: E402

PASSWORD = "bench-password"


def seed(url: str, prescriptions: int) -> tuple[list[int], str]:
    os.environ["SMARTCARE_DATABASE_URL"] = url
    from hub import create_app
    from hub.auth.models import User
    from hub.auth.services import hash_password
    from hub.clinic.models import Consultation, Prescription, PrescriptionItem
    from hub.extensions import db
    from hub.growth.models import GrowthMeasurement
    from hub.labs.models import LabReport
    from hub.patients import health_id as hid
    from hub.patients.models import Patient
    from hub.pharmacy.models import RECEIPT, Medicine, StockBatch, StockMovement
    from hub.vaccination.models import Beneficiary, Immunization
    from hub.visits.models import Visit

    app = create_app()
    rng = random.Random(5)
    today = date.today()
    with app.app_context():
        db.drop_all()
        db.create_all()
        pw = hash_password(PASSWORD)
        for role, n in (("pharmacist", 4), ("doctor", 1)):
            for i in range(n):
                db.session.add(
                    User(
                        email=f"{role}{i}@bench.smartcare",
                        role=role,
                        status="active",
                        name=f"{role} {i}",
                        password_hash=pw,
                        session_version=1,
                    )
                )
        db.session.commit()
        doctor_id = db.session.scalar(db.select(User.id).where(User.role == "doctor"))
        meds = []
        for i in range(20):
            m = Medicine(
                name=f"Medicine {i:02d}", strength="500 mg", form="tablet", reorder_level=100
            )
            db.session.add(m)
            db.session.flush()
            meds.append(m.id)
            for b in range(5):
                batch = StockBatch(
                    medicine_id=m.id,
                    batch_no=f"B{b}",
                    expiry=today + timedelta(days=60 + 90 * b),
                    quantity_received=100_000,
                    on_hand=100_000,
                    received_on=today,
                )
                db.session.add(batch)
                db.session.flush()
                db.session.add(
                    StockMovement(
                        medicine_id=m.id,
                        batch_id=batch.id,
                        change=100_000,
                        kind=RECEIPT,
                        reason="bench",
                    )
                )
        db.session.commit()
        # patients and the queue
        people = []
        for n in range(200):
            p = Patient(
                health_id=hid.generate(),
                name=f"Patient {n}",
                sex="female",
                date_of_birth=date(1980, 1, 1) + timedelta(days=n * 37),
            )
            db.session.add(p)
            people.append(p)
        db.session.flush()
        ids = []
        for n in range(prescriptions):
            rx = Prescription(patient_id=rng.choice(people).id, doctor_id=doctor_id)
            db.session.add(rx)
            db.session.flush()
            chosen = rng.sample(meds[:5], 1) + rng.sample(meds[5:], rng.randint(0, 2))
            for med in chosen:
                db.session.add(
                    PrescriptionItem(
                        prescription_id=rx.id,
                        medicine_id=med,
                        dose="500 mg",
                        frequency="1-0-1",
                        days=5,
                        quantity=10,
                    )
                )
            ids.append(rx.id)
            if n % 500 == 499:
                db.session.commit()
                progress("seeding prescriptions", n + 1, prescriptions)
        db.session.commit()

        # ten years of one patient's records
        p = Patient(
            health_id=hid.generate(),
            name="Ten Years",
            sex="female",
            date_of_birth=today - timedelta(days=365 * 10 + 3),
            area="Ward 1",
            allergies="sulfa",
        )
        db.session.add(p)
        db.session.flush()
        start = today - timedelta(days=365 * 10)
        for month in range(120):
            at = datetime.combine(start + timedelta(days=30 * month + 1), datetime.min.time())
            c = Consultation(
                patient_id=p.id,
                doctor_id=doctor_id,
                complaint="Fever and cough",
                diagnosis="Acute upper respiratory infection",
                icd10="J06.9",
                created_at=at,
            )
            db.session.add(c)
            db.session.flush()
            rx = Prescription(
                patient_id=p.id,
                doctor_id=doctor_id,
                consultation_id=c.id,
                status="dispensed",
                created_at=at,
            )
            db.session.add(rx)
            db.session.flush()
            for med in rng.sample(meds[5:], 3):
                item = PrescriptionItem(
                    prescription_id=rx.id,
                    medicine_id=med,
                    dose="5 ml",
                    frequency="TDS",
                    days=5,
                    quantity=15,
                    dispensed=15,
                )
                db.session.add(item)
                db.session.flush()
                batch_id = db.session.scalar(
                    db.select(StockBatch.id).where(StockBatch.medicine_id == med).limit(1)
                )
                db.session.add(
                    StockMovement(
                        medicine_id=med,
                        batch_id=batch_id,
                        change=-15,
                        kind="dispense",
                        reason=f"prescription {rx.id}",
                        prescription_item_id=item.id,
                        at=at,
                    )
                )
                db.session.execute(
                    db.update(StockBatch)
                    .where(StockBatch.id == batch_id)
                    .values(on_hand=StockBatch.on_hand - 15)
                )
            db.session.add(
                Visit(
                    patient_id=p.id,
                    kind="bedridden",
                    purpose="Home visit",
                    scheduled_on=at.date(),
                    status="done",
                    visited_on=at.date(),
                    notes="Well",
                )
            )
            if month % 2 == 0:
                db.session.add(
                    GrowthMeasurement(
                        patient_id=p.id,
                        measured_on=at.date(),
                        age_days=(at.date() - p.date_of_birth).days,
                        weight_kg=10 + month / 10,
                        flags="",
                    )
                )
            if month % 6 == 0:
                db.session.add(
                    LabReport(
                        patient_id=p.id,
                        title="Haemogram",
                        report_date=at.date(),
                        stored_name=f"x{month}",
                        original_name="r.pdf",
                        mime_type="application/pdf",
                        sha256="0" * 64,
                        size_bytes=1000,
                    )
                )
        ben = Beneficiary(patient_id=p.id, group="child", anchor_on=p.date_of_birth)
        db.session.add(ben)
        db.session.flush()
        from hub.vaccination import schedule

        for spec in schedule.load().for_group(schedule.CHILD):
            on = p.date_of_birth + schedule.parse_age(spec.due)
            if on <= today and not spec.endemic:
                db.session.add(
                    Immunization(
                        beneficiary_id=ben.id,
                        patient_id=p.id,
                        vaccine=spec.vaccine,
                        dose=spec.code,
                        given_on=on,
                        batch="V",
                        site="PHC",
                    )
                )
        db.session.commit()
        history_id = p.health_id
        db.engine.dispose()
    return ids, history_id


def login(base: str, email: str) -> requests.Session:
    s = requests.Session()
    token = requests.post(
        f"{base}/api/v1/auth/login", timeout=30, json={"email": email, "password": PASSWORD}
    ).json()["token"]
    s.headers["Authorization"] = f"Bearer {token}"
    return s


def dispense_all(base: str, ids: list[int], pharmacists: int):
    queue = list(ids)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    units = [0]

    def worker(n: int) -> None:
        s = login(base, f"pharmacist{n}@bench.smartcare")
        while True:
            with lock:
                if not queue:
                    return
                rx_id = queue.pop(0)
            rx = s.get(f"{base}/api/v1/prescriptions/{rx_id}", timeout=30).json()
            body = {
                "items": [
                    {"item_id": i["item_id"], "quantity": i["remaining"]} for i in rx["items"]
                ]
            }
            t0 = time.perf_counter()
            resp = s.post(f"{base}/api/v1/prescriptions/{rx_id}/dispense", json=body, timeout=60)
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                if resp.status_code != 200:
                    errors.append(f"{rx_id}: {resp.status_code} {resp.text[:100]}")
                else:
                    units[0] += sum(d["dispensed"] for d in resp.json()["dispensed"])
                if len(latencies) % 100 == 0:
                    progress("dispensing", len(latencies), len(ids))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(pharmacists)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, units[0], time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp folder")
    parser.add_argument("--prescriptions", type=int, default=2000)
    parser.add_argument("--pharmacists", type=int, default=4)
    parser.add_argument("--history-requests", type=int, default=50)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="smartcare-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    ids, history_id = seed(url, args.prescriptions)
    server, base = start_hub(url, tmp)
    try:
        latencies, errors, units, wall = dispense_all(base, ids, args.pharmacists)
        doctor = login(base, "doctor0@bench.smartcare")
        page = requests.Session()
        form = page.get(f"{base}/auth/login", timeout=30).text
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        page.post(
            f"{base}/auth/login",
            timeout=30,
            data={"email": "doctor0@bench.smartcare", "password": PASSWORD, "csrf_token": csrf},
        )
        timings: dict[str, list[float]] = {"history API": [], "history page": []}
        for n in range(args.history_requests):
            for label, s, path in (
                ("history API", doctor, f"/api/v1/patients/{history_id}/history"),
                ("history page", page, f"/clinic/patients/{history_id}"),
            ):
                t0 = time.perf_counter()
                resp = s.get(base + path, timeout=30)
                timings[label].append(time.perf_counter() - t0)
                assert resp.status_code == 200 and resp.url.endswith(path), (path, resp.url)
            progress("history", n + 1, args.history_requests)
        events = len(
            doctor.get(f"{base}/api/v1/patients/{history_id}/history", timeout=30).json()["events"]
        )
    finally:
        server.terminate()
        server.wait(15)

    os.environ["SMARTCARE_DATABASE_URL"] = url
    from hub import create_app
    from hub.extensions import db
    from hub.pharmacy.models import StockBatch
    from hub.pharmacy.services import ledger_mismatches

    with create_app().app_context():
        mismatches = ledger_mismatches()
        negative = db.session.scalar(
            db.select(db.func.count()).select_from(StockBatch).where(StockBatch.on_hand < 0)
        )
        db.engine.dispose()
    print(
        f"\ndispense: {len(ids)} prescriptions, {args.pharmacists} concurrent pharmacists, "
        f"gunicorn 2 workers x 4 threads, database {url.split(':')[0]}"
    )
    print(f"  dispense request       {summary_ms(latencies)}")
    print(
        f"  throughput             {len(latencies) / wall:.1f} prescriptions/s, "
        f"{units / wall:.0f} units/s over {wall:.1f} s; errors: {len(errors)}"
    )
    print(
        f"  ledger = shelf         {'yes' if not mismatches else mismatches}; "
        f"batches below zero: {negative}"
    )
    print(f"history of one patient over 10 years ({events} events):")
    for label, values in timings.items():
        print(f"  {label:<22} {summary_ms(values)}")
    worst = max(percentile(v, 95) for v in timings.values()) * 1000
    print(f"  target < 200 ms: {'MET' if worst < 200 else 'NOT MET'} (worst p95 {worst:.0f} ms)")
    for e in errors[:5]:
        print("  error:", e)


if __name__ == "__main__":
    main()
