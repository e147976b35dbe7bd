"""Pharmacy pages: the queue, dispensing, stock with receiving, adjustments, the catalogue,
alerts, a chart and the CSV export."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.access import ADMIN, PHARMACIST, allow
from hub.clinic.models import OPEN_STATUSES, Prescription
from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.pharmacy import services
from hub.pharmacy.models import FORMS, Medicine

bp = Blueprint("pharmacy", __name__, url_prefix="/pharmacy")


@bp.route("/")
@allow(PHARMACIST)
def queue():
    rows = db.session.scalars(
        db.select(Prescription)
        .where(Prescription.status.in_(OPEN_STATUSES))
        .order_by(Prescription.created_at, Prescription.id)
        .limit(300)
    ).all()
    return render_template("pharmacy/queue.html", rows=rows)


@bp.route("/prescriptions/<int:prescription_id>", methods=["GET", "POST"])
@allow(PHARMACIST)
def dispense(prescription_id: int):
    rx = db.get_or_404(Prescription, prescription_id)
    errors: dict[str, str] = {}
    results = None
    if request.method == "POST":
        wanted = {}
        for item in rx.items:
            raw = request.form.get(f"qty_{item.id}", "0").strip() or "0"
            if not raw.isdigit():
                errors[f"items.{item.id}"] = "A whole number."
            elif int(raw):
                wanted[item.id] = int(raw)
        try:
            if errors:
                raise ServiceError("Check the quantities.", errors)
            if not wanted:
                raise ServiceError("Nothing to dispense.", {"form": "Give a quantity."})
            results = services.dispense(rx.id, wanted, user_id=current_user.id)
        except ServiceError as exc:
            errors = exc.fields or {"form": exc.message}
        else:
            short = [r for r in results if r.short]
            flash(
                "Dispensed."
                + (
                    " Short: " + ", ".join(f"{r.medicine} {r.short}" for r in short)
                    if short
                    else ""
                ),
                "error" if short else "info",
            )
            return redirect(url_for("pharmacy.dispense", prescription_id=rx.id))
        db.session.refresh(rx)
    stock = {line.medicine.id: line.usable for line in services.stock_lines()}
    return render_template(
        "pharmacy/dispense.html", rx=rx, errors=errors, stock=stock, form=request.form
    )


@bp.route("/stock", methods=["GET", "POST"])
@allow(PHARMACIST, ADMIN)
def stock():
    errors: dict[str, str] = {}
    f = request.form
    if request.method == "POST":
        if current_user.role != PHARMACIST:
            abort(403, "only a pharmacist changes stock")
        try:
            action = f.get("action")
            if action == "medicine":
                services.create_medicine(
                    name=f.get("name", ""),
                    strength=f.get("strength", ""),
                    form=f.get("form", ""),
                    reorder_level=int(f.get("reorder_level") or 0),
                )
                flash("Medicine added.", "info")
            elif action == "receive":
                services.receive(
                    medicine_id=int(f.get("medicine_id") or 0),
                    batch_no=f.get("batch", ""),
                    expiry=_date(f.get("expiry"), "expiry"),
                    quantity=int(f.get("quantity") or 0),
                    supplier=f.get("supplier"),
                    received_on=_date(f.get("received_on"), "received_on", optional=True),
                    user_id=current_user.id,
                )
                flash("Stock received.", "info")
            elif action == "adjust":
                services.adjust(
                    batch_id=int(f.get("batch_id") or 0),
                    change=int(f.get("change") or 0),
                    reason=f.get("reason", ""),
                    user_id=current_user.id,
                )
                flash("Stock adjusted.", "info")
            return redirect(url_for("pharmacy.stock"))
        except ValueError:
            errors = {"form": "Quantities are whole numbers."}
        except ServiceError as exc:
            errors = exc.fields or {"form": exc.message}
    lines = services.stock_lines()
    top = max([max(line.usable, line.medicine.reorder_level) for line in lines] + [1])
    return render_template(
        "pharmacy/stock.html",
        lines=lines,
        top=top,
        alerts=services.alerts(lines=lines),
        medicines=db.session.scalars(db.select(Medicine).order_by(Medicine.name)).all(),
        batches={line.medicine.id: services.batches_of(line.medicine.id) for line in lines},
        forms=FORMS,
        errors=errors,
        form=f,
        today=date.today(),
    )


def _date(raw: str | None, name: str, optional: bool = False) -> date | None:
    if not raw and optional:
        return None
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        raise ServiceError("Check the dates.", {name: "A date, YYYY-MM-DD."}) from None


@bp.route("/stock.csv")
@allow(PHARMACIST, ADMIN)
def stock_csv():
    return Response(
        services.stock_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=stock-{date.today()}.csv"},
    )


@bp.route("/alerts")
@allow(PHARMACIST, ADMIN)
def alerts():
    """Today's alerts, and the morning reports the daily job kept (newest first)."""
    import csv
    import io

    from hub.surveillance.models import GeneratedReport
    from hub.surveillance.reports import report_dir

    kept = []
    for report in db.session.scalars(
        db.select(GeneratedReport)
        .where(GeneratedReport.kind == "stock-alerts")
        .order_by(GeneratedReport.id.desc())
        .limit(14)
    ):
        path = report_dir() / report.stored_name
        rows = list(csv.reader(io.StringIO(path.read_text())))[1:] if path.exists() else []
        kept.append((report, rows))
    return render_template("pharmacy/alerts.html", now=services.alerts(), kept=kept)


@bp.route("/ledger")
@allow(PHARMACIST, ADMIN)
def ledger():
    """Every stock movement with who and why (append-only), newest first."""
    medicine_id = request.args.get("medicine", type=int)
    kind = request.args.get("kind") or None
    try:
        query = services.ledger_query(medicine_id, kind)
    except ServiceError as exc:
        flash(exc.message, "error")
        query, kind = services.ledger_query(medicine_id), None
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=100,
                       error_out=False)  # fmt: skip
    return render_template(
        "pharmacy/ledger.html",
        page=page,
        medicines=db.session.scalars(db.select(Medicine).order_by(Medicine.name)).all(),
        medicine_id=medicine_id,
        kind=kind,
    )
