"""The notification settings form."""
from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TimeField
from wtforms.validators import DataRequired, Optional, ValidationError

from backend.push.kinds import choices
from backend.push.reminders import in_quiet_hours


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone with a place name (Europe/Oslo), sorted."""
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [(z, z.replace("_", " ")) for z in zones]


def known_zone(form, field) -> None:
    """The typed zone must be one we know (the list offers them; typing is allowed)."""
    if (field.data or "").strip() not in dict(zone_choices()):
        raise ValidationError(_l("Choose a time zone from the list, for example Europe/Oslo."))


class NotificationSettingsForm(FlaskForm):
    """When, and how much the lock screen may show; `settings_form()` adds one checkbox per
    registered kind of reminder."""

    daily_time = TimeField(_l("Time for the daily reminder"), validators=[DataRequired(_l("Choose a time."))])
    quiet_start = TimeField(_l("Quiet from"), validators=[Optional()],
                            description=_l("No notifications between these times. Leave both empty to allow any time."))
    quiet_end = TimeField(_l("Quiet until"), validators=[Optional()])
    # A text field with a <datalist>: the zones of the person's country come first, then every
    # zone; typing filters the list (no JavaScript needed), and the value is checked.
    time_zone = StringField(_l("Time zone"), validators=[DataRequired(), known_zone],
                            filters=[lambda v: (v or "").strip()],
                            description=_l("Start typing a city, for example Oslo or Stockholm."),
                            render_kw={"list": "tz-zones", "autocomplete": "off", "spellcheck": "false"})
    show_text = BooleanField(
        _l("Show what a reminder is about on the lock screen"),
        description=_l("Off: notifications only say \u201cYou have a reminder\u201d. On: they can show "
                       "the words of your commitment, which anyone who sees your phone can read."),
    )

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
