"""Helpers shared by the areas' WTForms forms."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from hub.errors.exceptions import ServiceError


def show_service_error(form: FlaskForm, exc: ServiceError) -> None:
    """Put a service's field errors beside the form's fields; the rest as a message."""
    shown = False
    for name, message in exc.fields.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
            shown = True
    if not shown:
        flash(exc.message, "error")


def choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """``SelectField`` choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
