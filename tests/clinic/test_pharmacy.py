"""Pharmacy: FEFO and partial dispensing, expired batches skipped, the ledger always sums
to the stock on hand, adjustments, alerts, and concurrent pharmacists never overselling
(run on PostgreSQL by `make test`, and on SQLite)."""

from __future__ import annotations

import threading
from datetime import timedelta

from hub.extensions import db
from hub.pharmacy import services
from hub.pharmacy.models import RECEIPT, StockBatch, StockMovement
from hub.scheduler import run_job
from tests.clinic.helpers import TODAY, item, medicine, prescribe, receive
from tests.conftest import make_account, token_for


def _expired_batch(app, med_id, batch_no, quantity):
    """An expired batch on the shelf (receiving refuses expired stock, so it is put there
    directly, with its ledger line, as if it had been received long ago)."""
    with app.app_context():
        b = StockBatch(medicine_id=med_id, batch_no=batch_no, expiry=TODAY - timedelta(days=1),
                       quantity_received=quantity, on_hand=quantity,
                       received_on=TODAY - timedelta(days=400))  # fmt: skip
        db.session.add(b)
        db.session.flush()
        db.session.add(StockMovement(medicine_id=med_id, batch_id=b.id, change=quantity,
                                     kind=RECEIPT, reason="received"))  # fmt: skip
        db.session.commit()
        return b.id


def _on_hand(app):
    with app.app_context():
        return dict(db.session.execute(db.select(StockBatch.batch_no, StockBatch.on_hand)).all())


def _ledger_ok(app):
    with app.app_context():
        return services.ledger_mismatches() == []


def test_fefo_partial_and_expired_skipped(app, client, account):
    ph = token_for(client, account("pharmacist"))
    doctor = token_for(client, account("doctor"))
    patient = account("patient")
    med = medicine(client, ph)
    receive(client, ph, med, "LATE", 50, 400)
    receive(client, ph, med, "SOON", 15, 30)
    _expired_batch(app, med, "OLD", 100)
    assert client.post("/api/v1/stock/receipts", headers=ph, json={
        "medicine_id": med, "batch": "X", "quantity": 5,
        "expiry": str(TODAY)}).status_code == 400  # fmt: skip

    rx = prescribe(client, doctor, patient.health_id, [item(med, quantity=90)]).get_json()
    item_id = rx["items"][0]["item_id"]
    url = f"/api/v1/prescriptions/{rx['id']}/dispense"
    # more than prescribed: refused, nothing moves
    resp = client.post(url, json={"items": [{"item_id": item_id, "quantity": 91}]}, headers=ph)
    assert resp.status_code == 400 and _on_hand(app) == {"LATE": 50, "SOON": 15, "OLD": 100}
    # 10: all from the batch that expires first
    resp = client.post(url, json={"items": [{"item_id": item_id, "quantity": 10}]}, headers=ph)
    body = resp.get_json()
    assert resp.status_code == 200, body
    assert body["dispensed"][0]["batches"] == [{"batch": "SOON", "quantity": 10}]
    assert body["prescription"]["status"] == "partial"
    # 80 more: 5 from SOON, 50 from LATE, never the expired OLD; 25 short
    resp = client.post(url, json={"items": [{"item_id": item_id, "quantity": 80}]}, headers=ph)
    body = resp.get_json()
    assert body["dispensed"][0]["batches"] == [
        {"batch": "SOON", "quantity": 5},
        {"batch": "LATE", "quantity": 50},
    ]
    assert body["dispensed"][0]["short"] == 25
    assert body["prescription"]["status"] == "partial"
    assert body["prescription"]["items"][0]["remaining"] == 25
    assert _on_hand(app) == {"LATE": 0, "SOON": 0, "OLD": 100}
    # the queue still holds it; new stock arrives and the rest goes out
    queue = client.get("/api/v1/prescriptions?status=pending", headers=ph).get_json()
    assert [r["id"] for r in queue["items"]] == [rx["id"]]
    receive(client, ph, med, "NEW", 40, 200)
    resp = client.post(url, json={"items": [{"item_id": item_id, "quantity": 25}]}, headers=ph)
    assert resp.get_json()["prescription"]["status"] == "dispensed"
    assert client.post(url, json={"items": [{"item_id": item_id, "quantity": 1}]},
                       headers=ph).status_code == 400  # fmt: skip
    assert _on_hand(app)["NEW"] == 15 and _ledger_ok(app)
    # only pharmacists receive stock
    doc = client.post(
        "/api/v1/stock/receipts",
        headers=doctor,
        json={
            "medicine_id": med,
            "batch": "Y",
            "quantity": 5,
            "expiry": str(TODAY + timedelta(days=9)),
        },
    )
    assert doc.status_code == 403


def test_adjustments_ledger_and_alerts(app, client, account, logged_in):
    ph = token_for(client, account("pharmacist"))
    med = medicine(client, ph, "ORS", "20.5 g", reorder=50)
    batch = receive(client, ph, med, "ORS-1", 40, 60)
    body = {"batch_id": batch["id"], "change": -3, "reason": "torn sachets"}
    resp = client.post("/api/v1/stock/adjustments", headers=ph, json=body)
    assert resp.status_code == 201 and resp.get_json()["on_hand"] == 37
    body = {"batch_id": batch["id"], "change": -38, "reason": "count"}
    too_much = client.post("/api/v1/stock/adjustments", headers=ph, json=body)
    assert too_much.status_code == 400 and _on_hand(app)["ORS-1"] == 37
    no_reason = client.post("/api/v1/stock/adjustments", headers=ph,
                            json={"batch_id": batch["id"], "change": 1, "reason": " "})  # fmt: skip
    assert no_reason.status_code == 400
    assert _ledger_ok(app)
    with app.app_context():
        moves = db.session.scalars(db.select(StockMovement).order_by(StockMovement.id)).all()
        assert [(m.kind, m.change, m.reason) for m in moves] == [
            ("receipt", 40, "received from KMSCL"), ("adjustment", -3, "torn sachets")]  # fmt: skip
        # the ledger is append-only
        moves[0].change = 400
        try:
            db.session.commit()
        except RuntimeError as exc:
            assert "append-only" in str(exc)
            db.session.rollback()
        else:
            raise AssertionError("a ledger row was rewritten")
        # ...and the database refuses it too, to any client that goes around the ORM
        for sql in ("UPDATE stock_movements SET change = 400",
                    "DELETE FROM stock_movements"):  # fmt: skip
            try:
                with db.engine.begin() as conn:
                    conn.exec_driver_sql(sql)
            except Exception as exc:  # sqlite3.IntegrityError / psycopg RaiseException
                assert "append-only" in str(exc)
            else:
                raise AssertionError(f"the database allowed: {sql}")
        assert db.session.scalar(db.select(db.func.count()).select_from(StockMovement)) == 2
    stock = client.get("/api/v1/stock", headers=ph).get_json()
    line = stock["items"][0]
    assert line["usable"] == 37 and line["low"] and line["near_expiry"] == 37
    assert stock["alerts"]["low_stock"][0]["medicine"] == "ORS 20.5 g tablet"
    assert run_job(app, "pharmacy-stock-alerts", scheduled=False) == {
        "low_stock": 1, "near_expiry": 1}  # fmt: skip
    page, _ = logged_in("pharmacist")
    html = page.get("/pharmacy/stock").get_data(as_text=True)
    assert "Low stock: ORS 20.5 g tablet" in html and "<svg" in html
    csv_text = page.get("/pharmacy/stock.csv").get_data(as_text=True)
    assert "ORS,20.5 g,tablet,ORS-1" in csv_text and "near expiry" in csv_text
    ledger = client.get(f"/api/v1/stock/ledger?medicine_id={med}", headers=ph).get_json()
    assert [(m["kind"], m["change"], m["reason"]) for m in ledger["items"]] == [
        ("adjustment", -3, "torn sachets"), ("receipt", 40, "received from KMSCL")]  # fmt: skip
    assert all(m["by"] for m in ledger["items"])
    assert client.get("/api/v1/stock/ledger?kind=theft", headers=ph).status_code == 400
    html = page.get("/pharmacy/ledger?kind=adjustment").get_data(as_text=True)
    assert "torn sachets" in html and "received from KMSCL" not in html
    home = page.get("/dashboard").get_data(as_text=True)
    assert "<strong>1</strong> medicines at or under reorder level" in home
    kept = page.get("/pharmacy/alerts").get_data(as_text=True)
    assert "batch ORS-1 expires" in kept and "37 usable, reorder at 50" in kept


def test_concurrent_pharmacists_never_oversell(app, client, account):
    """Eight prescriptions of 10 against 60 usable tablets, dispensed by four pharmacists at
    the same moment: exactly 60 go out, no batch goes below zero, the expired batch is
    untouched and the ledger matches the shelf."""
    ph = token_for(client, account("pharmacist"))
    doctor = token_for(client, account("doctor"))
    med = medicine(client, ph, "Metformin", "500 mg")
    receive(client, ph, med, "A", 25, 60)
    receive(client, ph, med, "B", 35, 300)
    _expired_batch(app, med, "EXP", 100)
    rxs = []
    for _ in range(8):
        patient = account("patient")
        rx = prescribe(client, doctor, patient.health_id, [item(med, quantity=10)]).get_json()
        rxs.append((rx["id"], rx["items"][0]["item_id"]))
    pharmacists = [make_account(app, "pharmacist") for _ in range(4)]
    tokens = [token_for(client, p) for p in pharmacists]
    barrier = threading.Barrier(len(rxs))
    results, errors = [], []

    def work(n: int) -> None:
        c = app.test_client()
        rx_id, item_id = rxs[n]
        barrier.wait()
        resp = c.post(f"/api/v1/prescriptions/{rx_id}/dispense", headers=tokens[n % 4],
                      json={"items": [{"item_id": item_id, "quantity": 10}]})  # fmt: skip
        (results if resp.status_code == 200 else errors).append(resp.get_json())

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(rxs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    out = sum(r["dispensed"][0]["dispensed"] for r in results)
    assert out == 60, [r["dispensed"] for r in results]
    assert _on_hand(app) == {"A": 0, "B": 0, "EXP": 100}
    assert _ledger_ok(app)
    statuses = sorted(r["prescription"]["status"] for r in results)
    assert statuses.count("dispensed") == 6 and len(statuses) == 8
    # and the same prescription dispensed twice at once goes out once
    patient = account("patient")
    receive(client, ph, med, "C", 100, 300)
    rx = prescribe(client, doctor, patient.health_id, [item(med, quantity=10)],
                   acknowledge_warnings=True).get_json()  # fmt: skip
    barrier2 = threading.Barrier(4)
    answers = []

    def same(n: int) -> None:
        c = app.test_client()
        barrier2.wait()
        body = {"items": [{"item_id": rx["items"][0]["item_id"], "quantity": 10}]}
        resp = c.post(f"/api/v1/prescriptions/{rx['id']}/dispense", headers=tokens[n], json=body)
        answers.append(resp.status_code)

    threads = [threading.Thread(target=same, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(answers) == [200, 400, 400, 400]
    assert _on_hand(app)["C"] == 90 and _ledger_ok(app)
