"""The notification settings form."""
from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TimeField
from wtforms.validators import DataRequired, Optional

from backend.push.kinds import choices
from backend.push.reminders import in_quiet_hours


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone with a place name (Europe/Oslo), sorted."""
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [(z, z.replace("_", " ")) for z in zones]


class NotificationSettingsForm(FlaskForm):
    """When, and how much the lock screen may show; `settings_form()` adds one checkbox per
    registered kind of reminder."""

    daily_time = TimeField(_l("Time for the daily reminder"), validators=[DataRequired(_l("Choose a time."))])
    quiet_start = TimeField(_l("Quiet from"), validators=[Optional()],
                            description=_l("No notifications between these times. Leave both empty to allow any time."))
    quiet_end = TimeField(_l("Quiet until"), validators=[Optional()])
    time_zone = SelectField(_l("Time zone"), choices=[])
    show_text = BooleanField(
        _l("Show what a reminder is about on the lock screen"),
        description=_l("Off: notifications only say \u201cYou have a reminder\u201d. On: they can show "
                       "the words of your commitment, which anyone who sees your phone can read."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = zone_choices()

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the rules between fields (an empty Optional field skips its own)."""
        valid = super().validate(extra_validators)
        if (self.quiet_start.data is None) != (self.quiet_end.data is None):
            self.quiet_end.errors = [*self.quiet_end.errors, _l("Give both times, or leave both empty.")]
            valid = False
        elif (getattr(self, "daily", None) is not None and self.daily.data and self.daily_time.data
              and in_quiet_hours(self.daily_time.data, self.quiet_start.data, self.quiet_end.data)):
            self.daily_time.errors = [*self.daily_time.errors,
                                      _l("This time is within your quiet hours, so the reminder would never come.")]
            valid = False
        return valid


def settings_form(**kwargs) -> NotificationSettingsForm:
    """The settings form with a checkbox for each registered choice, in page order."""

    class Form(NotificationSettingsForm):
        pass

    for choice in choices(role=getattr(current_user, "role", None)):
        setattr(Form, choice.key, BooleanField(choice.label))
    return Form(**kwargs)
