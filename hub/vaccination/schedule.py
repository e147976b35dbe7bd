"""The UIP schedule engine: which doses a beneficiary is due, when, and until when.

The schedule itself is data (``uip_schedule.toml``, with its sources); this module reads
it once and applies it. Pure functions of dates: no database, so table tests are plain.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEDULE_FILE = Path(__file__).with_name("uip_schedule.toml")

CHILD = "child"
PREGNANCY = "pregnancy"
PRIMARY = "primary"
BOOSTER = "booster"

GIVEN = "given"
DUE = "due"
OVERDUE = "overdue"
UPCOMING = "upcoming"
WAITING = "waiting"  # the previous dose of its series is not given yet
MISSED = "missed"  # past the upper age limit, never given
NOT_APPLICABLE = "not_applicable"  # e.g. JE where the centre is not endemic
STATUSES = (GIVEN, DUE, OVERDUE, UPCOMING, WAITING, MISSED, NOT_APPLICABLE)

_AGE = re.compile(r"^(\d+)([hdwmy])$")


@dataclass(frozen=True)
class Age:
    """An age as calendar months plus days: ``date + Age`` and ``date - Age`` step whole
    months first (the 31st falls back to the month's last day), then days."""

    months: int = 0
    days: int = 0

    def _shift(self, d: date, sign: int) -> date:
        if self.months:
            y, m = divmod(d.month - 1 + sign * self.months, 12)
            y, m = d.year + y, m + 1
            d = d.replace(year=y, month=m, day=min(d.day, calendar.monthrange(y, m)[1]))
        return d + timedelta(days=sign * self.days)

    def __radd__(self, other: date) -> date:
        return self._shift(other, 1)

    def __rsub__(self, other: date) -> date:
        return self._shift(other, -1)


@lru_cache(maxsize=256)
def parse_age(text: str) -> Age:
    """``"6w"`` -> 6 weeks; ``"24h"`` counts as whole days (a birth dose within 24 hours
    is given on the day of birth or the next). Months and years are calendar ones.
    Cached: the lists apply the schedule to every child."""
    m = _AGE.match(text)
    if not m:
        raise ValueError(f"age {text!r}: use a number and one of h, d, w, m, y (e.g. 6w)")
    n, unit = int(m.group(1)), m.group(2)
    if unit in "hdw":
        return Age(days={"h": n // 24, "d": n, "w": 7 * n}[unit])
    return Age(months=n if unit == "m" else 12 * n)


class DoseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z0-9-]+$")
    bit: int = Field(ge=0, le=62)
    vaccine: str
    label: str
    group: Literal["child", "pregnancy"] = CHILD
    due: str
    latest: str | None = None
    after: str | None = None
    gap_days: int | None = Field(default=None, ge=0)
    endemic: bool = False
    track: Literal["primary", "booster"] | None = None
    source: str

    @field_validator("due")
    @classmethod
    def _due(cls, v: str) -> str:
        parse_age(v)
        return v

    @field_validator("latest")
    @classmethod
    def _latest(cls, v: str | None) -> str | None:
        if v is not None and v != "edd":
            parse_age(v)
        return v


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: dict[str, str]
    policy: dict[str, int]
    dose: list[DoseSpec]

    @model_validator(mode="after")
    def _consistent(self) -> Schedule:
        codes = [d.code for d in self.dose]
        if len(codes) != len(set(codes)):
            raise ValueError("dose codes repeat")
        bits = [d.bit for d in self.dose]
        if len(bits) != len(set(bits)):
            raise ValueError("dose bits repeat")
        seen: set[str] = set()
        for d in self.dose:
            if d.source not in self.sources:
                raise ValueError(f"{d.code}: unknown source {d.source!r}")
            if d.after and d.after not in seen:
                raise ValueError(f"{d.code}: 'after' must name an earlier dose, not {d.after!r}")
            seen.add(d.code)
        return self

    def get(self, code: str) -> DoseSpec | None:
        return self.by_code().get(code)

    def by_code(self) -> dict[str, DoseSpec]:
        return {d.code: d for d in self.dose}

    def for_group(self, group: str, track: str | None = None) -> list[DoseSpec]:
        """The group's doses; for a track-split group (pregnancy) only the given track's
        (primary unless said)."""
        want = track or PRIMARY
        return [d for d in self.dose if d.group == group and d.track in (None, want)]

    def gap(self, spec: DoseSpec) -> timedelta:
        return timedelta(days=self.policy["gap_days"] if spec.gap_days is None else spec.gap_days)


@lru_cache(maxsize=1)
def load(path: Path = SCHEDULE_FILE) -> Schedule:
    with path.open("rb") as fh:
        return Schedule.model_validate(tomllib.load(fh))


@dataclass(frozen=True)
class DoseState:
    """One dose of one beneficiary on a given day."""

    code: str
    vaccine: str
    label: str
    due_on: date
    latest_on: date | None
    given_on: date | None
    status: str


def _latest_on(spec: DoseSpec, anchor: date, edd: date | None) -> date | None:
    if spec.latest is None:
        return None
    if spec.latest == "edd":
        return edd
    limit = anchor + parse_age(spec.latest)
    # "BCG up to 1 year": the last day on which it may still be given is the day before
    # the first birthday; "Hep B within 24 hours": the day after birth at the latest.
    return limit if spec.latest.endswith("h") else limit - timedelta(days=1)


def _calendar(
    sched: Schedule, group: str, anchor: date, edd: date | None, track: str | None = None
) -> tuple[tuple[DoseSpec, date, date | None, timedelta], ...]:
    """Each dose's age-based due day, upper limit and interval for one anchor date."""
    return tuple(
        (spec, anchor + parse_age(spec.due), _latest_on(spec, anchor, edd), sched.gap(spec))
        for spec in sched.for_group(group, track)
    )


@lru_cache(maxsize=8192)
def _uip_calendar(
    group: str, anchor: date, edd: date | None, track: str | None = None
) -> tuple[tuple[DoseSpec, date, date | None, timedelta], ...]:
    """The same for the UIP schedule, kept: many children share a birthday, and the lists
    apply the schedule to every child."""
    return _calendar(load(), group, anchor, edd, track)


def plan(
    group: str,
    anchor: date,
    given: dict[str, date],
    today: date,
    *,
    edd: date | None = None,
    endemic: bool = False,
    schedule: Schedule | None = None,
    until: date | None = None,
    track: str | None = None,
) -> list[DoseState]:
    """Every dose of the group with its due date, upper limit and status on ``today``.

    ``anchor`` is the date of birth (child) or the day the pregnancy was registered.
    A dose that follows another in its series is due at its age or ``gap`` after the
    earlier dose (as given, or as projected when not given yet), whichever is later.
    With ``until``, doses whose age falls after that day (and their series' later doses)
    are left out: the lists of what is due now need no more.
    """
    overdue_after = timedelta(days=(schedule or load()).policy["overdue_after_days"])
    out: dict[str, DoseState] = {}
    skipped: set[str] = set()
    days = (
        _calendar(schedule, group, anchor, edd, track)
        if schedule is not None
        else _uip_calendar(group, anchor, edd, track)
    )
    for spec, base_due, latest_on, gap in days:
        due_on = base_due
        if until is not None and (due_on > until or spec.after in skipped):
            skipped.add(spec.code)
            continue
        prev = out.get(spec.after) if spec.after else None
        if prev is not None:
            due_on = max(due_on, (prev.given_on or prev.due_on) + gap)
        given_on = given.get(spec.code)
        if given_on is not None:
            status = GIVEN
        elif spec.endemic and not endemic:
            status = NOT_APPLICABLE
        elif latest_on is not None and (today > latest_on or due_on > latest_on):
            status = MISSED
        elif prev is not None and prev.given_on is None:
            status = WAITING
        elif due_on > today:
            status = UPCOMING
        elif today - due_on >= overdue_after:
            status = OVERDUE
        else:
            status = DUE
        out[spec.code] = DoseState(
            spec.code, spec.vaccine, spec.label, due_on, latest_on, given_on, status
        )
    return list(out.values())


def check_dose(
    group: str,
    anchor: date,
    given: dict[str, date],
    code: str,
    given_on: date,
    today: date,
    *,
    edd: date | None = None,
    endemic: bool = False,
    track: str | None = None,
) -> dict[str, str]:
    """Why this dose may not be recorded on ``given_on`` (field -> reason); empty if it may."""
    sched = load()
    spec = sched.get(code)
    if spec is None or spec.group != group:
        return {"dose": f"Unknown dose {code!r} for a {group} beneficiary."}
    if spec not in sched.for_group(group, track):
        return {
            "dose": f"{spec.label} is not on this {track or PRIMARY} schedule "
            "(Td-1 and Td-2, or one booster after two doses in a pregnancy within 3 years)."
        }
    if code in given:
        return {"dose": f"{spec.label} was already given on {given[code]:%d %b %Y}."}
    if given_on > today:
        return {"given_on": "The date cannot be in the future."}
    if given_on < anchor:
        what = "birth" if group == CHILD else "registration of the pregnancy"
        return {"given_on": f"The date is before the {what}."}
    if spec.endemic and not endemic:
        return {"dose": f"{spec.label} is given only in JE-endemic areas."}
    earliest = anchor + parse_age(spec.due)
    if given_on < earliest:
        return {"given_on": f"{spec.label} is given from {spec.due} of age ({earliest:%d %b %Y})."}
    latest = _latest_on(spec, anchor, edd)
    if latest is not None and given_on > latest:
        limit = "the expected date of delivery" if spec.latest == "edd" else f"{spec.latest}"
        return {"given_on": f"{spec.label} is not given after {limit} ({latest:%d %b %Y})."}
    if spec.after:
        prev = sched.get(spec.after)
        assert prev is not None
        if spec.after not in given:
            return {"dose": f"{prev.label} must be given before {spec.label}."}
        gap = sched.gap(spec)
        if given_on < given[spec.after] + gap:
            return {
                "given_on": f"At least {gap.days} days after {prev.label} "
                f"(given {given[spec.after]:%d %b %Y})."
            }
    return {}
