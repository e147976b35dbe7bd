"""Error answers: JSON for the API, a page for people."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from hub.access import is_api_request
from hub.errors.exceptions import ServiceError

logger = logging.getLogger(__name__)


def error_response(status: int, message: str, fields: dict[str, str] | None = None):
    if is_api_request():
        body: dict = {"error": message}
        if fields:
            body["fields"] = fields
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        return error_response(exc.status, exc.message, exc.fields)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        return error_response(
            400, "The form expired or was not sent from this site. Reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        messages = {
            404: "Not found.",
            405: "Method not allowed.",
            413: f"The upload is too large (limit {app.config['MAX_UPLOAD_BYTES'] // 2**20} MB).",
        }
        message = messages.get(exc.code or 500) or exc.description or exc.name
        return error_response(exc.code or 500, message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        logger.exception("unhandled error")
        return error_response(500, "Something went wrong on our side; it has been logged.")
