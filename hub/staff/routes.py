"""Doctor search."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from hub.access import AUTHENTICATED, allow
from hub.extensions import db
from hub.staff.services import doctor_search_query

bp = Blueprint("staff", __name__)

PER_PAGE = 20


@bp.route("/doctors")
@allow(AUTHENTICATED)
def doctors():
    q = request.args.get("q", "").strip()
    page = db.paginate(doctor_search_query(q), per_page=PER_PAGE, error_out=False)
    return render_template("staff/doctors.html", q=q, page=page)
