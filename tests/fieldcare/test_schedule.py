"""The UIP schedule engine: table tests for on-time, late and missed series and the upper
age limits (pure functions of dates)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hub.vaccination import schedule as s

DOB = date(2026, 1, 1)
D = timedelta


def status_of(code, given, today, **kw):
    plan = {d.code: d for d in s.plan(s.CHILD, DOB, given, today, **kw)}
    return plan[code]


def test_schedule_is_data_with_sources():
    sched = s.load()
    assert {d.source for d in sched.dose} <= set(sched.sources)
    by = sched.by_code()
    # the national schedule's landmarks, as written in the issue
    assert (by["bcg"].due, by["bcg"].latest) == ("0d", "1y")
    assert (by["opv-0"].latest, by["hepb-0"].latest) == ("15d", "24h")
    assert [by[f"penta-{i}"].due for i in (1, 2, 3)] == ["6w", "10w", "14w"]
    assert [by[c].due for c in ("fipv-1", "fipv-2", "fipv-3")] == ["6w", "14w", "9m"]
    assert [by[c].due for c in ("pcv-1", "pcv-2", "pcv-b")] == ["6w", "14w", "9m"]
    assert by["mr-1"].due == "9m" and by["je-1"].endemic and by["mr-2"].due == "16m"
    assert by["dpt-b2"].due == "5y" and by["td-10"].due == "10y" and by["td-16"].due == "16y"
    assert by["td-p1"].group == by["td-p2"].group == s.PREGNANCY


@pytest.mark.parametrize(
    "code, given, today, due_on, status",
    [
        # on time: birth doses on the day, Penta-1 at exactly 6 weeks
        ("bcg", {}, DOB, DOB, s.DUE),
        ("penta-1", {}, DOB + D(41), DOB + D(42), s.UPCOMING),
        ("penta-1", {}, DOB + D(42), DOB + D(42), s.DUE),
        ("penta-2", {"penta-1": DOB + D(42)}, DOB + D(50), DOB + D(70), s.UPCOMING),
        (
            "penta-3",
            {"penta-1": DOB + D(42), "penta-2": DOB + D(70)},
            DOB + D(98),
            DOB + D(98),
            s.DUE,
        ),  # fmt: skip
        # the next dose waits for the previous one
        ("penta-2", {}, DOB + D(80), DOB + D(70), s.WAITING),
        # overdue 4 weeks after the due day (the monthly session was missed)
        ("penta-1", {}, DOB + D(42 + 27), DOB + D(42), s.DUE),
        ("penta-1", {}, DOB + D(42 + 28), DOB + D(42), s.OVERDUE),
        # a late first dose shifts the later ones: 4 weeks after the dose as given
        (
            "penta-2",
            {"penta-1": date(2026, 4, 1)},
            date(2026, 4, 2),
            date(2026, 4, 29),
            s.UPCOMING,
        ),  # fmt: skip
        (
            "penta-3",
            {"penta-1": date(2026, 4, 1)},
            date(2026, 4, 2),
            date(2026, 5, 27),
            s.WAITING,
        ),  # fmt: skip
        (
            "penta-3",
            {"penta-1": date(2026, 4, 1), "penta-2": date(2026, 5, 20)},
            date(2026, 5, 21),
            date(2026, 6, 17),
            s.UPCOMING,
        ),  # fmt: skip
        # upper age limits: BCG until the day before the first birthday
        ("bcg", {}, date(2026, 12, 31), DOB, s.OVERDUE),
        ("bcg", {}, date(2027, 1, 1), DOB, s.MISSED),
        # OPV-0 within the first 15 days (days 0-14), Hep B birth dose within 24 hours
        ("opv-0", {}, DOB + D(14), DOB, s.DUE),
        ("opv-0", {}, DOB + D(15), DOB, s.MISSED),
        ("hepb-0", {}, DOB + D(1), DOB, s.DUE),
        ("hepb-0", {}, DOB + D(2), DOB, s.MISSED),
        # Pentavalent-1 until 1 year
        ("penta-1", {}, date(2027, 1, 1), DOB + D(42), s.MISSED),
        # a series pushed past its upper limit by late doses is missed
        (
            "penta-3",
            {"penta-1": date(2026, 11, 20), "penta-2": date(2026, 12, 18)},
            date(2026, 12, 19),
            date(2027, 1, 15),
            s.MISSED,
        ),  # fmt: skip
        # given is given, whatever the day
        ("mr-1", {"mr-1": date(2026, 10, 5)}, date(2027, 6, 1), date(2026, 10, 1), s.GIVEN),
        ("mr-2", {"mr-1": date(2026, 10, 5)}, date(2027, 5, 10), date(2027, 5, 1), s.DUE),
        # a series with longer gaps: Vitamin A every 6 months
        (
            "vita-2",
            {"vita-1": date(2027, 1, 20)},
            date(2027, 5, 1),
            date(2027, 7, 19),
            s.UPCOMING,
        ),  # fmt: skip
    ],
)
def test_series_table(code, given, today, due_on, status):
    got = status_of(code, given, today)
    assert (got.due_on, got.status) == (due_on, status)


def test_latest_dates():
    by = {d.code: d for d in s.plan(s.CHILD, DOB, {}, DOB)}
    assert by["bcg"].latest_on == date(2026, 12, 31)
    assert by["opv-0"].latest_on == date(2026, 1, 15)
    assert by["hepb-0"].latest_on == date(2026, 1, 2)
    assert by["penta-1"].latest_on == date(2026, 12, 31)
    assert by["mr-1"].latest_on == date(2030, 12, 31)
    assert by["fipv-1"].latest_on is None


def test_je_only_where_endemic():
    today = DOB + D(300)
    assert status_of("je-1", {}, today).status == s.NOT_APPLICABLE
    assert status_of("je-1", {}, today, endemic=True).status == s.DUE


def test_pregnancy_td_booster_track():
    reg, edd = date(2026, 3, 1), date(2026, 9, 1)
    booster = s.plan(s.PREGNANCY, reg, {}, reg, edd=edd, track=s.BOOSTER)
    assert [(d.code, d.status, d.due_on) for d in booster] == [("td-pb", s.DUE, reg)]
    primary = s.plan(s.PREGNANCY, reg, {}, reg, edd=edd, track=s.PRIMARY)
    assert [d.code for d in primary] == ["td-p1", "td-p2"]
    assert [d.code for d in s.plan(s.PREGNANCY, reg, {}, reg, edd=edd)] == ["td-p1", "td-p2"]
    refused = s.check_dose(s.PREGNANCY, reg, {}, "td-p1", reg, reg, edd=edd, track=s.BOOSTER)
    assert "not on this booster schedule" in refused["dose"]
    assert s.check_dose(s.PREGNANCY, reg, {}, "td-pb", reg, reg, edd=edd, track=s.BOOSTER) == {}


def test_pregnancy_td():
    reg, edd = date(2026, 3, 1), date(2026, 9, 1)
    plan = {d.code: d for d in s.plan(s.PREGNANCY, reg, {}, reg, edd=edd)}
    assert (plan["td-p1"].status, plan["td-p1"].due_on, plan["td-p1"].latest_on) == (
        s.DUE, reg, edd,
    )  # fmt: skip
    assert plan["td-p2"].status == s.WAITING
    plan = {d.code: d for d in s.plan(s.PREGNANCY, reg, {"td-p1": date(2026, 3, 10)}, reg + D(9))}
    assert plan["td-p2"].due_on == date(2026, 4, 7)
    # after delivery a dose not given is missed
    late = {d.code: d for d in s.plan(s.PREGNANCY, reg, {}, edd + D(1), edd=edd)}
    assert late["td-p1"].status == s.MISSED


TODAY = date(2027, 6, 1)


@pytest.mark.parametrize(
    "code, given, on, field, words",
    [
        ("penta-1", {}, DOB + D(41), "given_on", "from 6w"),
        ("penta-2", {"penta-1": DOB + D(60)}, DOB + D(75), "given_on", "28 days after"),
        ("penta-2", {}, DOB + D(80), "dose", "Pentavalent-1 must be given"),
        ("bcg", {}, date(2027, 1, 1), "given_on", "not given after 1y"),
        ("hepb-0", {}, DOB + D(2), "given_on", "not given after 24h"),
        ("bcg", {"bcg": DOB}, DOB + D(3), "dose", "already given"),
        ("bcg", {}, DOB - D(1), "given_on", "before the birth"),
        ("mr-1", {}, TODAY + D(1), "given_on", "future"),
        ("je-1", {}, DOB + D(280), "dose", "JE-endemic"),
        ("nonsense", {}, DOB, "dose", "Unknown dose"),
    ],
)
def test_check_dose_refusals(code, given, on, field, words):
    errors = s.check_dose(s.CHILD, DOB, given, code, on, TODAY)
    assert field in errors and words in errors[field], errors


def test_check_dose_accepts_valid_doses():
    today = date(2027, 6, 1)
    assert s.check_dose(s.CHILD, DOB, {}, "bcg", date(2026, 12, 31), today) == {}
    assert s.check_dose(s.CHILD, DOB, {}, "penta-1", DOB + D(42), today) == {}
    assert s.check_dose(s.CHILD, DOB, {"penta-1": DOB + D(42)}, "penta-2", DOB + D(70), today) == {}
    assert s.check_dose(s.CHILD, DOB, {}, "je-1", DOB + D(280), today, endemic=True) == {}


def test_bad_schedule_data_is_refused(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text(
        '[sources]\nx = "X"\n[policy]\noverdue_after_days = 28\ngap_days = 28\n'
        '[[dose]]\ncode = "a"\nvaccine = "A"\nlabel = "A"\ndue = "6 weeks"\nsource = "x"\n'
    )
    with pytest.raises(ValueError, match="age"):
        s.load.__wrapped__(bad)


def test_until_leaves_out_later_doses_only():
    today = DOB + D(100)
    given = {"penta-1": DOB + D(50)}
    full = {d.code: d for d in s.plan(s.CHILD, DOB, given, today)}
    cut = {d.code: d for d in s.plan(s.CHILD, DOB, given, today, until=today + D(7))}
    assert "mr-1" not in cut and "td-16" not in cut and "penta-3" in cut
    assert all(cut[c] == full[c] for c in cut)
