"""Benchmark: health-ID look-up and doctor search under 8 concurrent clients.

Seeds 100,000 patients and 1,000 doctors, serves the hub with gunicorn (the production
WSGI server of ``smartcare-hub run``) and measures p50/p95 latency per request kind.
Target (issue 2): p95 under 100 ms on a 2-core machine.

    .venv/bin/python bench/web_lookup.py [--database-url URL] [--requests 4000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._common import patient_rows, percentile, progress, start_hub, summary_ms  # noqa: E402

FIRST = [
    "Anil",
    "Meera",
    "Arjun",
    "Fathima",
    "Joseph",
    "Lakshmi",
    "Ravi",
    "Suresh",
    "Anitha",
    "Kavya",
    "Rahul",
    "Divya",
    "Nisha",
    "Vinod",
    "Priya",
    "Manoj",
    "Sreeja",
    "Hari",
]
LAST = [
    "Nair",
    "Menon",
    "Pillai",
    "Rahman",
    "Thomas",
    "Kumar",
    "Devi",
    "Varghese",
    "Iyer",
    "Krishnan",
    "Das",
    "George",
    "Panicker",
    "Kurup",
    "Warrier",
    "Shenoy",
]
SPECIALISATIONS = [
    "General medicine",
    "Paediatrics",
    "Obstetrics and gynaecology",
    "Ophthalmology",
    "ENT",
    "Dermatology",
    "Community medicine",
]


def seed(database_url: str, patients: int, doctors: int) -> tuple[list[str], str]:
    """Fill the database; answers the health IDs and a doctor's login e-mail."""
    os.environ["SMARTCARE_DATABASE_URL"] = database_url
    from hub import create_app
    from hub.auth.models import User
    from hub.auth.services import hash_password
    from hub.extensions import db
    from hub.patients.models import Patient
    from hub.staff.models import StaffProfile

    app = create_app()
    rng = random.Random(7)
    with app.app_context():
        db.drop_all()
        db.create_all()
        password_hash = hash_password("bench-password")
        users = [
            {
                "email": f"doctor{i}@bench.smartcare",
                "role": "doctor",
                "status": "active",
                "name": f"Dr. {rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                "password_hash": password_hash,
                "session_version": 1,
            }
            for i in range(doctors)
        ]
        db.session.execute(db.insert(User), users)
        ids = db.session.scalars(db.select(User.id).order_by(User.id)).all()
        db.session.execute(
            db.insert(StaffProfile),
            [
                {
                    "user_id": uid,
                    "staff_code": f"DOCTOR-{n:05d}",
                    "specialisation": rng.choice(SPECIALISATIONS),
                    "consultation_hours": "Mon-Sat 09:00-13:00",
                }
                for n, uid in enumerate(ids)
            ],
        )
        db.session.commit()
        health_ids: set[str] = set()
        batch = 5000
        for start in range(0, patients, batch):
            rows = patient_rows(
                rng, min(batch, patients - start), health_ids,
                name=lambda r: f"{r.choice(FIRST)} {r.choice(LAST)}", max_age_days=90 * 365,
                areas=40,
            )  # fmt: skip
            db.session.execute(db.insert(Patient), rows)
            db.session.commit()
            progress("seeding patients", start + len(rows), patients)
        db.engine.dispose()
    return sorted(health_ids), "doctor0@bench.smartcare"


def run_clients(base: str, token: str, health_ids: list[str], total: int, clients: int):
    latencies: dict[str, list[float]] = {"health-id look-up": [], "doctor search": []}
    errors: list[str] = []
    lock = threading.Lock()
    done = [0]
    queries = [f"{a[:3].lower()}" for a in FIRST + LAST]

    def worker(seed_: int) -> None:
        rng = random.Random(seed_)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        for _ in range(total // clients):
            if rng.random() < 0.5:
                kind = "health-id look-up"
                value = rng.choice(health_ids)
                url = f"{base}/api/v1/patients/{value[:2]}-{value[2:6]}-{value[6:10]}-{value[10:]}"
            else:
                kind = "doctor search"
                url = f"{base}/api/v1/doctors?q={rng.choice(queries)}"
            t0 = time.perf_counter()
            resp = session.get(url, timeout=30)
            elapsed = time.perf_counter() - t0
            with lock:
                if resp.status_code != 200:
                    errors.append(f"{url} -> {resp.status_code}")
                latencies[kind].append(elapsed)
                done[0] += 1
                if done[0] % 200 == 0:
                    progress("requests", done[0], total)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file in a temporary folder"
    )
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--doctors", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=4_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="smartcare-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    health_ids, doctor_email = seed(url, args.patients, args.doctors)
    server, base = start_hub(url, tmp, args.workers, args.threads)
    try:
        token = requests.post(
            f"{base}/api/v1/auth/login",
            timeout=30,
            json={"email": doctor_email, "password": "bench-password"},
        ).json()["token"]
        # warm-up: every worker process connects and loads its caches
        for value in health_ids[:50]:
            requests.get(
                f"{base}/api/v1/patients/{value}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
        latencies, errors, wall = run_clients(base, token, health_ids, args.requests, args.clients)
    finally:
        server.terminate()
        server.wait(15)
    print(
        f"\nweb_lookup: {args.patients} patients, {args.doctors} doctors, "
        f"{args.clients} concurrent clients, gunicorn {args.workers} workers x "
        f"{args.threads} threads, database {url.split(':')[0]}"
    )
    for kind, values in latencies.items():
        print(f"  {kind:<18} {summary_ms(values)}")
    n = sum(len(v) for v in latencies.values())
    print(
        f"  throughput         {n / wall:.0f} requests/s over {wall:.1f} s; errors: {len(errors)}"
    )
    worst = max(percentile(v, 95) for v in latencies.values()) * 1000
    print(
        f"  target p95 < 100 ms: {'MET' if worst < 100 else 'NOT MET'} (worst p95 {worst:.1f} ms)"
    )
    if errors:
        print("  first errors:", errors[:5])
        sys.exit(1)


if __name__ == "__main__":
    main()
