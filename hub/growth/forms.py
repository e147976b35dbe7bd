"""Growth measurement form."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, SelectField, SubmitField
from wtforms.validators import DataRequired, Optional

from hub.forms import choices


class MeasurementForm(FlaskForm):
    measured_on = DateField("Measured on", validators=[DataRequired()], default=date.today)
    weight_kg = FloatField("Weight (kg)", validators=[Optional()])
    height_cm = FloatField("Length / height (cm)", validators=[Optional()])
    position = SelectField(
        "Measured",
        choices=choices(
            [
                ("", "as WHO advises for the age"),
                ("lying", "lying (length)"),
                ("standing", "standing (height)"),
            ]  # fmt: skip
        ),
    )
    head_circumference_cm = FloatField("Head circumference (cm)", validators=[Optional()])
    muac_cm = FloatField("MUAC (cm)", validators=[Optional()])
    submit = SubmitField("Save measurement")
