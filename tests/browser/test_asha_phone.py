"""An ASHA on a phone-sized screen (Debian's headless Chromium): her day's visits, one
visit recorded as done with vitals, and the list afterwards."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.conftest import CHROMIUM, log_in
from tests.conftest import make_account, token_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed"),
]


def test_asha_records_a_visit_on_a_phone(app, live_server, page, tmp_path):
    api = app.test_client()
    asha = make_account(app, "asha", name="Phone Asha")
    phn = token_for(api, make_account(app, "phn"))
    hid = api.post(
        "/api/v1/patients",
        json={"name": "Janaki Amma", "date_of_birth": "1945-02-02", "sex": "female",
              "area": "Ward 6", "household": "House 21"},
        headers=token_for(api, asha),
    ).get_json()["health_id"]  # fmt: skip
    made = api.post(
        "/api/v1/visits",
        json={"health_id": hid, "kind": "bedridden", "scheduled_on": str(date.today())},
        headers=phn,
    )
    assert made.status_code == 201

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, asha.email)
    page.goto(f"{live_server}/visits/mine")
    assert page.locator("h2", has_text="Today (1)").count() == 1
    # nothing wider than the phone: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("text=Janaki Amma")
    page.select_option("select[name=status]", "done")
    page.fill("input[name=bp_systolic]", "150")
    page.fill("input[name=bp_diastolic]", "50")
    page.fill("input[name=temperature_c]", "60")
    page.click("input[type=submit][value=Save]")
    # the page keeps what was typed and names the field that is wrong
    assert "Expected 30-45" in page.text_content(".has-error .error")
    page.fill("input[name=temperature_c]", "37.2")
    page.fill("textarea[name=notes]", "Bedsore dressing changed")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(f"{live_server}/visits/mine")
    page.wait_for_selector("text=Visit saved.")
    assert page.locator("h2", has_text="Today (0)").count() == 1
    page.screenshot(path=str(tmp_path / "asha-phone.png"), full_page=True)
    got = api.get("/api/v1/visits?status=done", headers=phn).get_json()["items"][0]
    assert got["vitals"]["bp_systolic"] == 150 and got["vitals"]["temperature_c"] == 37.2
    assert got["notes"] == "Bedsore dressing changed"
