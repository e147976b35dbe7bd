"""Feedback forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from hub.feedback.models import KINDS, STATUSES
from hub.forms import choices


class FeedbackForm(FlaskForm):
    kind = SelectField("Kind", choices=choices([(k, k.title()) for k in KINDS]))
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)])
    text = TextAreaField("What happened, or what do you suggest?", validators=[DataRequired()])
    anonymous = BooleanField("Hide my name from staff")
    submit = SubmitField("Send")


class ResponseForm(FlaskForm):
    status = SelectField(
        "Status", choices=choices([(s, s.replace("_", " ").title()) for s in STATUSES])
    )
    response = TextAreaField("Response to the submitter", validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Update")
