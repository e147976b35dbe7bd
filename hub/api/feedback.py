"""API: feedback and complaints."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from hub.access import ADMIN, AUTHENTICATED
from hub.api import api_route, page_args, page_dict, parse_body
from hub.api.schemas import FeedbackIn, FeedbackPatch
from hub.extensions import db
from hub.feedback import services
from hub.feedback.models import Feedback


@api_route(
    "/feedback",
    methods=("POST",),
    roles=(AUTHENTICATED,),
    body=FeedbackIn,
    tag="feedback",
    summary="Submit feedback or a complaint",
    responses={201: "created"},
)
def submit():
    data = parse_body(FeedbackIn)
    item = services.submit(
        current_user, kind=data.kind, subject=data.subject, text=data.text, anonymous=data.anonymous
    )
    return jsonify(services.to_dict(item, current_user)), 201


@api_route(
    "/feedback",
    roles=(AUTHENTICATED,),
    tag="feedback",
    summary="Your own feedback; for an admin, the whole queue (?status=)",
    query={"status": "filter (admin)", "page": "page", "per_page": "items per page"},
)
def list_feedback():
    page, per_page = page_args()
    if current_user.role == ADMIN:
        query = services.queue_query(request.args.get("status") or None)
    else:
        query = services.own_query(current_user)
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return jsonify(
        page_dict(pagination, [services.to_dict(i, current_user) for i in pagination.items])
    )


@api_route(
    "/feedback/<int:item_id>",
    methods=("PATCH",),
    roles=(ADMIN,),
    body=FeedbackPatch,
    tag="feedback",
    summary="Move an item along open -> in_progress -> resolved/rejected",
)
def patch(item_id: int):
    item = db.get_or_404(Feedback, item_id)
    data = parse_body(FeedbackPatch)
    services.update(item, current_user, status=data.status, response=data.response)
    return jsonify(services.to_dict(item, current_user))
