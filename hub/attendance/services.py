"""Attendance rules: daily records from kiosk events, late and missing clock-out flags
against the configured shift, admins' corrections, who may see whom, monthly summaries.

Days are the centre's local days (SMARTCARE_TIMEZONE). With ``direction`` "auto" the
first event of a day is the arrival and the last the departure; explicit "in"/"out"
events take precedence where a door has two kiosks.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select

from hub.access import ADMIN, ASHA, DOCTOR, PHN, STAFF_ROLES
from hub.attendance.models import AttendanceCorrection, AttendanceEvent
from hub.audit.services import record
from hub.auth.models import ACTIVE, User
from hub.errors.exceptions import Forbidden, ServiceError
from hub.extensions import db
from hub.staff.models import StaffProfile


@dataclass
class DayRecord:
    user_id: int
    name: str
    role: str
    staff_id: str
    day: date
    first_in: datetime | None  # local, aware
    last_out: datetime | None
    kiosk: str | None
    events: int
    late: bool
    missing_out: bool
    corrected: bool

    @property
    def hours(self) -> float | None:
        if self.first_in and self.last_out:
            return round((self.last_out - self.first_in).total_seconds() / 3600, 2)
        return None

    @property
    def present(self) -> bool:
        return self.first_in is not None

    def to_dict(self) -> dict:
        def iso(v: datetime | None) -> str | None:
            return v.isoformat(timespec="seconds") if v else None

        return {
            "staff_id": self.staff_id,
            "user_id": self.user_id,
            "name": self.name,
            "role": self.role,
            "date": self.day.isoformat(),
            "first_in": iso(self.first_in),
            "last_out": iso(self.last_out),
            "hours": self.hours,
            "kiosk": self.kiosk,
            "events": self.events,
            "late": self.late,
            "missing_clock_out": self.missing_out,
            "corrected": self.corrected,
        }


def tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _clock(name: str) -> time:
    hh, mm = current_app.config[name].split(":")
    return time(int(hh), int(mm))


def local(utc_naive: datetime) -> datetime:
    return utc_naive.replace(tzinfo=UTC).astimezone(tz())


def to_utc_naive(local_dt: datetime) -> datetime:
    return local_dt.astimezone(UTC).replace(tzinfo=None)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day as a [start, end) range of naive UTC datetimes."""
    start = datetime.combine(day, time(0), tz())
    return to_utc_naive(start), to_utc_naive(start + timedelta(days=1))


# who sees whom
def visible_staff_query(viewer: User) -> Select:
    """Staff whose attendance ``viewer`` may see: admin and doctors all staff, a PHN the
    ASHA workers (and herself), everyone else only themselves."""
    query = (
        db.select(User, StaffProfile)
        .join(StaffProfile, StaffProfile.user_id == User.id)
        .where(User.role.in_(STAFF_ROLES))
        .order_by(User.name)
    )
    if viewer.role in (ADMIN, DOCTOR):
        return query
    if viewer.role == PHN:
        return query.where((User.role == ASHA) | (User.id == viewer.id))
    return query.where(User.id == viewer.id)


def staff_by_code(viewer: User, staff_id: str) -> tuple[User, StaffProfile]:
    row = db.session.execute(
        visible_staff_query(viewer).where(StaffProfile.staff_code == staff_id)
    ).first()
    if row is None:
        raise Forbidden(f"You may not see the attendance of {staff_id} (or no such staff).")
    return row[0], row[1]


# daily records
def _events(start: datetime, end: datetime, user_ids: list[int]) -> list[AttendanceEvent]:
    if not user_ids:
        return []
    return list(
        db.session.scalars(
            db.select(AttendanceEvent)
            .where(
                AttendanceEvent.captured_at >= start,
                AttendanceEvent.captured_at < end,
                AttendanceEvent.user_id.in_(user_ids),
            )
            .order_by(AttendanceEvent.captured_at)
        )
    )


def _corrections(start_day: date, end_day: date, user_ids: list[int]):
    if not user_ids:
        return {}
    rows = db.session.scalars(
        db.select(AttendanceCorrection)
        .where(
            AttendanceCorrection.day >= start_day,
            AttendanceCorrection.day <= end_day,
            AttendanceCorrection.user_id.in_(user_ids),
        )
        .order_by(AttendanceCorrection.id)
    )
    return {(c.user_id, c.day): c for c in rows}  # the newest correction wins


def build_record(
    user: User,
    profile: StaffProfile,
    day: date,
    events: list[AttendanceEvent],
    correction: AttendanceCorrection | None,
    now_local: datetime,
) -> DayRecord:
    ins = [e for e in events if e.direction == "in"]
    outs = [e for e in events if e.direction == "out"]
    first = (ins or events)[0] if events else None
    last_candidates = outs or events[1:]
    last = last_candidates[-1] if last_candidates else None
    first_in = local(first.captured_at) if first else None
    last_out = local(last.captured_at) if last else None
    corrected = correction is not None
    if correction is not None:
        first_in = local(correction.first_in) if correction.first_in else first_in
        last_out = local(correction.last_out) if correction.last_out else last_out
    shift_start = datetime.combine(day, _clock("SHIFT_START"), tz())
    shift_end = datetime.combine(day, _clock("SHIFT_END"), tz())
    grace = timedelta(minutes=current_app.config["LATE_GRACE_MINUTES"])
    late = bool(first_in and first_in > shift_start + grace)
    # no departure recorded once the shift is over
    missing_out = bool(first_in and last_out is None and now_local > shift_end)
    return DayRecord(
        user.id,
        user.name,
        user.role,
        profile.staff_code,
        day,
        first_in,
        last_out,
        first.device_id if first else None,
        len(events),
        late,
        missing_out,
        corrected,
    )


def daily_records(viewer: User, day: date, staff_id: str | None = None) -> list[DayRecord]:
    """One record per visible (active) staff member for the day, absent ones included."""
    if staff_id:
        people = [staff_by_code(viewer, staff_id)]
    else:
        people = [
            tuple(r)
            for r in db.session.execute(visible_staff_query(viewer).where(User.status == ACTIVE))
        ]
    ids = [u.id for u, _ in people]
    start, end = day_bounds(day)
    by_user: dict[int, list[AttendanceEvent]] = defaultdict(list)
    for event in _events(start, end, ids):
        by_user[event.user_id].append(event)
    corrections = _corrections(day, day, ids)
    now_local = datetime.now(tz())
    return [
        build_record(u, p, day, by_user[u.id], corrections.get((u.id, day)), now_local)
        for u, p in people
    ]


# monthly
@dataclass
class MonthSummary:
    month: date
    days: list[date]
    records: dict[int, list[DayRecord]]  # user id -> one record a day
    people: list[tuple[User, StaffProfile]]

    def per_person(self) -> list[dict]:
        out = []
        for user, profile in self.people:
            recs = self.records[user.id]
            hours = [r.hours for r in recs if r.hours]
            out.append(
                {
                    "staff_id": profile.staff_code,
                    "name": user.name,
                    "role": user.role,
                    "days_present": sum(r.present for r in recs),
                    "late_days": sum(r.late for r in recs),
                    "missing_clock_out": sum(r.missing_out for r in recs),
                    "hours": round(sum(hours), 1),
                }
            )
        return out

    def present_per_day(self) -> list[tuple[date, int]]:
        return [
            (d, sum(self.records[u.id][i].present for u, _ in self.people))
            for i, d in enumerate(self.days)
        ]


def today() -> date:
    """Today in the centre's time zone."""
    return datetime.now(tz()).date()


def parse_day(text: str | None) -> date:
    """``YYYY-MM-DD``, or today when not given."""
    if not text:
        return today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ServiceError("Give the date as YYYY-MM-DD.", {"date": "YYYY-MM-DD"}) from None


def parse_month(text: str | None) -> date:
    if not text:
        return today().replace(day=1)
    try:
        year, month = (int(p) for p in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ServiceError("Give the month as YYYY-MM.", {"month": "YYYY-MM"}) from None


def monthly(viewer: User, month: date) -> MonthSummary:
    people = [
        tuple(r)
        for r in db.session.execute(visible_staff_query(viewer).where(User.status == ACTIVE))
    ]
    ids = [u.id for u, _ in people]
    n_days = calendar.monthrange(month.year, month.month)[1]
    days = [month + timedelta(days=i) for i in range(n_days)]
    start, _ = day_bounds(days[0])
    _, end = day_bounds(days[-1])
    grouped: dict[tuple[int, date], list[AttendanceEvent]] = defaultdict(list)
    for event in _events(start, end, ids):
        grouped[(event.user_id, local(event.captured_at).date())].append(event)
    corrections = _corrections(days[0], days[-1], ids)
    now_local = datetime.now(tz())
    records = {
        u.id: [
            build_record(u, p, d, grouped[(u.id, d)], corrections.get((u.id, d)), now_local)
            for d in days
        ]
        for u, p in people
    }
    return MonthSummary(month, days, records, people)


def monthly_csv(summary: MonthSummary) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        [
            "staff_id",
            "name",
            "role",
            "date",
            "first_in",
            "last_out",
            "hours",
            "late",
            "missing_clock_out",
            "corrected",
            "kiosk",
        ]
    )
    for user, profile in summary.people:
        for r in summary.records[user.id]:
            writer.writerow(
                [
                    profile.staff_code,
                    user.name,
                    user.role,
                    r.day.isoformat(),
                    r.first_in.strftime("%H:%M") if r.first_in else "",
                    r.last_out.strftime("%H:%M") if r.last_out else "",
                    r.hours if r.hours is not None else "",
                    int(r.late),
                    int(r.missing_out),
                    int(r.corrected),
                    r.kiosk or "",
                ]
            )
    return buf.getvalue()


# corrections
def correct(
    admin: User, staff_id: str, day: date, first_in: time | None, last_out: time | None, reason: str
) -> AttendanceCorrection:
    """An admin sets a day's arrival and/or departure, with a reason (audit-logged)."""
    user, _profile = staff_by_code(admin, staff_id)
    errors = {}
    if not reason or len(reason.strip()) < 5:
        errors["reason"] = "Say why (at least a few words)."
    if first_in is None and last_out is None:
        errors["first_in"] = "Give an arrival or a departure time."
    if first_in and last_out and last_out <= first_in:
        errors["last_out"] = "Departure must be after arrival."
    if day > today():
        errors["day"] = "The day cannot be in the future."
    if errors:
        raise ServiceError("Check the highlighted fields.", errors)

    def at(t: time | None) -> datetime | None:
        return to_utc_naive(datetime.combine(day, t, tz())) if t else None

    correction = AttendanceCorrection(
        user_id=user.id,
        day=day,
        first_in=at(first_in),
        last_out=at(last_out),
        reason=reason.strip(),
        corrected_by_id=admin.id,
    )
    db.session.add(correction)
    record(
        "attendance.correct",
        target_user_id=user.id,
        detail=f"{day} in={first_in} out={last_out}: {reason.strip()[:200]}",
    )
    db.session.commit()
    return correction
