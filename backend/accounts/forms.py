"""Sign-in, registration and staff-account forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from backend.accounts.passwords import MAX_LENGTH, password_problem

# Only the shape: something@something.something. The real check is that mail arrives.
EMAIL_SHAPE = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid email address."))


class LoginForm(FlaskForm):
    """Email and password, with 'keep me signed in' for a client's own phone."""

    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))


class NewPasswordMixin:
    """A new password checked against the policy, with the reason shown in the user's language."""

    email: EmailField  # every form that mixes this in has one

    def validate_password(self, field) -> None:
        """Refuse short, overlong and common passwords."""
        name = getattr(self, "display_name", None)
        problem = password_problem(field.data or "", self.email.data or "",
                                   (name.data or "") if name is not None else "")
        if problem:
            raise ValidationError(problem)


class RegisterForm(NewPasswordMixin, FlaskForm):
    """Anyone may register as a client."""

    display_name = StringField(
        _l("What should we call you? (optional)"), validators=[Optional(), Length(max=80)]
    )
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), EMAIL_SHAPE],
    )
    password = PasswordField(
        _l("Password"),
        description=_l("At least 10 characters. A few words together are easy to remember."),
        validators=[DataRequired(_l("Choose a password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password", "minlength": 10},
    )
    # Which crisis numbers to show: the person's country, not their language's. Choices and the
    # default (from the browser's region) are filled in by the view.
    country = SelectField(
        _l("Where do you live?"),
        description=_l("We show the emergency and crisis numbers for this country. You can change it later."),
        validate_choice=True,
    )


class CreateUserForm(NewPasswordMixin, FlaskForm):
    """An admin creates therapist and admin accounts (and clients, if needed)."""

    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), EMAIL_SHAPE],
    )
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=80)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("therapist", _l("Therapist")), SelectChoice("admin", _l("Administrator")),
                 SelectChoice("client", _l("Client"))],
    )
    password = PasswordField(
        _l("First password"),
        description=_l("Give it to the person in a safe way; they can change it later."),
        validators=[DataRequired(_l("Choose a password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotForm(FlaskForm):
    """Where to send a password-reset link."""

    email = EmailField(
        _l("Email"), validators=[DataRequired(_l("Enter your email address.")), EMAIL_SHAPE, Length(max=254)])


class NewPasswordForm(FlaskForm):
    """A new password (after a reset link, or when changing it); checked against the account's own
    email and name by the view, which knows them."""

    password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters. A few words together are easy to remember."),
        validators=[DataRequired(_l("Choose a password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password", "minlength": 10},
    )


class CloseAccountForm(FlaskForm):
    """Closing an account is confirmed with the password."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(FlaskForm):
    """The current password, then the new one."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your password."))],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters. A few words together are easy to remember."),
        validators=[DataRequired(_l("Choose a password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password", "minlength": 10},
    )
