"""Benchmark: the vaccination coverage dashboard's data for a district.

Seeds 50,000 children (born over the last 5 years, in 40 areas) registered for the UIP
schedule and 500,000 doses given to them in schedule order, then times the dashboard's
data: ``GET /api/v1/vaccination/coverage`` for the whole district (every dose, by area
and by birth cohort), and for one area. Target (issue 5): under 300 ms on this machine.

    .venv/bin/python bench/coverage.py [--database-url URL] [--children 50000] [--doses 500000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._common import patient_rows, percentile, progress, summary_ms  # noqa: E402


def seed(app, children: int, doses: int, areas: int) -> None:
    from hub.auth.models import User
    from hub.auth.services import hash_password
    from hub.extensions import db
    from hub.patients.models import Patient
    from hub.vaccination import schedule
    from hub.vaccination.models import Beneficiary, Immunization

    rng = random.Random(11)
    today = date.today()
    specs = [s for s in schedule.load().for_group(schedule.CHILD) if not s.endemic]
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.add(
            User(email="phn@bench.smartcare", role="phn", status="active", name="Bench PHN",
                 password_hash=hash_password("bench-password"), session_version=1)
        )  # fmt: skip
        db.session.commit()
        # each child gets the doses due by today in schedule order, until the total is met
        per_child = doses / children
        batch = 5000
        made_doses = 0
        seen: set[str] = set()
        for start in range(0, children, batch):
            n = min(batch, children - start)
            rows = patient_rows(
                rng, n, seen, name=lambda r: f"Child {len(seen)}", max_age_days=5 * 365,
                areas=areas,
            )  # fmt: skip
            db.session.execute(db.insert(Patient), rows)
            got = db.session.execute(
                db.select(Patient.id, Patient.date_of_birth).where(
                    Patient.health_id.in_([r["health_id"] for r in rows])
                )
            ).all()
            db.session.execute(
                db.insert(Beneficiary),
                [
                    {"patient_id": pid, "group": "child", "anchor_on": dob, "active": True}
                    for pid, dob in got
                ],  # fmt: skip
            )
            bens = dict(
                db.session.execute(
                    db.select(Beneficiary.patient_id, Beneficiary.id).where(
                        Beneficiary.patient_id.in_([pid for pid, _ in got])
                    )
                ).all()
            )
            imms = []
            masks = {}
            for pid, dob in got:
                budget = min(len(specs), round(rng.gauss(per_child + 0.4, 3)))
                masks[bens[pid]] = 0
                for s in specs[: max(budget, 0)]:
                    on = dob + schedule.parse_age(s.due)
                    if on > today or made_doses + len(imms) >= doses:
                        break
                    masks[bens[pid]] |= 1 << s.bit
                    imms.append(
                        {"beneficiary_id": bens[pid], "patient_id": pid, "vaccine": s.vaccine,
                         "dose": s.code, "given_on": on, "batch": "B", "site": "PHC"}
                    )  # fmt: skip
            db.session.execute(db.insert(Immunization), imms)
            db.session.execute(
                db.update(Beneficiary),
                [{"id": bid, "given_mask": m} for bid, m in masks.items() if m],
            )
            db.session.commit()
            made_doses += len(imms)
            progress("seeding children", start + n, children)
        print(f"  {children} children, {made_doses} doses", file=sys.stderr)
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp folder")
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--doses", type=int, default=500_000)
    parser.add_argument("--areas", type=int, default=40)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="smartcare-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    os.environ["SMARTCARE_DATABASE_URL"] = url
    os.environ.setdefault("SMARTCARE_SECRET_KEY", "bench")
    from hub import create_app
    from hub.extensions import db
    from hub.vaccination.models import Immunization

    app = create_app({"UPLOAD_DIR": str(tmp / "uploads")})
    seed(app, args.children, args.doses, args.areas)
    with app.app_context():
        n_doses = db.session.scalar(db.select(db.func.count()).select_from(Immunization))
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/login", json={"email": "phn@bench.smartcare", "password": "bench-password"}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    results = {}
    for label, query in (("district (all areas)", ""), ("one area", "?area=Ward%207")):
        client.get(f"/api/v1/vaccination/coverage{query}", headers=headers).close()  # warm
        times = []
        for i in range(args.runs):
            t0 = time.perf_counter()
            resp = client.get(f"/api/v1/vaccination/coverage{query}", headers=headers)
            body = resp.get_json()
            times.append(time.perf_counter() - t0)
            assert resp.status_code == 200 and body["children"] > 0
            progress(label, i + 1, args.runs)
        results[label] = times
    # the due/overdue/defaulter list applies the schedule child by child (not a target)
    due_times = {}
    for label, query in (("one area", "?area=Ward%207"), ("district (all areas)", "")):
        t0 = time.perf_counter()
        resp = client.get(f"/api/v1/vaccination/due{query}", headers=headers)
        due_times[label] = (time.perf_counter() - t0, resp.get_json()["total"])
    bcg = next(d for d in body["doses"] if d["dose"] == "bcg")
    print(
        f"\ncoverage: {args.children} children, {n_doses} doses, {args.areas} areas, "
        f"database {url.split(':')[0]}; GET /api/v1/vaccination/coverage (every child dose, "
        "by area and by birth cohort)"
    )
    for label, times in results.items():
        print(f"  {label:<22} {summary_ms(times)}")
    print(f"  sanity: BCG {bcg['given']}/{bcg['eligible']} in Ward 7")
    for label, (seconds, total) in due_times.items():
        print(f"  due list, {label:<20} {seconds * 1000:.0f} ms ({total} beneficiaries listed)")
    worst = max(percentile(t, 95) for t in results.values()) * 1000
    print(f"  target < 300 ms: {'MET' if worst < 300 else 'NOT MET'} (worst p95 {worst:.0f} ms)")


if __name__ == "__main__":
    main()
