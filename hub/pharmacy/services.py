"""The pharmacy: catalogue, receiving stock, adjustments, FEFO dispensing that never
oversells, the ledger, and the stock alerts."""

from __future__ import annotations

import csv
import io
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import DBAPIError, IntegrityError

from hub.clinic.models import (
    DISPENSED,
    OPEN_STATUSES,
    PARTIAL,
    PENDING,
    Prescription,
    PrescriptionItem,
)
from hub.errors.exceptions import Conflict, NotFound, ServiceError
from hub.extensions import db
from hub.pharmacy.models import (
    ADJUSTMENT,
    DISPENSE,
    FORMS,
    RECEIPT,
    Medicine,
    StockBatch,
    StockMovement,
)

logger = logging.getLogger(__name__)

#: A batch expiring within this many days is "near expiry".
NEAR_EXPIRY_DAYS = 90


def usable(today: date):
    """Batches that may be dispensed today: expiring after today (never on the expiry day
    or later), with stock left."""
    return (StockBatch.expiry > today) & (StockBatch.on_hand > 0)


# ---- catalogue ----------------------------------------------------------------------------


def create_medicine(*, name: str, strength: str, form: str, reorder_level: int) -> Medicine:
    errors = {}
    if not name.strip():
        errors["name"] = "Give the medicine's name."
    if not strength.strip():
        errors["strength"] = "Give the strength, e.g. 500 mg."
    if form not in FORMS:
        errors["form"] = f"Choose one of {', '.join(FORMS)}."
    if reorder_level < 0:
        errors["reorder_level"] = "Zero or more."
    if errors:
        raise ServiceError("Check the highlighted fields.", errors)
    med = Medicine(
        name=name.strip(), strength=strength.strip(), form=form, reorder_level=reorder_level
    )
    db.session.add(med)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "This medicine is already in the catalogue.", {"name": "Already listed."}
        ) from None
    return med


def get_medicine(medicine_id: int) -> Medicine:
    med = db.session.get(Medicine, medicine_id)
    if med is None:
        raise NotFound("No such medicine.", {"medicine_id": "Unknown medicine."})
    return med


def medicine_dict(m: Medicine, on_hand: int | None = None) -> dict[str, Any]:
    out = {
        "id": m.id,
        "name": m.name,
        "strength": m.strength,
        "form": m.form,
        "reorder_level": m.reorder_level,
        "display": m.display,
    }
    if on_hand is not None:
        out["on_hand"] = on_hand
    return out


# ---- receiving and adjusting -------------------------------------------------------------


def receive(
    *,
    medicine_id: int,
    batch_no: str,
    expiry: date,
    quantity: int,
    supplier: str | None,
    received_on: date | None,
    user_id: int | None,
    today: date | None = None,
) -> StockBatch:
    today = today or date.today()
    med = get_medicine(medicine_id)
    errors = {}
    if quantity <= 0:
        errors["quantity"] = "Receive one or more."
    if expiry <= today:
        errors["expiry"] = "This batch has expired: it cannot be taken into stock."
    if not batch_no.strip():
        errors["batch"] = "Give the batch number."
    received_on = received_on or today
    if received_on > today:
        errors["received_on"] = "Cannot be in the future."
    if errors:
        raise ServiceError("Check the highlighted fields.", errors)
    batch = db.session.scalar(
        db.select(StockBatch).where(
            StockBatch.medicine_id == med.id, StockBatch.batch_no == batch_no.strip()
        )
    )
    if batch is not None:
        if batch.expiry != expiry:
            raise ServiceError(
                "Batch already known with another expiry.",
                {"expiry": f"Batch {batch.batch_no} expires {batch.expiry:%d %b %Y}."},
            )
        db.session.execute(
            db.update(StockBatch)
            .where(StockBatch.id == batch.id)
            .values(
                on_hand=StockBatch.on_hand + quantity,
                quantity_received=StockBatch.quantity_received + quantity,
            )
        )
    else:
        batch = StockBatch(
            medicine_id=med.id,
            batch_no=batch_no.strip(),
            expiry=expiry,
            quantity_received=quantity,
            on_hand=quantity,
            supplier=(supplier or "").strip() or None,
            received_on=received_on,
            received_by_id=user_id,
        )
        db.session.add(batch)
        db.session.flush()
    db.session.add(
        StockMovement(
            medicine_id=med.id,
            batch_id=batch.id,
            change=quantity,
            kind=RECEIPT,
            reason=f"received from {supplier}" if supplier else "received",
            user_id=user_id,
        )
    )
    db.session.commit()
    db.session.refresh(batch)
    return batch


def adjust(*, batch_id: int, change: int, reason: str, user_id: int | None) -> StockBatch:
    """Count corrections, breakage, expiry write-off: any change with a reason."""
    batch = db.session.get(StockBatch, batch_id)
    if batch is None:
        raise NotFound("No such batch.", {"batch_id": "Unknown batch."})
    errors = {}
    if change == 0:
        errors["change"] = "Give a change other than zero."
    if not reason.strip():
        errors["reason"] = "Say why the stock changes."
    if errors:
        raise ServiceError("Check the highlighted fields.", errors)
    done = db.session.execute(
        db.update(StockBatch)
        .where(StockBatch.id == batch.id, StockBatch.on_hand + change >= 0)
        .values(on_hand=StockBatch.on_hand + change)
    ).rowcount
    if not done:
        db.session.rollback()
        raise ServiceError(
            "Not that much in stock.", {"change": f"Batch {batch.batch_no} holds {batch.on_hand}."}
        )
    db.session.add(
        StockMovement(
            medicine_id=batch.medicine_id,
            batch_id=batch.id,
            change=change,
            kind=ADJUSTMENT,
            reason=reason.strip(),
            user_id=user_id,
        )
    )
    db.session.commit()
    db.session.refresh(batch)
    return batch


# ---- dispensing ---------------------------------------------------------------------------


@dataclass
class ItemResult:
    item_id: int
    medicine: str
    requested: int
    dispensed: int = 0
    batches: list[tuple[str, int]] = field(default_factory=list)

    @property
    def short(self) -> int:
        return self.requested - self.dispensed


def _dispense_once(
    prescription_id: int, wanted: dict[int, int], user_id: int | None, today: date
) -> list[ItemResult]:
    # Lock the prescription: two pharmacists on the same prescription take turns.
    rx = db.session.scalar(
        db.select(Prescription)
        .where(Prescription.id == prescription_id)
        .with_for_update(of=Prescription)
    )
    if rx is None:
        raise NotFound("No such prescription.")
    if rx.status not in OPEN_STATUSES:
        raise ServiceError(f"This prescription is {rx.status}.", {"status": rx.status})
    items = {i.id: i for i in rx.items}
    errors = {}
    for item_id, qty in wanted.items():
        item = items.get(item_id)
        if item is None:
            errors[f"items.{item_id}"] = "Not an item of this prescription."
        elif qty < 0:
            errors[f"items.{item_id}"] = "Zero or more."
        elif qty > item.remaining:
            errors[f"items.{item_id}"] = f"Only {item.remaining} left to dispense."
    if errors:
        raise ServiceError("Check the quantities.", errors)
    results = []
    # Items in medicine order, so concurrent dispensers lock batches in the same order.
    for item_id in sorted(wanted, key=lambda i: (items[i].medicine_id, i)):
        item, need = items[item_id], wanted[item_id]
        result = ItemResult(item_id, item.medicine.display, need)
        results.append(result)
        if need == 0:
            continue
        # Reserve on the prescription first, atomically: the same item dispensed twice at
        # once goes out once (this write also takes SQLite's write lock for the rest).
        reserved = db.session.execute(
            db.update(PrescriptionItem)
            .where(
                PrescriptionItem.id == item.id,
                PrescriptionItem.dispensed + need <= PrescriptionItem.quantity,
            )
            .values(dispensed=PrescriptionItem.dispensed + need)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not reserved:
            db.session.rollback()
            left = db.session.scalar(
                db.select(PrescriptionItem.quantity - PrescriptionItem.dispensed).where(
                    PrescriptionItem.id == item_id
                )
            )
            raise ServiceError(
                "Check the quantities.", {f"items.{item_id}": f"Only {left} left to dispense."}
            )
        rounds = 0
        while need > 0 and rounds < 50:
            rounds += 1
            # Fresh numbers every round (populate_existing): where rows are not locked
            # (SQLite), another pharmacist may have taken from a batch since the last look.
            batches = db.session.scalars(
                db.select(StockBatch)
                .where(StockBatch.medicine_id == item.medicine_id, usable(today))
                .order_by(StockBatch.expiry, StockBatch.id)
                .with_for_update(of=StockBatch)
                .execution_options(populate_existing=True)
            ).all()
            if not batches:
                break
            progressed = False
            for batch in batches:
                take = min(need, batch.on_hand)
                if take <= 0:
                    continue
                # Conditional: never below zero, even where rows are not locked (SQLite).
                took = db.session.execute(
                    db.update(StockBatch)
                    .where(StockBatch.id == batch.id, StockBatch.on_hand >= take)
                    .values(on_hand=StockBatch.on_hand - take)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if not took:
                    continue
                db.session.add(
                    StockMovement(
                        medicine_id=item.medicine_id,
                        batch_id=batch.id,
                        change=-take,
                        kind=DISPENSE,
                        reason=f"prescription {rx.id}",
                        prescription_item_id=item.id,
                        user_id=user_id,
                    )
                )
                need -= take
                result.dispensed += take
                result.batches.append((batch.batch_no, take))
                progressed = True
                if need == 0:
                    break
            if not progressed:
                continue  # the shelf changed under us: look again
        if result.short:  # the shelf lacked some: give back what was not dispensed
            db.session.execute(
                db.update(PrescriptionItem)
                .where(PrescriptionItem.id == item.id)
                .values(dispensed=PrescriptionItem.dispensed - result.short)
                .execution_options(synchronize_session=False)
            )
    db.session.flush()
    db.session.expire(rx)
    counts = db.session.execute(
        db.select(PrescriptionItem.quantity, PrescriptionItem.dispensed).where(
            PrescriptionItem.prescription_id == rx.id
        )
    ).all()
    if all(q == d for q, d in counts):
        rx.status = DISPENSED
    else:
        rx.status = PARTIAL if any(d > 0 for _, d in counts) else PENDING
    db.session.commit()
    return results


def dispense(
    prescription_id: int,
    wanted: dict[int, int],
    *,
    user_id: int | None,
    today: date | None = None,
    attempts: int = 5,
) -> list[ItemResult]:
    """Dispense up to the wanted quantity of each item, first-expiry-first-out, from batches
    that have not expired; what the shelf lacks stays to dispense (partial). Retries when
    the database aborts the transaction for a concurrent writer (deadlock, busy)."""
    today = today or date.today()
    for attempt in range(attempts):
        try:
            return _dispense_once(prescription_id, wanted, user_id, today)
        except DBAPIError as exc:
            db.session.rollback()
            text = str(exc.orig).lower()
            if attempt + 1 == attempts or not ("deadlock" in text or "locked" in text):
                raise
            logger.info("dispense of prescription %s retried: %s", prescription_id, text)
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


# ---- stock views, ledger and alerts ------------------------------------------------------


@dataclass
class StockLine:
    medicine: Medicine
    usable: int
    expired: int
    near_expiry: int
    next_expiry: date | None

    @property
    def low(self) -> bool:
        return self.usable <= self.medicine.reorder_level


def stock_lines(today: date | None = None) -> list[StockLine]:
    today = today or date.today()
    near = today + timedelta(days=NEAR_EXPIRY_DAYS)
    per: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"usable": 0, "expired": 0, "near": 0, "next": None}
    )
    for b in db.session.scalars(db.select(StockBatch).where(StockBatch.on_hand > 0)):
        row = per[b.medicine_id]
        if b.expiry > today:
            row["usable"] += b.on_hand
            row["next"] = min(row["next"] or b.expiry, b.expiry)
            if b.expiry <= near:
                row["near"] += b.on_hand
        else:
            row["expired"] += b.on_hand
    meds = db.session.scalars(
        db.select(Medicine).where(Medicine.active.is_(True)).order_by(Medicine.name)
    )
    return [
        StockLine(
            m, per[m.id]["usable"], per[m.id]["expired"], per[m.id]["near"], per[m.id]["next"]
        )
        for m in meds
    ]


def batches_of(medicine_id: int) -> list[StockBatch]:
    return list(
        db.session.scalars(
            db.select(StockBatch)
            .where(StockBatch.medicine_id == medicine_id)
            .order_by(StockBatch.expiry, StockBatch.id)
        )
    )


def ledger_query(medicine_id: int | None = None, kind: str | None = None):
    """The ledger, newest first, optionally for one medicine or one kind of movement."""
    q = db.select(StockMovement).order_by(StockMovement.id.desc())
    if medicine_id:
        q = q.where(StockMovement.medicine_id == medicine_id)
    if kind:
        if kind not in (RECEIPT, DISPENSE, ADJUSTMENT):
            raise ServiceError("Unknown kind.", {"kind": "receipt, dispense or adjustment"})
        q = q.where(StockMovement.kind == kind)
    return q


def movement_dict(m: StockMovement) -> dict[str, Any]:
    return {
        "id": m.id,
        "at": m.at.isoformat(timespec="seconds") + "Z",
        "medicine_id": m.medicine_id,
        "medicine": m.batch.medicine.display,
        "batch": m.batch.batch_no,
        "change": m.change,
        "kind": m.kind,
        "reason": m.reason,
        "prescription_item_id": m.prescription_item_id,
        "by": m.user.name if m.user else None,
    }


def ledger_mismatches() -> list[int]:
    """Batches whose ledger does not sum to their stock on hand (should be none)."""
    sums = dict(
        db.session.execute(
            db.select(StockMovement.batch_id, func.sum(StockMovement.change)).group_by(
                StockMovement.batch_id
            )
        ).all()
    )
    return [
        b_id
        for b_id, on_hand in db.session.execute(db.select(StockBatch.id, StockBatch.on_hand))
        if sums.get(b_id, 0) != on_hand
    ]


def stock_csv(today: date | None = None) -> bytes:
    today = today or date.today()
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["medicine", "strength", "form", "batch", "expiry", "on_hand", "status",
                "reorder_level", "medicine_usable_total"])  # fmt: skip
    for line in stock_lines(today):
        for b in batches_of(line.medicine.id):
            status = (
                "expired"
                if b.expiry <= today
                else "near expiry"
                if b.expiry <= today + timedelta(days=NEAR_EXPIRY_DAYS)
                else "ok"
            )
            w.writerow([line.medicine.name, line.medicine.strength, line.medicine.form,
                        b.batch_no, b.expiry.isoformat(), b.on_hand, status,
                        line.medicine.reorder_level, line.usable])  # fmt: skip
    return buf.getvalue().encode()


def alerts(
    today: date | None = None, lines: list[StockLine] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Low stock and near expiry; ``lines``: the stock lines when the caller has them."""
    today = today or date.today()
    low = [
        {
            "medicine": line.medicine.display,
            "usable": line.usable,
            "reorder_level": line.medicine.reorder_level,
        }  # fmt: skip
        for line in (lines if lines is not None else stock_lines(today))
        if line.low
    ]
    near = [
        {
            "medicine": b.medicine.display,
            "batch": b.batch_no,
            "expiry": b.expiry.isoformat(),
            "on_hand": b.on_hand,
        }  # fmt: skip
        for b in db.session.scalars(
            db.select(StockBatch)
            .where(
                StockBatch.on_hand > 0,
                StockBatch.expiry <= today + timedelta(days=NEAR_EXPIRY_DAYS),
            )
            .order_by(StockBatch.expiry)
        )
    ]
    return {"low_stock": low, "near_expiry": near}


def alerts_csv(data: dict[str, list[dict[str, Any]]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["alert", "medicine", "detail"])
    for a in data["low_stock"]:
        w.writerow(["low stock", a["medicine"], f"{a['usable']} usable, reorder at "
                    f"{a['reorder_level']}"])  # fmt: skip
    for a in data["near_expiry"]:
        when = "expired" if date.fromisoformat(a["expiry"]) <= date.today() else "expires"
        w.writerow(["near expiry", a["medicine"], f"batch {a['batch']} {when} {a['expiry']}, "
                    f"{a['on_hand']} on hand"])  # fmt: skip
    return buf.getvalue().encode()
