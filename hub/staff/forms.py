"""Face enrolment form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional


class FaceForm(FlaskForm):
    staff_id = StringField("Staff id", validators=[Optional(), Length(max=64)])
    file = FileField(
        "Photo (JPEG or PNG, one face, looking at the camera)", validators=[FileRequired()]
    )
    submit = SubmitField("Enrol photo")
