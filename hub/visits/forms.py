"""Home-visit forms: plans, single visits, outcomes, and the ASHA's patient records."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from hub.forms import choices
from hub.visits.models import KINDS


def asha_field(label: str = "ASHA worker") -> SelectField:
    return SelectField(label, coerce=lambda v: int(v) if v not in (None, "", "None") else None)


class PlanForm(FlaskForm):
    health_id = StringField("Health ID", validators=[DataRequired(), Length(max=20)])
    kind = SelectField("Plan", choices=choices(list(KINDS.items())))
    asha_id = asha_field()
    edd = DateField("Expected date of delivery (antenatal)", validators=[Optional()])
    delivered_on = DateField("Date of delivery (postnatal)", validators=[Optional()])
    every_days = IntegerField(
        "Visit every … days (bedridden)", validators=[Optional(), NumberRange(1, 90)], default=14
    )
    starts_on = DateField("First visit (bedridden)", validators=[Optional()], default=date.today)
    ends_on = DateField("Plan ends (optional)", validators=[Optional()])
    submit = SubmitField("Make the plan")


class OutcomeForm(FlaskForm):
    status = SelectField(
        "Outcome",
        choices=choices([("done", "Done"), ("missed", "Missed"), ("rescheduled", "Rescheduled")]),
    )
    visited_on = DateField("Visited on", validators=[Optional()], default=date.today)
    bp_systolic = IntegerField("BP systolic (mmHg)", validators=[Optional()])
    bp_diastolic = IntegerField("BP diastolic (mmHg)", validators=[Optional()])
    weight_kg = DecimalField("Weight (kg)", places=2, validators=[Optional()])
    hb_g_dl = DecimalField("Hb (g/dL)", places=1, validators=[Optional()])
    temperature_c = DecimalField("Temperature (°C)", places=1, validators=[Optional()])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=4000)])
    missed_reason = StringField("Why missed", validators=[Optional(), Length(max=200)])
    reschedule_to = DateField("New date (rescheduled)", validators=[Optional()])
    submit = SubmitField("Save")


class CoveredPatientForm(FlaskForm):
    """What an ASHA keeps up to date for the people and households she covers."""

    phone = StringField("Phone", validators=[Optional(), Length(max=20)])
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)])
    area = StringField("Ward / village", validators=[Optional(), Length(max=120)])
    household = StringField("Household", validators=[Optional(), Length(max=120)])
    guardian_name = StringField("Guardian", validators=[Optional(), Length(max=120)])
    submit = SubmitField("Save")


class NewPatientForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    date_of_birth = DateField("Date of birth", validators=[DataRequired()])
    sex = SelectField(
        "Sex", choices=choices([("female", "Female"), ("male", "Male"), ("other", "Other")])
    )
    guardian_name = StringField("Guardian", validators=[Optional(), Length(max=120)])
    phone = StringField("Phone", validators=[Optional(), Length(max=20)])
    area = StringField("Ward / village", validators=[Optional(), Length(max=120)])
    household = StringField("Household", validators=[Optional(), Length(max=120)])
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Register")
