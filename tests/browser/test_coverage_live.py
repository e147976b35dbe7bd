"""The coverage dashboard updates while doses are recorded, without reloading the page
(a real browser: Debian's headless Chromium driven by Playwright)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import CHROMIUM, log_in
from tests.conftest import make_account, token_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed"),
]


def test_coverage_updates_live(app, live_server, page):
    api = app.test_client()
    jhi = token_for(api, make_account(app, "jhi"))
    nurse = make_account(app, "phn", name="Live Nurse")
    dob = date.today() - timedelta(days=60)
    ids = []
    for n in range(2):
        resp = api.post(
            "/api/v1/patients",
            json={"name": f"Baby {n}", "date_of_birth": str(dob), "sex": "male", "area": "Ward 4"},
            headers=jhi,
        )
        ids.append(resp.get_json()["health_id"])
        assert api.post(
            "/api/v1/vaccination/beneficiaries", json={"health_id": ids[-1]}, headers=jhi
        ).status_code == 201  # fmt: skip

    log_in(page, live_server, nurse.email)
    page.goto(f"{live_server}/vaccination/coverage")
    bcg = 'g[data-dose="bcg"] .cov-pct'
    assert page.text_content(bcg).strip() == "0.0% (0/2)"
    width_before = float(page.get_attribute('g[data-dose="bcg"] .cov-bar', "width"))
    page.evaluate("window.__same_page = true")

    # a dose recorded elsewhere (another nurse's phone, the API)...
    resp = api.post(
        f"/api/v1/patients/{ids[0]}/immunizations",
        json={"dose": "bcg", "given_on": str(dob), "batch": "B7", "site": "PHC"},
        headers=jhi,
    )
    assert resp.status_code == 201
    # ...shows up on the open page within a poll or two, without a reload
    page.wait_for_function(
        "(sel) => document.querySelector(sel).textContent.trim() === '50.0% (1/2)'",
        arg=bcg,
        timeout=15000,
    )
    assert page.evaluate("window.__same_page === true")
    assert float(page.get_attribute('g[data-dose="bcg"] .cov-bar', "width")) > width_before
    assert page.text_content('td[data-area="Ward 4"][data-dose="bcg"]').strip() == "50.0%"
    assert page.text_content("#cov-live").startswith("updated")
