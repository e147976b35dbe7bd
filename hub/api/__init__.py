"""The JSON API under ``/api/v1``: the same resources as the pages, for programs.

Each view is declared with ``@api_route``, which records its roles (enforced by
``hub.access``) and what the OpenAPI document says of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, current_app, g, request
from flask_login import current_user
from pydantic import BaseModel, ValidationError

from hub.access import PUBLIC, allow, public
from hub.errors.exceptions import ServiceError
from hub.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable)


def api_route(
    rule: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    roles: tuple[str, ...],
    summary: str,
    body: type[BaseModel] | None = None,
    multipart: dict | None = None,
    query: dict[str, str] | None = None,
    responses: dict[int, str] | None = None,
    tag: str = "general",
) -> Callable[[F], F]:
    """Register an API view with its roles and its OpenAPI description."""

    def deco(view: F) -> F:
        view = public(view) if roles == (PUBLIC,) else allow(*roles)(view)
        view.api_spec = {  # type: ignore[attr-defined]
            "summary": summary,
            "body": body,
            "multipart": multipart,
            "query": query or {},
            "responses": responses or {},
            "tag": tag,
            "doc": view.__doc__,
        }
        bp.add_url_rule(rule, view_func=view, methods=list(methods))
        return view

    return deco


def parse_body(model: type[M]) -> M:
    """Validate the JSON body against ``model``; a 400 naming each bad field otherwise."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ServiceError("Send a JSON object with Content-Type: application/json.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = {
            ".".join(str(p) for p in err["loc"]) or "body": err["msg"] for err in exc.errors()
        }
        raise ServiceError("Invalid request body.", fields) from None


def page_args(default_per_page: int = 20, max_per_page: int = 100) -> tuple[int, int]:
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = min(max_per_page, max(1, int(request.args.get("per_page", default_per_page))))
    except ValueError:
        raise ServiceError("page and per_page are whole numbers.") from None
    return page, per_page


def page_dict(pagination: Any, items: list[Any]) -> dict[str, Any]:
    return {
        "items": items,
        "page": pagination.page,
        "per_page": pagination.per_page,
        "total": pagination.total,
        "pages": pagination.pages,
    }


@bp.before_request
def _csrf_for_sessions() -> None:
    # Bearer-token calls carry no ambient credential, so they need no CSRF token; calls
    # riding on the browser's session cookie do.
    if request.method in ("GET", "HEAD", "OPTIONS") or not current_app.config.get(
        "WTF_CSRF_ENABLED", True
    ):
        return
    if current_user.is_authenticated and not g.get("via_token"):
        csrf.protect()


def init_app(app: Flask) -> None:
    from hub.api import (  # noqa: F401  (routes)
        accounts,
        admin,
        attendance,
        clinic,
        feedback,
        fieldcare,
        openapi,
        patients,
        surveillance,
    )

    csrf.exempt(bp)
    app.register_blueprint(bp)
