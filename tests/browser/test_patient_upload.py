"""A real browser (Debian's headless Chromium, driven by Playwright) logs in as a patient
and uploads a lab report through the page, CSRF and all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, log_in
from tests.conftest import PDF_BYTES, make_account

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed"),
]


def test_patient_logs_in_and_uploads_a_lab_report(app, live_server, page, tmp_path: Path):
    patient = make_account(app, "patient", name="Browser Patient")
    report = tmp_path / "haemogram.pdf"
    report.write_bytes(PDF_BYTES)
    not_allowed = tmp_path / "notes.pdf"
    not_allowed.write_bytes(b"just some text pretending to be a pdf")

    log_in(page, live_server, patient.email)
    shown = page.text_content("[data-testid=health-id]").strip()
    assert shown.replace("-", "") == patient.health_id

    page.click("nav >> text=Lab reports")
    page.wait_for_url(f"{live_server}/me/lab-reports")
    # a file that is not a PDF/JPEG/PNG by content gets a field error
    page.fill("input[name=title]", "Fake")
    page.set_input_files("input[name=file]", str(not_allowed))
    page.click("input[type=submit]")
    assert "Upload a PDF, JPEG or PNG file." in page.text_content(".has-error .error")

    page.fill("input[name=title]", "Haemogram")
    page.fill("input[name=date]", "2026-11-20")
    page.set_input_files("input[name=file]", str(report))
    page.click("input[type=submit]")
    page.wait_for_selector("text=Lab report uploaded.")
    row = page.text_content("table.table tbody tr")
    assert "Haemogram" in row and "20 Nov 2026" in row and "PDF" in row
    page.screenshot(path=str(tmp_path / "lab-reports.png"), full_page=True)

    href = page.get_attribute("table.table tbody tr a", "href")
    resp = page.request.get(f"{live_server}{href}")
    assert resp.status == 200 and resp.body() == PDF_BYTES
