"""Surveillance rules: case reporting, the daily outbreak detection, the alert workflow,
the weekly IDSP S/P/L report."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from flask import current_app
from sqlalchemy import func

from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.patients import health_id as hid
from hub.surveillance import diseases
from hub.surveillance.ears import ears
from hub.surveillance.models import (
    ALERT_STATUSES,
    AlertNote,
    DiseaseCase,
    OutbreakAlert,
    WeeklyCount,
)

#: The alert workflow: which status may follow which.
ALERT_FLOW = {
    "new": ("investigating", "discarded"),
    "investigating": ("confirmed", "discarded"),
    "confirmed": ("closed",),
    "discarded": ("closed",),
    "closed": (),
}
DETECTION_DAYS = 60
#: C2 needs 7 baseline days and 2 guard days before the first day it judges.
BASELINE_DAYS_NEEDED = 9


def week_start(day: date) -> date:
    """Reporting weeks run Monday to Sunday."""
    return day - timedelta(days=day.weekday())


def parse_week(text: str) -> date:
    """``2026-W48`` -> the Monday of that ISO week."""
    try:
        year, week = text.upper().split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ServiceError(
            "Give the week as YYYY-Www, e.g. 2026-W48.", {"week": "YYYY-Www"}
        ) from None


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _check_condition(form: str, condition: str) -> dict[str, str]:
    errors = {}
    if form not in diseases.FORMS:
        errors["form"] = "Form is S, P or L."
    elif condition not in diseases.conditions_for(form):
        errors["condition"] = "Choose a syndrome." if form == "S" else "Choose a disease."
    return errors


def report_case(
    *,
    form: str,
    condition: str,
    area: str,
    onset_date: date,
    age_years: int | None,
    sex: str | None,
    health_id: str | None,
    lab_test: str | None,
    lab_result: str | None,
    reporter_id: int | None,
    count: int = 1,
) -> DiseaseCase:
    errors = _check_condition(form, condition)
    if not area or not area.strip():
        errors["area"] = "Give the ward or village."
    if onset_date > date.today():
        errors["onset_date"] = "Onset cannot be in the future."
    if age_years is not None and not 0 <= age_years <= 120:
        errors["age_years"] = "Age in years, 0 to 120."
    if sex not in (None, "female", "male", "other"):
        errors["sex"] = "female, male or other."
    if form == "L" and not (lab_test and lab_result):
        errors["lab_test"] = "A laboratory-confirmed case needs the test and its result."
    if condition == "afp" and age_years is not None and age_years >= 15:
        errors["age_years"] = "AFP is reported for children under 15."
    if count < 1:
        errors["count"] = "At least one case."
    digits = None
    if health_id:
        try:
            digits = hid.normalise(health_id)
        except hid.InvalidHealthId as exc:
            errors["health_id"] = exc.message
    if errors:
        raise ServiceError("Check the highlighted fields.", errors)
    case = DiseaseCase(
        form=form,
        condition=condition,
        area=area.strip(),
        onset_date=onset_date,
        age_years=age_years,
        sex=sex,
        health_id=digits,
        lab_test=lab_test,
        lab_result=lab_result,
        count=count,
        reported_by_id=reporter_id,
    )
    db.session.add(case)
    db.session.commit()
    return case


def report_weekly(
    *, form: str, condition: str, area: str, week: date, count: int, reporter_id: int | None
) -> WeeklyCount:
    errors = _check_condition(form, condition)
    if count < 0:
        errors["count"] = "A count cannot be negative."
    if errors:
        raise ServiceError("Check the highlighted fields.", errors)
    monday = week_start(week)
    row = db.session.scalar(
        db.select(WeeklyCount).where(
            WeeklyCount.form == form,
            WeeklyCount.condition == condition,
            WeeklyCount.area == area.strip(),
            WeeklyCount.week_start == monday,
        )
    )
    if row is None:
        row = WeeklyCount(
            form=form, condition=condition, area=area.strip(), week_start=monday, count=count
        )
        db.session.add(row)
    row.count, row.reported_by_id = count, reporter_id
    db.session.commit()
    return row


# detection
@dataclass(frozen=True)
class Finding:
    condition: str
    area: str
    day: date
    method: str
    value: float
    threshold: float
    cases: int


def daily_matrix(start: date, end: date) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Daily case counts (by onset, P and L forms) per (condition, area), ``start`` to
    ``end``. Rows come back as plain text and integers and are summed with numpy: millions
    of rows load in seconds, where a GROUP BY over them (or ORM objects) takes far longer."""
    days = (end - start).days + 1
    if db.engine.dialect.name == "postgresql":
        offset = "(onset_date - CAST({p} AS date))"
    else:
        offset = "CAST(julianday(onset_date) - julianday({p}) AS INTEGER)"
    sql = (
        f"SELECT condition || '|' || area, {offset}, count "
        "FROM disease_cases WHERE onset_date >= {p} AND onset_date <= {p} AND form != 'S'"
    )
    # the driver's own cursor: no per-row objects on top of its tuples
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    try:
        marker = "?" if db.engine.dialect.paramstyle == "qmark" else "%s"
        cursor.execute(
            sql.format(p=marker), (start.isoformat(), start.isoformat(), end.isoformat())
        )
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return [], np.zeros((0, days))
    # one comprehension per column: zip(*rows) over millions of rows is far slower
    labels = [r[0] for r in rows]
    onsets = [r[1] for r in rows]
    counts = [r[2] for r in rows]
    index: dict[str, int] = {}
    series = np.fromiter(
        (index.setdefault(k, len(index)) for k in labels), dtype=np.int64, count=len(labels)
    )
    offsets = np.fromiter(onsets, dtype=np.int64, count=len(onsets))
    matrix = np.zeros((len(index), days))
    np.add.at(matrix, (series, offsets), np.array(counts, dtype=np.float64))
    keys = [tuple(k.split("|", 1)) for k in index]
    return keys, matrix


def detect(
    keys: list[tuple[str, str]],
    matrix: np.ndarray,
    start: date,
    judge_from: int,
    *,
    threshold: float,
    min_sd: float,
    c3_threshold: float,
) -> list[Finding]:
    """EARS C1/C2/C3 on every series and the fixed thresholds, for days >= judge_from."""
    if not keys:
        return []
    result = ears(matrix, threshold=threshold, min_sd=min_sd, c3_threshold=c3_threshold)
    findings = []
    for method, stat, alarm, limit in (
        ("C1", result.c1, result.c1_alarm, threshold),
        ("C2", result.c2, result.c2_alarm, threshold),
        ("C3", result.c3, result.c3_alarm, c3_threshold),
    ):
        series, days = np.nonzero(alarm[:, judge_from:])
        days = days + judge_from
        values = np.round(stat[series, days], 3).tolist()
        cases = matrix[series, days].astype(int).tolist()
        findings += [
            Finding(keys[s][0], keys[s][1], start + timedelta(days=d), method, v, limit, n)
            for s, d, v, n in zip(series.tolist(), days.tolist(), values, cases, strict=True)
        ]
    fixed = [
        (i, diseases.ALERT_ON_ANY_CASE[c])
        for i, (c, _a) in enumerate(keys)
        if c in diseases.ALERT_ON_ANY_CASE
    ]
    for s, limit in fixed:
        for d in (np.flatnonzero(matrix[s, judge_from:] >= limit) + judge_from).tolist():
            findings.append(
                Finding(
                    keys[s][0],
                    keys[s][1],
                    start + timedelta(days=d),
                    "threshold",
                    float(matrix[s, d]),
                    float(limit),
                    int(matrix[s, d]),
                )
            )
    return findings


def run_detection(today: date | None = None, lookback_days: int = 7) -> list[OutbreakAlert]:
    """The daily job: judge the last ``lookback_days`` (late reports count too) and
    raise an alert for each new finding. Answers the alerts created."""
    today = today or date.today()
    end = today
    start = end - timedelta(days=DETECTION_DAYS - 1)
    keys, matrix = daily_matrix(start, end)
    cfg = current_app.config
    findings = detect(
        keys,
        matrix,
        start,
        DETECTION_DAYS - lookback_days,
        threshold=cfg.get("EARS_THRESHOLD", 3.0),
        min_sd=cfg.get("EARS_MIN_SD", 1.0),
        c3_threshold=cfg.get("EARS_C3_THRESHOLD", 2.0),
    )
    existing = set(
        db.session.execute(
            db.select(
                OutbreakAlert.condition, OutbreakAlert.area, OutbreakAlert.day, OutbreakAlert.method
            ).where(OutbreakAlert.day >= start)
        ).all()
    )
    created = []
    for f in findings:
        if (f.condition, f.area, f.day, f.method) in existing:
            continue
        alert = OutbreakAlert(
            condition=f.condition,
            area=f.area,
            day=f.day,
            method=f.method,
            value=f.value,
            threshold=f.threshold,
            cases=f.cases,
        )
        db.session.add(alert)
        created.append(alert)
    db.session.commit()
    return created


def update_alert(alert: OutbreakAlert, author_id: int, status: str, note: str | None) -> None:
    if status not in ALERT_STATUSES:
        raise ServiceError("Unknown status.", {"status": ", ".join(ALERT_STATUSES)})
    if status != alert.status and status not in ALERT_FLOW[alert.status]:
        allowed = ", ".join(ALERT_FLOW[alert.status]) or "nothing (closed)"
        raise ServiceError(
            f"A {alert.status} alert can move to {allowed}.", {"status": f"next: {allowed}"}
        )
    if status == alert.status and not (note and note.strip()):
        raise ServiceError("Change the status or write a note.", {"note": "Write a note."})
    db.session.add(
        AlertNote(
            alert_id=alert.id,
            author_id=author_id,
            status_from=alert.status,
            status_to=status,
            text=(note or "").strip() or None,
        )
    )
    alert.status = status
    db.session.commit()


# reports
def idsp_counts(monday: date, area: str | None) -> dict[tuple[str, str], int]:
    """(form, condition) -> cases for the week (individual cases and weekly bulk counts)."""
    sunday = monday + timedelta(days=6)
    query = (
        db.select(DiseaseCase.form, DiseaseCase.condition, func.sum(DiseaseCase.count))
        .where(DiseaseCase.onset_date >= monday, DiseaseCase.onset_date <= sunday)
        .group_by(DiseaseCase.form, DiseaseCase.condition)
    )
    bulk = (
        db.select(WeeklyCount.form, WeeklyCount.condition, func.sum(WeeklyCount.count))
        .where(WeeklyCount.week_start == monday)
        .group_by(WeeklyCount.form, WeeklyCount.condition)
    )
    if area:
        query = query.where(DiseaseCase.area == area)
        bulk = bulk.where(WeeklyCount.area == area)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for form, condition, n in [*db.session.execute(query), *db.session.execute(bulk)]:
        counts[(form, condition)] += int(n)
    return counts


def idsp_rows(monday: date, area: str | None) -> list[tuple[str, str, str, int]]:
    """Every condition of every form, with its count (zero reporting included)."""
    counts = idsp_counts(monday, area)
    return [
        (form, code, name, counts.get((form, code), 0))
        for form in ("S", "P", "L")
        for code, name in diseases.conditions_for(form).items()
    ]


def idsp_csv(monday: date, area: str | None) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["week", "area", "form", "condition", "name", "cases"])
    for form, code, name, n in idsp_rows(monday, area):
        writer.writerow([week_label(monday), area or "all", form, code, name, n])
    return buf.getvalue().encode()


def idsp_pdf(monday: date, area: str | None) -> bytes:
    from hub.pdf import Section, document

    sunday = monday + timedelta(days=6)
    rows = idsp_rows(monday, area)
    return document(
        f"IDSP weekly report {week_label(monday)}",
        f"{monday:%d %b %Y} to {sunday:%d %b %Y} &middot; "
        f"{'area ' + area if area else 'whole centre'}",
        [
            Section(
                f"Form {form}: {diseases.FORMS[form]}",
                ("Condition", "Cases"),
                [(name, n) for f, _c, name, n in rows if f == form],
                (380, 80),
            )
            for form in ("S", "P", "L")
        ],
    )


def epidemic_curve(
    condition: str, days: int = 56, area: str | None = None
) -> list[tuple[date, int]]:
    end = date.today()
    start = end - timedelta(days=days - 1)
    query = (
        db.select(DiseaseCase.onset_date, func.sum(DiseaseCase.count))
        .where(DiseaseCase.condition == condition, DiseaseCase.onset_date >= start)
        .group_by(DiseaseCase.onset_date)
    )
    if area:
        query = query.where(DiseaseCase.area == area)
    counts = {d: int(n) for d, n in db.session.execute(query)}
    return [
        (start + timedelta(days=i), counts.get(start + timedelta(days=i), 0)) for i in range(days)
    ]
