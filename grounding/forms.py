"""Forms: a personal exercise, written by a client or their therapist."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class CustomExerciseForm(FlaskForm):
    """Title and steps (one per line)."""

    title = StringField(_l("Name of the exercise"), validators=[DataRequired(), Length(max=120)])
    steps = TextAreaField(_l("Steps"), description=_l("Write one step per line. Keep each step short and kind."),
                          validators=[DataRequired(), Length(max=8000)])
