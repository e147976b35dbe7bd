"""Vaccination forms."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from hub.forms import choices


class RegisterForm(FlaskForm):
    health_id = StringField("Health ID", validators=[DataRequired(), Length(max=20)])
    group = SelectField(
        "Register as",
        choices=choices([("child", "Child (by date of birth)"), ("pregnancy", "Pregnant woman")]),
    )
    edd = DateField("Expected date of delivery (pregnancy)", validators=[Optional()])
    submit = SubmitField("Register")


class DoseForm(FlaskForm):
    dose = SelectField("Dose")
    given_on = DateField("Given on", validators=[DataRequired()], default=date.today)
    batch = StringField("Batch number", validators=[DataRequired(), Length(max=40)])
    site = StringField("Session site", validators=[DataRequired(), Length(max=120)])
    submit = SubmitField("Record dose")
