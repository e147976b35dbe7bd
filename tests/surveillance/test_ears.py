"""EARS C1/C2/C3 against values worked out by hand."""

import numpy as np
import pytest

from hub.surveillance.ears import ears


def test_c1_by_hand():
    # baseline 1,2,3,4,5,6,7: mean 4, sample sd sqrt(28/6) = 2.1602; day 8 has 14
    x = np.array([1, 2, 3, 4, 5, 6, 7, 14], float)
    r = ears(x, min_sd=0.0)
    assert np.isnan(r.c1[:7]).all()
    assert r.c1[7] == pytest.approx((14 - 4) / np.sqrt(28 / 6), rel=1e-9)  # 4.629
    assert r.c1_alarm[7] and not r.c1_alarm[:7].any()


def test_c2_uses_the_baseline_ending_three_days_back():
    # days 0-6 baseline (mean 4, sd 2.1602), days 7-8 guard, day 9 judged
    x = np.array([1, 2, 3, 4, 5, 6, 7, 100, 100, 9], float)
    r = ears(x, min_sd=0.0)
    assert np.isnan(r.c2[:9]).all()
    assert r.c2[9] == pytest.approx((9 - 4) / np.sqrt(28 / 6), rel=1e-9)  # 2.3146
    assert not r.c2_alarm[9]
    # C1 for day 9 sees the two 100s in its baseline instead
    base = np.array([3, 4, 5, 6, 7, 100, 100], float)
    assert r.c1[9] == pytest.approx((9 - base.mean()) / base.std(ddof=1), rel=1e-9)


def test_c3_sums_positive_excesses_of_c2_over_one():
    x = np.array([2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 5, 6], float)
    r = ears(x, min_sd=1.0)  # flat baseline: sd floored at 1
    # C2 on days 9, 10, 11 = 2, 3, 4 (baseline mean 2, sd -> 1)
    assert r.c2[9:12] == pytest.approx([2, 3, 4])
    assert r.c3[11] == pytest.approx((2 - 1) + (3 - 1) + (4 - 1))  # 6
    assert r.c3[10] == pytest.approx(0 + 1 + 2)
    assert r.c3_alarm[10] and r.c3_alarm[11] and not r.c3_alarm[9]


def test_zero_variance_uses_the_minimum_sd():
    flat = np.zeros(20)
    r = ears(flat, min_sd=1.0)
    assert not (r.c1_alarm | r.c2_alarm | r.c3_alarm).any()
    one = flat.copy()
    one[15] = 2  # 2 cases after nothing: (2 - 0) / 1 = 2, below 3
    assert not ears(one, min_sd=1.0).c1_alarm.any()
    four = flat.copy()
    four[15] = 4
    r = ears(four, min_sd=1.0)
    assert r.c1[15] == pytest.approx(4.0) and r.c1_alarm[15]
    assert np.flatnonzero(r.c1_alarm).tolist() == [15]


def test_injected_outbreak_flagged_on_the_right_day_and_flat_series_raises_nothing():
    rng = np.random.default_rng(42)
    series = rng.poisson(5, size=(50, 120)).astype(float)  # 50 quiet series
    quiet = ears(series)
    # C1's 7-day baseline makes it jumpy: a few percent of quiet Poisson days flag
    assert quiet.c1_alarm.mean() < 0.05 and quiet.c2_alarm.mean() < 0.05
    series[7] = 5 + (np.arange(120) % 3) - 1  # a steady weekly pattern, 4-6 cases a day
    series[7, 100:103] += [25, 30, 35]  # an outbreak starts on day 100
    r = ears(series)
    assert r.c1_alarm[7, 100] and r.c2_alarm[7, 100] and r.c3_alarm[7, 100]
    assert not (r.c1_alarm[7, :100] | r.c2_alarm[7, :100] | r.c3_alarm[7, :100]).any()
    flat = np.full((3, 60), 4.0)
    f = ears(flat)
    assert not (f.c1_alarm | f.c2_alarm | f.c3_alarm).any()
