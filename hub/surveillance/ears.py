"""CDC EARS C1, C2 and C3 aberration detection, vectorised over many series at once.

For a daily count series x and day t:

- C1: baseline = the 7 days before t (t-7 .. t-1); C1_t = (x_t - mean) / sd.
- C2: baseline = the 7 days ending 3 days back (t-9 .. t-3), a 2-day guard band;
  C2_t = (x_t - mean) / sd.
- C3: C3_t = sum over t, t-1, t-2 of max(0, C2 - 1).

sd is the sample standard deviation (n - 1), floored at ``min_sd`` so that a flat or
empty baseline does not divide by zero: with zero variance one case stands out only if it
clears ``threshold * min_sd``. C1 and C2 flag when the statistic exceeds ``threshold``
(3: mean + 3 sd), C3 when it exceeds ``c3_threshold`` (2, as EARS has it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BASELINE = 7
C2_LAG = 2  # guard days between the baseline and the day judged


@dataclass(frozen=True)
class EarsResult:
    c1: np.ndarray  # (..., days); NaN where the baseline is not complete
    c2: np.ndarray
    c3: np.ndarray
    c1_alarm: np.ndarray
    c2_alarm: np.ndarray
    c3_alarm: np.ndarray


def _baseline_stats(x: np.ndarray, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample sd of the 7 days ending ``lag + 1`` days before each day."""
    x = np.asarray(x, dtype=np.float64)
    days = x.shape[-1]
    mean = np.full(x.shape, np.nan)
    sd = np.full(x.shape, np.nan)
    start = BASELINE + lag
    if days <= start:
        return mean, sd
    # running sums: the window of day t is t-lag-7 .. t-lag-1; its sum is a difference of
    # two prefix sums, so every day costs O(1) however many series there are
    zeros = np.zeros(x.shape[:-1] + (1,))
    prefix = np.concatenate([zeros, np.cumsum(x, axis=-1)], axis=-1)
    prefix_sq = np.concatenate([zeros, np.cumsum(x * x, axis=-1)], axis=-1)
    ends = np.arange(start, days) - lag
    total = prefix[..., ends] - prefix[..., ends - BASELINE]
    total_sq = prefix_sq[..., ends] - prefix_sq[..., ends - BASELINE]
    mean[..., start:] = total / BASELINE
    variance = (total_sq - total * total / BASELINE) / (BASELINE - 1)
    sd[..., start:] = np.sqrt(np.maximum(variance, 0.0))  # rounding can dip below 0
    return mean, sd


def ears(
    x: np.ndarray, *, threshold: float = 3.0, c3_threshold: float = 2.0, min_sd: float = 1.0
) -> EarsResult:
    """C1, C2, C3 and their alarms for every day of ``x`` (shape (..., days))."""
    x = np.asarray(x, dtype=np.float64)
    m1, s1 = _baseline_stats(x, 0)
    m2, s2 = _baseline_stats(x, C2_LAG)
    with np.errstate(invalid="ignore"):
        c1 = (x - m1) / np.maximum(s1, min_sd)
        c2 = (x - m2) / np.maximum(s2, min_sd)
        # days before C2 exists add nothing; C3 exists where C2 does
        excess = np.nan_to_num(np.maximum(c2 - 1.0, 0.0), nan=0.0)
        padded = np.concatenate([np.zeros(x.shape[:-1] + (2,)), excess], axis=-1)
        c3 = padded[..., 2:] + padded[..., 1:-1] + padded[..., :-2]
        c3 = np.where(np.isnan(c2), np.nan, c3)
        c1_alarm = np.nan_to_num(c1, nan=-np.inf) > threshold
        c2_alarm = np.nan_to_num(c2, nan=-np.inf) > threshold
        c3_alarm = np.nan_to_num(c3, nan=-np.inf) > c3_threshold
    return EarsResult(c1, c2, c3, c1_alarm, c2_alarm, c3_alarm)
