"""Errors raised by services. Views turn them into form errors or JSON answers."""

from __future__ import annotations


class ServiceError(Exception):
    """A request that cannot be carried out, with a reason a person can act on."""

    status = 400

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class Unauthorized(ServiceError):
    status = 401


class TooManyRequests(ServiceError):
    status = 429


class PayloadTooLarge(ServiceError):
    status = 413


class UnsupportedMediaType(ServiceError):
    status = 415
