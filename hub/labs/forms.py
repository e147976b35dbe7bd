"""Lab report upload form."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class UploadForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    date = DateField("Report date", validators=[DataRequired()], default=date.today)
    file = FileField("File (PDF, JPEG or PNG, up to 10 MB)", validators=[FileRequired()])
    submit = SubmitField("Upload")
