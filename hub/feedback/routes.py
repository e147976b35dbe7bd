"""Feedback pages: submit and follow your own; the admin's queue."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.access import ADMIN, AUTHENTICATED, allow
from hub.errors.exceptions import ServiceError
from hub.extensions import db
from hub.feedback import services
from hub.feedback.forms import FeedbackForm, ResponseForm
from hub.feedback.models import STATUSES, Feedback
from hub.forms import show_service_error

bp = Blueprint("feedback", __name__, url_prefix="/feedback")


@bp.route("/", methods=["GET", "POST"])
@allow(AUTHENTICATED)
def mine():
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            services.submit(
                current_user,
                kind=form.kind.data,
                subject=form.subject.data,
                text=form.text.data,
                anonymous=form.anonymous.data,
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash("Thank you. You can follow its status here.", "info")
            return redirect(url_for("feedback.mine"))
    items = db.session.scalars(services.own_query(current_user)).all()
    return render_template(
        "feedback/mine.html", form=form, items=items, labels=services.STATUS_LABELS
    )


@bp.route("/queue")
@allow(ADMIN)
def queue():
    status = request.args.get("status") or None
    if status not in STATUSES:
        status = None
    page = db.paginate(services.queue_query(status), per_page=25, error_out=False)
    return render_template(
        "feedback/queue.html",
        page=page,
        status=status,
        statuses=STATUSES,
        labels=services.STATUS_LABELS,
        who=services.submitter_label,
    )


@bp.route("/queue/<int:item_id>", methods=["GET", "POST"])
@allow(ADMIN)
def work(item_id: int):
    item = db.get_or_404(Feedback, item_id)
    form = ResponseForm(obj=item)
    if form.validate_on_submit():
        try:
            services.update(
                item, current_user, status=form.status.data, response=form.response.data
            )
        except ServiceError as exc:
            db.session.rollback()
            show_service_error(form, exc)
        else:
            flash("Updated.", "info")
            return redirect(url_for("feedback.queue"))
    return render_template(
        "feedback/work.html",
        item=item,
        form=form,
        submitter=services.submitter_label(item, current_user),
        next_statuses=services.TRANSITIONS[item.status],
        labels=services.STATUS_LABELS,
    )
