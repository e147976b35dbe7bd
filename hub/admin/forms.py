"""Member administration forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from hub.access import CREATABLE_ROLES, ROLE_LABELS
from hub.auth.forms import PHONE
from hub.forms import choices


class StaffForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=choices([(r, ROLE_LABELS[r]) for r in CREATABLE_ROLES]))
    phone = StringField("Phone", validators=[Optional(), PHONE])
    area = StringField("Area (ward / village)", validators=[Optional(), Length(max=120)])
    specialisation = StringField(
        "Specialisation (doctors)", validators=[Optional(), Length(max=120)]
    )
    consultation_hours = StringField(
        "Consultation hours (doctors)", validators=[Optional(), Length(max=200)]
    )
    password = PasswordField("Initial password", validators=[DataRequired(), Length(min=8)])
    submit = SubmitField("Create account")


class StatusForm(FlaskForm):
    status = SelectField(
        "Status", choices=choices([("active", "Active"), ("deactivated", "Deactivated")])
    )
    submit = SubmitField("Apply")
