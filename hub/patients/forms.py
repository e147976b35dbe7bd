"""Patient profile and look-up forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from hub.auth.forms import PHONE
from hub.forms import choices
from hub.patients.models import BLOOD_GROUPS


class ProfileForm(FlaskForm):
    phone = StringField("Mobile phone", validators=[Optional(), PHONE])
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)])
    area = StringField("Ward / village", validators=[Optional(), Length(max=120)])
    abha_number = StringField("ABHA number (optional)", validators=[Optional(), Length(max=20)])
    blood_group = SelectField(
        "Blood group", choices=choices([("", "Not known")] + [(b, b) for b in BLOOD_GROUPS])
    )
    allergies = TextAreaField("Allergies", validators=[Optional(), Length(max=2000)])
    chronic_conditions = TextAreaField(
        "Chronic conditions", validators=[Optional(), Length(max=2000)]
    )
    current_medicines = TextAreaField(
        "Current medicines", validators=[Optional(), Length(max=2000)]
    )
    emergency_contact_name = StringField(
        "Emergency contact", validators=[Optional(), Length(max=120)]
    )
    emergency_contact_phone = StringField("Emergency contact phone", validators=[Optional(), PHONE])
    submit = SubmitField("Save")


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    health_id = StringField("Health ID", validators=[DataRequired()])
