"""Shared set-up for the clinic and pharmacy tests: a catalogue, stock and prescriptions
made through the API."""

from __future__ import annotations

from datetime import date, timedelta

TODAY = date.today()


def medicine(client, pharmacist, name="Paracetamol", strength="500 mg", reorder=20) -> int:
    resp = client.post(
        "/api/v1/medicines",
        json={"name": name, "strength": strength, "form": "tablet", "reorder_level": reorder},
        headers=pharmacist,
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def receive(client, pharmacist, med_id, batch, quantity, days_to_expiry) -> dict:
    resp = client.post(
        "/api/v1/stock/receipts",
        json={"medicine_id": med_id, "batch": batch, "quantity": quantity,
              "expiry": str(TODAY + timedelta(days=days_to_expiry)), "supplier": "KMSCL"},
        headers=pharmacist,
    )  # fmt: skip
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def prescribe(client, doctor, health_id, items, **extra):
    return client.post(
        "/api/v1/prescriptions",
        json={"health_id": health_id, "items": items, **extra},
        headers=doctor,
    )


def item(med_id, quantity=10, days=5):
    return {"medicine_id": med_id, "dose": "500 mg", "frequency": "1-0-1", "days": days,
            "quantity": quantity}  # fmt: skip
