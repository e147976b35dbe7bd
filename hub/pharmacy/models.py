"""The medicine catalogue, stock in batches, and the append-only stock ledger."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    DDL,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from hub.timeutil import utcnow

if TYPE_CHECKING:
    from hub.auth.models import User

FORMS = ("tablet", "capsule", "syrup", "suspension", "injection", "drops", "ointment", "inhaler",
         "sachet", "other")  # fmt: skip
RECEIPT, DISPENSE, ADJUSTMENT = "receipt", "dispense", "adjustment"


class Medicine(db.Model):
    __tablename__ = "medicines"
    __table_args__ = (UniqueConstraint("name", "strength", "form", name="uq_medicines_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    strength: Mapped[str] = mapped_column(String(60))
    form: Mapped[str] = mapped_column(String(20))
    reorder_level: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def display(self) -> str:
        return f"{self.name} {self.strength} {self.form}"


class StockBatch(db.Model):
    """A batch received. ``on_hand`` never goes below zero (a CHECK constraint backs the
    conditional updates of the dispensing code)."""

    __tablename__ = "stock_batches"
    __table_args__ = (
        UniqueConstraint("medicine_id", "batch_no", name="uq_stock_batches_medicine_batch"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        Index("ix_stock_batches_medicine_expiry", "medicine_id", "expiry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    medicine_id: Mapped[int] = mapped_column(ForeignKey("medicines.id", ondelete="RESTRICT"))
    batch_no: Mapped[str] = mapped_column(String(40))
    expiry: Mapped[date]
    quantity_received: Mapped[int]
    on_hand: Mapped[int]
    supplier: Mapped[str | None] = mapped_column(String(120))
    received_on: Mapped[date]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    medicine: Mapped[Medicine] = relationship(lazy="joined")


class StockMovement(db.Model):
    """One line of the stock ledger: every receipt, dispensing and adjustment, with who and
    why. Rows are only ever added (updates and deletes are refused below)."""

    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_medicine_at", "medicine_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    medicine_id: Mapped[int] = mapped_column(ForeignKey("medicines.id", ondelete="RESTRICT"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("stock_batches.id", ondelete="RESTRICT"))
    change: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(200))
    prescription_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("prescription_items.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    batch: Mapped[StockBatch] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship()


#: The database refuses changes to the ledger too, whatever the client: triggers made with
#: the table (``create_all``) and by migration 0006.
LEDGER_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements "
        "BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END",
        "CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements "
        "BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION stock_movements_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'the stock ledger is append-only'; END $$",
        "CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE "
        "ON stock_movements FOR EACH ROW EXECUTE FUNCTION stock_movements_append_only()",
    ],
}

for _dialect, _statements in LEDGER_TRIGGERS.items():
    for _sql in _statements:
        event.listen(
            StockMovement.__table__, "after_create", DDL(_sql).execute_if(dialect=_dialect)
        )


@event.listens_for(StockMovement, "before_update")
@event.listens_for(StockMovement, "before_delete")
def _ledger_is_append_only(_mapper, _connection, target: StockMovement) -> None:
    raise RuntimeError(f"the stock ledger is append-only (movement {target.id})")
