"""Attendance correction form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional


class CorrectionForm(FlaskForm):
    staff_id = StringField("Staff id", validators=[DataRequired(), Length(max=64)])
    day = DateField("Day", validators=[DataRequired()])
    first_in = TimeField("Arrival", validators=[Optional()])
    last_out = TimeField("Departure", validators=[Optional()])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField("Save correction")
