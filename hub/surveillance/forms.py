"""Case reporting, weekly counts and alert workflow forms."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from hub.forms import choices
from hub.surveillance import diseases
from hub.surveillance.models import ALERT_STATUSES

CONDITIONS = (
    [(f"S:{k}", f"S · {v}") for k, v in diseases.SYNDROMES.items()]
    + [(f"P:{k}", f"P · {v}") for k, v in diseases.DISEASES.items()]
    + [(f"L:{k}", f"L · {v}") for k, v in diseases.DISEASES.items()]
)


class CaseForm(FlaskForm):
    condition = SelectField("Form and condition", choices=choices(CONDITIONS))
    area = StringField("Ward / village", validators=[DataRequired(), Length(max=120)])
    onset_date = DateField("Onset date", validators=[DataRequired()], default=date.today)
    age_years = IntegerField("Age (years)", validators=[Optional(), NumberRange(0, 120)])
    sex = SelectField(
        "Sex",
        choices=choices([("", "—"), ("female", "Female"), ("male", "Male"), ("other", "Other")]),
    )
    health_id = StringField("Health ID (optional)", validators=[Optional(), Length(max=20)])
    lab_test = StringField("Lab test (L form)", validators=[Optional(), Length(max=120)])
    lab_result = StringField("Lab result (L form)", validators=[Optional(), Length(max=120)])
    submit = SubmitField("Report case")


class WeeklyForm(FlaskForm):
    condition = SelectField("Form and condition", choices=choices(CONDITIONS))
    area = StringField("Ward / village", validators=[DataRequired(), Length(max=120)])
    week = DateField("Any day of the week", validators=[DataRequired()], default=date.today)
    count = IntegerField("Cases in the week", validators=[DataRequired(), NumberRange(0, 100000)])
    submit = SubmitField("Save weekly count")


class AlertForm(FlaskForm):
    status = SelectField("Status", choices=choices([(s, s.title()) for s in ALERT_STATUSES]))
    note = TextAreaField("Note", validators=[Optional(), Length(max=4000)])
    submit = SubmitField("Update alert")
