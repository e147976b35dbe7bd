"""Home visits: plans (antenatal contacts from the EDD, postnatal visits after delivery,
recurring visits to bedridden patients), outcomes, and the morning overdue run."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app

from hub.access import ASHA
from hub.auth.models import User
from hub.errors.exceptions import Forbidden, NotFound, ServiceError
from hub.extensions import db
from hub.patients.models import Patient
from hub.patients.services import pregnancy_errors
from hub.timeutil import utcnow
from hub.visits.models import (
    CANCELLED,
    DONE,
    KINDS,
    MISSED,
    RESCHEDULED,
    SCHEDULED,
    Visit,
    VisitPlan,
)

#: India's minimum of four antenatal contacts (MoHFW, "Guidelines for Antenatal Care and
#: Skilled Attendance at Birth by ANMs/LHVs/SNs", 2010): (name, window from-to in weeks of
#: gestation, the week aimed for). The first is at registration, whenever that is.
ANC_CONTACTS = (
    ("ANC 1 (registration, by 12 weeks)", 0, 12, None),
    ("ANC 2 (14-26 weeks)", 14, 26, 20),
    ("ANC 3 (28-34 weeks)", 28, 34, 30),
    ("ANC 4 (36 weeks to term)", 36, 40, 36),
)
#: Home-based newborn care (MoHFW HBNC operational guidelines, 2014): ASHA visits on
#: these days after an institutional delivery (and also day 1 after a home delivery).
PNC_DAYS = (3, 7, 14, 21, 28, 42)
MIN_GAP_DAYS = 14  # between two antenatal contacts

VITAL_RANGES = {
    "bp_systolic": (60, 260, "mmHg"),
    "bp_diastolic": (30, 160, "mmHg"),
    "weight_kg": (1, 250, "kg"),
    "hb_g_dl": (2, 25, "g/dL"),
    "temperature_c": (30, 45, "°C"),
}


def lmp_from_edd(edd: date) -> date:
    return edd - timedelta(days=280)


def antenatal_dates(edd: date, today: date) -> list[tuple[str, date]]:
    """The antenatal contacts still to come for a pregnancy registered ``today``: the first
    at once, the later ones at their target week (at least two weeks apart), skipping a
    contact whose window has already passed."""
    lmp = lmp_from_edd(edd)
    out: list[tuple[str, date]] = []
    for name, _lo, hi, target in ANC_CONTACTS:
        if target is None:
            out.append((name, today))
            continue
        when = lmp + timedelta(weeks=target)
        if out:
            when = max(when, out[-1][1] + timedelta(days=MIN_GAP_DAYS))
        when = max(when, today)
        if when <= min(lmp + timedelta(weeks=hi, days=6), edd):
            out.append((name, when))
    return out


def check_asha(asha_id: int | None) -> int | None:
    if asha_id is None:
        return None
    user = db.session.get(User, asha_id)
    if user is None or user.role != ASHA or user.status != "active":
        raise ServiceError("Unknown ASHA.", {"asha_id": "Not an active ASHA worker."})
    return user.id


def asha_for(patient: Patient, asha_id: int | None) -> int | None:
    """The ASHA a visit goes to: the one named, else the patient's own."""
    return check_asha(asha_id) if asha_id is not None else patient.asha_id


def asha_choices() -> list[User]:
    return list(
        db.session.scalars(
            db.select(User).where(User.role == ASHA, User.status == "active").order_by(User.name)
        )
    )


def create_plan(
    patient: Patient,
    *,
    kind: str,
    asha_id: int | None,
    by_id: int | None,
    edd: date | None = None,
    delivered_on: date | None = None,
    every_days: int | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    today: date | None = None,
) -> tuple[VisitPlan, list[Visit]]:
    """A visit plan and its visits. The patient's ASHA is used when none is named."""
    today = today or date.today()
    asha_id = asha_for(patient, asha_id)
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = f"Choose one of {', '.join(KINDS)}."
    elif kind == "antenatal":
        errors.update(pregnancy_errors(patient, edd, today))
    elif kind == "postnatal":
        if delivered_on is None:
            errors["delivered_on"] = "Give the date of delivery."
        elif not today - timedelta(days=42) <= delivered_on <= today:
            errors["delivered_on"] = "Postnatal visits run to day 42 after a past delivery."
    else:
        if not every_days or not 1 <= every_days <= 90:
            errors["every_days"] = "Visit every 1 to 90 days."
        if starts_on is None:
            starts_on = today
        if ends_on is not None and ends_on < starts_on:
            errors["ends_on"] = "The plan cannot end before it starts."
    if errors:
        raise ServiceError("Check the highlighted fields.", errors)

    plan = VisitPlan(
        patient_id=patient.id,
        kind=kind,
        asha_id=asha_id,
        edd=edd,
        delivered_on=delivered_on,
        every_days=every_days,
        starts_on=starts_on or today,
        ends_on=ends_on,
        created_by_id=by_id,
    )
    db.session.add(plan)
    db.session.flush()
    if kind == "antenatal":
        assert edd is not None
        dates = antenatal_dates(edd, today)
        plan.ends_on = edd
    elif kind == "postnatal":
        assert delivered_on is not None
        dates = [
            (f"PNC day {d}", max(delivered_on + timedelta(days=d), today))
            for d in PNC_DAYS
            if delivered_on + timedelta(days=d) >= today - timedelta(days=1)
        ]
        plan.ends_on = delivered_on + timedelta(days=PNC_DAYS[-1])
    else:
        dates = []
    visits = [
        Visit(
            patient_id=patient.id,
            plan_id=plan.id,
            kind=kind,
            purpose=purpose,
            scheduled_on=when,
            asha_id=asha_id,
            scheduled_by_id=by_id,
        )
        for purpose, when in dates
    ]
    db.session.add_all(visits)
    if kind == "bedridden":
        visits = extend_plan(plan, today)
    db.session.commit()
    return plan, visits


def extend_plan(plan: VisitPlan, today: date) -> list[Visit]:
    """Schedule a recurring plan's visits up to the horizon (or its end)."""
    horizon = today + timedelta(days=current_app.config.get("VISIT_HORIZON_DAYS", 90))
    if plan.ends_on is not None:
        horizon = min(horizon, plan.ends_on)
    step = timedelta(days=plan.every_days or 14)
    when = plan.planned_until + step if plan.planned_until else plan.starts_on
    made = []
    while when <= horizon:
        made.append(
            Visit(
                patient_id=plan.patient_id,
                plan_id=plan.id,
                kind=plan.kind,
                purpose=f"Home visit (every {plan.every_days} days)",
                scheduled_on=when,
                asha_id=plan.asha_id,
                scheduled_by_id=plan.created_by_id,
            )
        )
        plan.planned_until = when
        when += step
    db.session.add_all(made)
    return made


def schedule_visit(
    patient: Patient,
    *,
    kind: str,
    scheduled_on: date,
    asha_id: int | None,
    purpose: str | None,
    by_id: int | None,
    today: date | None = None,
) -> Visit:
    today = today or date.today()
    errors = {}
    if kind not in KINDS:
        errors["kind"] = f"Choose one of {', '.join(KINDS)}."
    if scheduled_on < today:
        errors["scheduled_on"] = "A visit is scheduled for today or later."
    if errors:
        raise ServiceError("Check the highlighted fields.", errors)
    visit = Visit(
        patient_id=patient.id,
        kind=kind,
        purpose=(purpose or "").strip() or KINDS[kind] + " visit",
        scheduled_on=scheduled_on,
        asha_id=asha_for(patient, asha_id),
        scheduled_by_id=by_id,
    )
    db.session.add(visit)
    db.session.commit()
    return visit


def _vital(name: str, raw: Any) -> Decimal | int | None:
    if raw is None or raw == "":
        return None
    lo, hi, unit = VITAL_RANGES[name]
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ServiceError("Check the vitals.", {name: "Not a number."}) from None
    if not lo <= value <= hi:
        raise ServiceError("Check the vitals.", {name: f"Expected {lo}-{hi} {unit}."})
    return int(value) if name.startswith("bp_") else value


def check_visit_access(visit: Visit, user: User) -> None:
    if user.role == ASHA and visit.asha_id != user.id:
        raise Forbidden("This visit is assigned to another ASHA worker.")


def record_outcome(
    visit: Visit,
    user: User,
    *,
    status: str,
    visited_on: date | None = None,
    notes: str | None = None,
    missed_reason: str | None = None,
    reschedule_to: date | None = None,
    vitals: dict[str, Any] | None = None,
    today: date | None = None,
) -> Visit:
    """Done (with notes and vitals), missed (with a reason) or rescheduled (to a new day:
    a new visit is made and this one points to it)."""
    today = today or date.today()
    check_visit_access(visit, user)
    if visit.status != SCHEDULED:
        raise ServiceError(
            f"This visit is already {visit.status}.", {"status": "Only a scheduled visit changes."}
        )
    errors: dict[str, str] = {}
    if status == DONE:
        visited_on = visited_on or today
        if visited_on > today:
            errors["visited_on"] = "The visit date cannot be in the future."
        values = {k: _vital(k, (vitals or {}).get(k)) for k in VITAL_RANGES}
        if (values["bp_systolic"] is None) != (values["bp_diastolic"] is None):
            errors["bp_diastolic"] = "Give both systolic and diastolic pressure."
        elif values["bp_systolic"] is not None and values["bp_systolic"] <= values["bp_diastolic"]:
            errors["bp_systolic"] = "Systolic must be higher than diastolic."
        if errors:
            raise ServiceError("Check the highlighted fields.", errors)
        for k, v in values.items():
            setattr(visit, k, v)
        visit.visited_on = visited_on
        visit.notes = (notes or "").strip() or None
    elif status == MISSED:
        if not (missed_reason or "").strip():
            raise ServiceError("Say why.", {"missed_reason": "Give the reason it was missed."})
        visit.missed_reason = missed_reason.strip()
        visit.notes = (notes or "").strip() or None
    elif status == RESCHEDULED:
        if reschedule_to is None or reschedule_to < today:
            raise ServiceError(
                "Pick the new day.", {"reschedule_to": "Give a new date, today or later."}
            )
        new = Visit(
            patient_id=visit.patient_id,
            plan_id=visit.plan_id,
            kind=visit.kind,
            purpose=visit.purpose,
            scheduled_on=reschedule_to,
            asha_id=visit.asha_id,
            scheduled_by_id=user.id,
        )
        db.session.add(new)
        db.session.flush()
        visit.rescheduled_to_id = new.id
        visit.notes = (notes or "").strip() or None
    elif status == CANCELLED and user.role != ASHA:
        visit.notes = (notes or "").strip() or None
    else:
        allowed = "done, missed or rescheduled" + ("" if user.role == ASHA else ", cancelled")
        raise ServiceError("Unknown outcome.", {"status": f"Choose {allowed}."})
    visit.status = status
    visit.overdue = False
    visit.recorded_by_id = user.id
    visit.recorded_at = utcnow()
    db.session.commit()
    return visit


def manage(
    visit: Visit,
    user: User,
    *,
    asha_id: int | None = None,
    scheduled_on: date | None = None,
    today: date | None = None,
) -> Visit:
    """A PHN reassigns a scheduled visit to another ASHA or moves it to another day."""
    today = today or date.today()
    if user.role == ASHA:
        raise Forbidden("Only a PHN reassigns or moves visits.")
    if visit.status != SCHEDULED:
        raise ServiceError("Only a scheduled visit is moved.", {"status": visit.status})
    if scheduled_on is not None and scheduled_on < today:
        raise ServiceError("Pick today or later.", {"scheduled_on": "In the past."})
    if asha_id is not None:
        visit.asha_id = check_asha(asha_id)
    if scheduled_on is not None:
        visit.scheduled_on = scheduled_on
        visit.overdue = False
    db.session.commit()
    return visit


def get_visit(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("No such visit.")
    return visit


def query_visits(
    *,
    asha_id: int | None = None,
    status: str | None = None,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
):
    """Visits filtered; ``status="overdue"`` means scheduled for a day that has passed."""
    today = today or date.today()
    q = db.select(Visit)
    if asha_id is not None:
        q = q.where(Visit.asha_id == asha_id)
    if status == "overdue":
        q = q.where(Visit.status == SCHEDULED, Visit.scheduled_on < today)
    elif status:
        q = q.where(Visit.status == status)
    if start:
        q = q.where(Visit.scheduled_on >= start)
    if end:
        q = q.where(Visit.scheduled_on <= end)
    return q.order_by(Visit.scheduled_on, Visit.id)


@dataclass
class AshaDay:
    overdue: list[Visit]
    today: list[Visit]
    upcoming: list[Visit]


def asha_day(asha_id: int, today: date | None = None, days: int = 7) -> AshaDay:
    today = today or date.today()
    visits = db.session.scalars(
        query_visits(
            asha_id=asha_id, status=SCHEDULED, end=today + timedelta(days=days), today=today
        )
    ).all()
    return AshaDay(
        overdue=[v for v in visits if v.scheduled_on < today],
        today=[v for v in visits if v.scheduled_on == today],
        upcoming=[v for v in visits if v.scheduled_on > today],
    )


def mark_overdue(today: date | None = None) -> list[Visit]:
    """The morning run: scheduled visits whose day has passed become overdue; active
    recurring plans are extended to the horizon. Answers the newly overdue visits."""
    today = today or date.today()
    newly = list(
        db.session.scalars(
            db.select(Visit).where(
                Visit.status == SCHEDULED, Visit.scheduled_on < today, Visit.overdue.is_(False)
            )
        )
    )
    for v in newly:
        v.overdue = True
    for plan in db.session.scalars(
        db.select(VisitPlan).where(
            VisitPlan.active.is_(True), VisitPlan.kind == "bedridden", VisitPlan.every_days > 0
        )
    ):
        extend_plan(plan, today)
    db.session.commit()
    return newly


def overdue_csv(today: date | None = None) -> bytes:
    today = today or date.today()
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["scheduled_on", "days_overdue", "patient", "health_id", "area", "asha", "purpose"])
    for v in db.session.scalars(query_visits(status="overdue", today=today)):
        w.writerow([
            v.scheduled_on.isoformat(), (today - v.scheduled_on).days, v.patient.name,
            v.patient.health_id, v.patient.area or "", v.asha.name if v.asha else "", v.purpose,
        ])  # fmt: skip
    return buf.getvalue().encode()


def to_dict(v: Visit) -> dict[str, Any]:
    def num(x: Any) -> float | None:
        return float(x) if x is not None else None

    return {
        "id": v.id,
        "health_id": v.patient.health_id,
        "patient": v.patient.name,
        "kind": v.kind,
        "purpose": v.purpose,
        "scheduled_on": v.scheduled_on.isoformat(),
        "asha_id": v.asha_id,
        "status": v.status,
        "overdue": v.status == SCHEDULED and v.scheduled_on < date.today(),
        "visited_on": v.visited_on.isoformat() if v.visited_on else None,
        "notes": v.notes,
        "missed_reason": v.missed_reason,
        "vitals": {
            "bp_systolic": v.bp_systolic,
            "bp_diastolic": v.bp_diastolic,
            "weight_kg": num(v.weight_kg),
            "hb_g_dl": num(v.hb_g_dl),
            "temperature_c": num(v.temperature_c),
        },
        "rescheduled_to_id": v.rescheduled_to_id,
        "plan_id": v.plan_id,
    }
