"""Vaccination: registering beneficiaries, recording doses, due/overdue/defaulter lists and
coverage by vaccine, area and birth cohort."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import Integer, cast, func
from sqlalchemy.exc import IntegrityError

from hub.errors.exceptions import Conflict, NotFound, ServiceError
from hub.extensions import db
from hub.patients.models import Patient
from hub.patients.services import pregnancy_errors
from hub.vaccination import schedule
from hub.vaccination.models import Beneficiary, Immunization


def endemic() -> bool:
    return bool(current_app.config.get("JE_ENDEMIC", False))


def register(
    patient: Patient,
    group: str,
    *,
    edd: date | None = None,
    registered_by_id: int | None = None,
    today: date | None = None,
) -> Beneficiary:
    """Register a child (schedule from the date of birth) or a pregnancy (Td from today)."""
    today = today or date.today()
    if group not in (schedule.CHILD, schedule.PREGNANCY):
        raise ServiceError("Unknown group.", {"group": "Choose child or pregnancy."})
    if group == schedule.CHILD:
        age_years = (today - patient.date_of_birth).days / 365.25
        if age_years >= 17:
            raise ServiceError(
                "Too old for the child schedule.",
                {"health_id": "The child schedule ends with Td at 16 years."},
            )
        anchor, edd = patient.date_of_birth, None
    else:
        errors = pregnancy_errors(patient, edd, today)
        if errors:
            raise ServiceError("Check the highlighted fields.", errors)
        anchor = today
    existing = db.session.scalar(
        db.select(Beneficiary).where(
            Beneficiary.patient_id == patient.id,
            Beneficiary.group == group,
            Beneficiary.active.is_(True),
        )
    )
    if existing is not None and existing.edd is not None and existing.edd < today:
        existing.active = False  # an earlier pregnancy, delivered: its record stays, closed
        existing = None
    if existing is not None:
        raise Conflict(
            f"{patient.name} is already registered ({group}).", {"health_id": "Already registered."}
        )
    ben = Beneficiary(
        patient_id=patient.id,
        group=group,
        anchor_on=anchor,
        edd=edd,
        track=td_track(patient, today) if group == schedule.PREGNANCY else None,
        registered_by_id=registered_by_id,
    )
    db.session.add(ben)
    db.session.commit()
    return ben


def td_track(patient: Patient, today: date) -> str:
    """Booster when the woman received both primary Td doses in an earlier pregnancy, the
    second within the policy's window (3 years); otherwise the primary two doses."""
    window = timedelta(days=schedule.load().policy["booster_within_days"])
    earlier = db.session.scalars(
        db.select(Beneficiary.id).where(
            Beneficiary.patient_id == patient.id, Beneficiary.group == schedule.PREGNANCY
        )
    ).all()
    for bid in earlier:
        doses = dict(
            db.session.execute(
                db.select(Immunization.dose, Immunization.given_on).where(
                    Immunization.beneficiary_id == bid
                )
            ).all()
        )
        if "td-p1" in doses and "td-p2" in doses and today - doses["td-p2"] <= window:
            return schedule.BOOSTER
    return schedule.PRIMARY


def beneficiaries_of(patient: Patient) -> list[Beneficiary]:
    return list(
        db.session.scalars(
            db.select(Beneficiary)
            .where(Beneficiary.patient_id == patient.id)
            .order_by(Beneficiary.active.desc(), Beneficiary.id.desc())
        )
    )


def given_map(ben: Beneficiary) -> dict[str, date]:
    return {
        dose: on
        for dose, on in db.session.execute(
            db.select(Immunization.dose, Immunization.given_on).where(
                Immunization.beneficiary_id == ben.id
            )
        )
    }


def states(ben: Beneficiary, today: date | None = None) -> list[schedule.DoseState]:
    return schedule.plan(
        ben.group,
        ben.anchor_on,
        given_map(ben),
        today or date.today(),
        edd=ben.edd,
        endemic=endemic(),
        track=ben.track,
    )


def state_dict(s: schedule.DoseState) -> dict[str, Any]:
    return {
        "dose": s.code,
        "vaccine": s.vaccine,
        "label": s.label,
        "due_on": s.due_on.isoformat(),
        "latest_on": s.latest_on.isoformat() if s.latest_on else None,
        "given_on": s.given_on.isoformat() if s.given_on else None,
        "status": s.status,
    }


def pick_beneficiary(patient: Patient, dose: str | None = None) -> Beneficiary:
    """The active registration a dose belongs to (pregnancy doses to the pregnancy)."""
    bens = [b for b in beneficiaries_of(patient) if b.active]
    if not bens:
        raise NotFound(f"{patient.name} is not registered for vaccination.")
    spec = schedule.load().get(dose) if dose else None
    if spec is not None:
        for b in bens:
            if b.group == spec.group:
                return b
        raise ServiceError(
            "Not registered for this dose.",
            {"dose": f"{spec.label} is for a {spec.group} registration."},
        )
    return bens[0]


def record_dose(
    ben: Beneficiary,
    *,
    dose: str,
    given_on: date,
    batch: str,
    site: str,
    given_by_id: int | None,
    today: date | None = None,
) -> Immunization:
    today = today or date.today()
    errors = {}
    if not batch.strip():
        errors["batch"] = "Give the vaccine batch number."
    if not site.strip():
        errors["site"] = "Give the session site."
    errors.update(
        schedule.check_dose(
            ben.group,
            ben.anchor_on,
            given_map(ben),
            dose,
            given_on,
            today,
            edd=ben.edd,
            endemic=endemic(),
            track=ben.track,
        )
    )
    if errors:
        raise ServiceError("The dose was not recorded.", errors)
    spec = schedule.load().get(dose)
    assert spec is not None
    imm = Immunization(
        beneficiary_id=ben.id,
        patient_id=ben.patient_id,
        vaccine=spec.vaccine,
        dose=dose,
        given_on=given_on,
        batch=batch.strip(),
        site=site.strip(),
        given_by_id=given_by_id,
    )
    db.session.add(imm)
    db.session.execute(
        db.update(Beneficiary)
        .where(Beneficiary.id == ben.id)
        .values(given_mask=Beneficiary.given_mask.op("|")(1 << spec.bit))
    )
    try:
        db.session.commit()
    except IntegrityError:  # the same dose recorded at the same moment by someone else
        db.session.rollback()
        raise Conflict(f"{spec.label} is already recorded.", {"dose": "Already given."}) from None
    return imm


# ---- due, overdue and defaulter lists -------------------------------------------------


@dataclass
class DueRow:
    beneficiary: Beneficiary
    patient: Patient
    doses: list[schedule.DoseState]

    @property
    def defaulter(self) -> bool:
        return any(d.status == schedule.OVERDUE for d in self.doses)


def due_list(
    *,
    area: str | None = None,
    asha_id: int | None = None,
    within_days: int = 7,
    today: date | None = None,
) -> list[DueRow]:
    """Beneficiaries with a dose due now, overdue, or falling due within ``within_days``;
    overdue first (defaulters), then by the earliest due date."""
    today = today or date.today()
    query = (
        db.select(Beneficiary)
        .join(Patient, Patient.id == Beneficiary.patient_id)
        .where(Beneficiary.active.is_(True))
    )
    if area:
        query = query.where(Patient.area == area)
    if asha_id is not None:
        query = query.where(Patient.asha_id == asha_id)
    bens = list(db.session.scalars(query))
    given: dict[int, dict[str, date]] = defaultdict(dict)
    ids = [b.id for b in bens]
    for i in range(0, len(ids), 500):
        for bid, dose, on in db.session.execute(
            db.select(Immunization.beneficiary_id, Immunization.dose, Immunization.given_on).where(
                Immunization.beneficiary_id.in_(ids[i : i + 500])
            )
        ):
            given[bid][dose] = on
    horizon = today + timedelta(days=within_days)
    je = endemic()
    rows = []
    for b in bens:
        plan = schedule.plan(
            b.group, b.anchor_on, given[b.id], today, edd=b.edd, endemic=je, until=horizon,
            track=b.track,
        )  # fmt: skip
        wanted = [
            d
            for d in plan
            if d.status in (schedule.DUE, schedule.OVERDUE)
            or (d.status == schedule.UPCOMING and d.due_on <= horizon)
        ]
        if wanted:
            rows.append(DueRow(b, b.patient, wanted))
    rows.sort(key=lambda r: (not r.defaulter, min(d.due_on for d in r.doses), r.patient.name))
    return rows


# ---- coverage ---------------------------------------------------------------------------


def _epoch_days(column):
    """Days since 1970-01-01 of a date column, computed by the database."""
    if db.engine.dialect.name == "sqlite":
        return cast(func.julianday(column) - 2440587.5, Integer)
    return column - date(1970, 1, 1)


def coverage(
    *,
    area: str | None = None,
    vaccine: str | None = None,
    cohort: int | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Coverage of every child dose: given / eligible, where eligible children are those
    old enough for the dose (date of birth + due age on or before ``today``).

    Answers totals per dose and the same split by area and by birth cohort (year of birth).
    Reads one row per child, not every dose: each beneficiary keeps a bit per dose given,
    set in the same transaction as the dose.
    """
    today = today or date.today()
    sched = schedule.load()
    specs = [
        d
        for d in sched.for_group(schedule.CHILD)
        if (not d.endemic or endemic())
        and (vaccine is None or d.vaccine.lower() == vaccine.lower() or d.code == vaccine)
    ]
    born_day = _epoch_days(Patient.date_of_birth)
    historical = today < date.today()
    if historical:
        # As of a past day (a monthly report made later): only the doses given by then,
        # read from the immunizations themselves rather than the current bits.
        bits = {d.code: d.bit for d in sched.dose}
        by_then: dict[int, int] = defaultdict(int)
        for bid, dose in db.session.execute(
            db.select(Immunization.beneficiary_id, Immunization.dose).where(
                Immunization.given_on <= today
            )
        ):
            by_then[bid] |= 1 << bits[dose]
        mask_column = Beneficiary.id
    else:
        mask_column = Beneficiary.given_mask
    query = (
        db.select(Patient.area, born_day, mask_column)
        .join(Beneficiary, Beneficiary.patient_id == Patient.id)
        .where(
            Beneficiary.group == schedule.CHILD,
            Beneficiary.active.is_(True),
            Patient.date_of_birth <= today,
        )
    )
    if area:
        query = query.where(Patient.area == area)
    if cohort:
        first, last = date(cohort, 1, 1), date(cohort, 12, 31)
        query = query.where(Patient.date_of_birth.between(first, last))
    # One plain row per child (text and integers that need no conversion), read straight
    # from the driver's cursor: tens of thousands of rows reach numpy in milliseconds.
    result = db.session.connection().execute(query)
    rows = result.cursor.fetchall()
    result.close()
    seen: dict[str, int] = {}
    first_seen = np.fromiter(
        (seen.setdefault(r[0] or "", len(seen)) for r in rows), dtype=np.int64, count=len(rows)
    )
    areas_ = sorted(seen)
    rank = np.empty(len(seen), dtype=np.int64)
    rank[[seen[a] for a in areas_]] = np.arange(len(areas_))
    area_idx = rank[first_seen] if len(rows) else first_seen
    born_col = [r[1] for r in rows]
    mask_col = [by_then.get(r[2], 0) for r in rows] if historical else [r[2] for r in rows]
    born = np.array(born_col, dtype=np.int64)  # days since 1970-01-01
    year_of = born.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    years, year_idx = np.unique(year_of, return_inverse=True)
    mask = np.array(mask_col, dtype=np.int64)
    n_a, n_y = max(len(areas_), 1), max(len(years), 1)
    cell = area_idx.astype(np.int64) * n_y + year_idx
    n_cells = n_a * n_y
    epoch = date(1970, 1, 1)

    # children x doses: has the dose / is old enough for it (born on or before the day
    # that is the dose's due age before today), children sorted by (area, cohort) cell so
    # each cell's rows are summed in one pass.
    bits = np.array([sp.bit for sp in specs], dtype=np.int64)
    cutoffs = np.array(
        [(today - schedule.parse_age(sp.due) - epoch).days for sp in specs], dtype=np.int64
    )
    order = np.argsort(cell, kind="stable")
    cell, born, mask = cell[order], born[order], mask[order]
    given = np.zeros((len(specs), n_cells), dtype=np.int64)
    eligible = np.zeros_like(given)
    if len(cell):
        starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
        has = ((mask[:, None] >> bits[None, :]) & 1).astype(np.uint8)
        old_enough = born[:, None] <= cutoffs[None, :]
        given[:, cell[starts]] = np.add.reduceat(has, starts, axis=0, dtype=np.int64).T
        eligible[:, cell[starts]] = np.add.reduceat(old_enough, starts, axis=0, dtype=np.int64).T
    g3 = given.reshape(len(specs), n_a, n_y)
    e3 = eligible.reshape(len(specs), n_a, n_y)

    def entry(i: int, g: Any, e: Any) -> dict[str, Any]:
        s, g, e = specs[i], int(g), int(e)
        return {
            "dose": s.code,
            "vaccine": s.vaccine,
            "label": s.label,
            "eligible": e,
            "given": g,
            "coverage_pct": round(100.0 * g / e, 1) if e else None,
        }

    def block(g2: Any, e2: Any) -> list[dict[str, Any]]:
        return [entry(i, g2[i], e2[i]) for i in range(len(specs))]

    return {
        "as_of": today.isoformat(),
        "area": area,
        "vaccine": vaccine,
        "cohort": cohort,
        "children": len(born),
        "doses": block(given.sum(axis=1), eligible.sum(axis=1)),
        "by_area": [
            {"area": str(a), "doses": block(g3[:, j].sum(axis=1), e3[:, j].sum(axis=1))}
            for j, a in enumerate(areas_)
        ],
        "by_cohort": [
            {"cohort": int(y), "doses": block(g3[:, :, k].sum(axis=1), e3[:, :, k].sum(axis=1))}
            for k, y in enumerate(years)
        ],
    }


def rebuild_masks() -> int:
    """Recompute every beneficiary's doses-given bits from the immunizations (a repair
    tool; the bits are kept in step by ``record_dose``). Answers how many changed."""
    bits = {d.code: d.bit for d in schedule.load().dose}
    want: dict[int, int] = defaultdict(int)
    for bid, dose in db.session.execute(db.select(Immunization.beneficiary_id, Immunization.dose)):
        want[bid] |= 1 << bits[dose]
    changed = 0
    for ben in db.session.scalars(db.select(Beneficiary)):
        if ben.given_mask != want.get(ben.id, 0):
            ben.given_mask = want.get(ben.id, 0)
            changed += 1
    db.session.commit()
    return changed


def areas() -> list[str]:
    return [
        a
        for a in db.session.scalars(
            db.select(Patient.area)
            .join(Beneficiary, Beneficiary.patient_id == Patient.id)
            .where(Patient.area.is_not(None))
            .distinct()
            .order_by(Patient.area)
        )
    ]


# ---- the monthly coverage report --------------------------------------------------------

#: The doses the monthly report shows per area (the UIP's headline indicators).
REPORT_DOSES = ("bcg", "penta-1", "penta-3", "opv-3", "rvv-3", "pcv-b", "mr-1", "mr-2", "dpt-b1")


def _cell(d: dict[str, Any] | None) -> str:
    if d is None or d["coverage_pct"] is None:
        return "-"
    return f"{d['coverage_pct']:.1f}% ({d['given']}/{d['eligible']})"


def report_rows(month_end: date) -> list[list[object]]:
    data = coverage(today=month_end)
    rows: list[list[object]] = []
    for block in [{"area": "All areas", "doses": data["doses"]}, *data["by_area"]]:
        by_code = {d["dose"]: d for d in block["doses"]}
        rows.append([block["area"] or "(no area)"] + [_cell(by_code.get(c)) for c in REPORT_DOSES])
    return rows


def report_csv(month_end: date) -> bytes:
    data = coverage(today=month_end)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["as_of", "area", "cohort", "dose", "vaccine", "eligible", "given", "coverage_pct"])
    for d in data["doses"]:
        w.writerow([data["as_of"], "all", "all", d["dose"], d["vaccine"], d["eligible"],
                    d["given"], d["coverage_pct"]])  # fmt: skip
    for block in data["by_area"]:
        for d in block["doses"]:
            w.writerow([data["as_of"], block["area"], "all", d["dose"], d["vaccine"],
                        d["eligible"], d["given"], d["coverage_pct"]])  # fmt: skip
    for block in data["by_cohort"]:
        for d in block["doses"]:
            w.writerow([data["as_of"], "all", block["cohort"], d["dose"], d["vaccine"],
                        d["eligible"], d["given"], d["coverage_pct"]])  # fmt: skip
    return buf.getvalue().encode()


def report_pdf(month_end: date) -> bytes:
    from hub.pdf import Section, document

    labels = {s.code: s.label for s in schedule.load().dose}
    return document(
        f"Vaccination coverage {month_end:%B %Y}",
        f"Children registered for the UIP schedule, coverage as of {month_end:%d %b %Y} "
        "(doses given / children old enough for the dose)",
        [
            Section(
                "Coverage by area",
                ("Area", *(labels[c] for c in REPORT_DOSES)),
                report_rows(month_end),
            )
        ],
    )
