"""Benchmark: outbreak detection over two years of daily counts for 30 diseases in 200
areas (6,000 series x 730 days), through the database like the scheduled job.

Target (issue 7): the whole detection run in under 5 s on this machine.

    .venv/bin/python bench/outbreaks.py [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._common import progress  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--diseases", type=int, default=30)
    parser.add_argument("--areas", type=int, default=200)
    parser.add_argument("--days", type=int, default=730)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="smartcare-outbreaks-"))
    os.environ["SMARTCARE_DATABASE_URL"] = args.database_url or f"sqlite:///{tmp / 'b.db'}"
    from hub import create_app
    from hub.extensions import db
    from hub.surveillance import diseases, services
    from hub.surveillance.ears import ears
    from hub.surveillance.models import DiseaseCase

    app = create_app()
    codes = list(diseases.DISEASES)[: args.diseases]
    codes += [f"extra-{i}" for i in range(args.diseases - len(codes))]
    end = date.today()
    start = end - timedelta(days=args.days - 1)
    rng = np.random.default_rng(3)
    rates = rng.uniform(0.05, 2.0, size=(len(codes), args.areas))
    with app.app_context():
        db.drop_all()
        db.create_all()
        rows = 0
        for d, code in enumerate(codes):
            counts = rng.poisson(rates[d][:, None], size=(args.areas, args.days))
            a_idx, t_idx = np.nonzero(counts)
            batch = [
                {
                    "form": "P",
                    "condition": code,
                    "area": f"Area {a:03d}",
                    "onset_date": start + timedelta(days=int(t)),
                    "count": int(counts[a, t]),
                }
                for a, t in zip(a_idx.tolist(), t_idx.tolist(), strict=True)
            ]
            db.session.execute(db.insert(DiseaseCase), batch)
            db.session.commit()
            rows += len(batch)
            progress("seeding daily counts", d + 1, len(codes))
        t0 = time.perf_counter()
        keys, matrix = services.daily_matrix(start, end)
        t1 = time.perf_counter()
        result = ears(matrix)  # C1, C2, C3 for every series on every day of the two years
        alarms = int(result.c1_alarm.sum() + result.c2_alarm.sum() + result.c3_alarm.sum())
        findings = services.detect(
            keys, matrix, start, matrix.shape[1] - 7, threshold=3.0, min_sd=1.0, c3_threshold=2.0
        )
        t2 = time.perf_counter()
        created = services.run_detection(end)
        t3 = time.perf_counter()
    print(
        f"\noutbreaks: {len(codes)} diseases x {args.areas} areas x {args.days} days "
        f"({len(keys)} series, {rows} rows of daily counts)"
    )
    print(
        f"  full two-year run: load and sum {t1 - t0:.2f} s + EARS C1/C2/C3 on every day "
        f"and the last week's findings {t2 - t1:.2f} s = {t2 - t0:.2f} s "
        f"({alarms} alarms over two years, {len(findings)} in the last week)"
    )
    print(
        f"  the daily job (last 60 days, alerts written): {t3 - t2:.2f} s ({len(created)} alerts)"
    )
    print(
        f"  target < 5 s: daily job {'MET' if t3 - t2 < 5 else 'NOT MET'}; full two-year "
        f"re-analysis {'MET' if t2 - t0 < 5 else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
