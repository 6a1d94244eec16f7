"""The notification settings page: turn notifications on, see devices, choose what and when.

Everything but turning a device on works without JavaScript; push.js adds that button (the
permission prompt comes only after a tap, which iOS requires).
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from backend import db
from backend.access import signed_in
from backend.db import utcnow
from backend.i18n import zone_choices
from backend.push import services
from backend.push.forms import NotificationSettingsForm, settings_form
from backend.push.keys import load_keys
from backend.push.kinds import choices
from backend.push.reminders import chosen, send_test, settings_for

bp = Blueprint("push", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/push")

FIELDS = ("daily_time", "quiet_start", "quiet_end", "show_text")


def _page(form: NotificationSettingsForm, status: int = 200):
    """Render the settings page with the person's devices."""
    devices = services.devices_of(db.session(), current_user)
    likely, every = zone_choices(current_user.country, str(get_locale()))
    return render_template("push/settings.html", form=form, devices=devices,
                           reminder_choices=lambda: choices(role=current_user.role),
                           public_key=load_keys(current_app).public_key, likely_zones=likely,
                           all_zones=[z for z in every if z not in dict(likely)]), status


@bp.route("/settings/notifications", methods=["GET", "POST"])
@signed_in
def settings():
    """Show and save the person's notification choices."""
    session = db.session()
    stored = settings_for(session, current_user.id)
    offered = {c.key for c in choices(role=current_user.role)}
    wants = {key: on for key, on in chosen(session, current_user.id).items() if key in offered}
    form = settings_form(data={**{f: getattr(stored, f) for f in FIELDS}, **wants,
                               "time_zone": current_user.time_zone})
    if form.validate_on_submit():
        services.save_settings(session, current_user, time_zone=form.time_zone.data,
                               **{f: getattr(form, f).data for f in (*FIELDS, *wants)})
        session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("push.settings"))
    return _page(form, 400 if form.is_submitted() else 200)


@bp.route("/settings/notifications/devices/<int:subscription_id>/delete", methods=["POST"])
@signed_in
def remove_device(subscription_id: int):
    """Stop sending to one device."""
    if services.remove_device(db.session(), current_user, subscription_id):
        db.session().commit()
        flash(_("That device will get no more notifications."), "success")
    return redirect(url_for("push.settings"))


@bp.route("/settings/notifications/test", methods=["POST"])
@signed_in
def test():
    """Send a test notification to every device of this person now."""
    reached = send_test(current_app, db.session(), current_user, utcnow())
    db.session().commit()
    if reached:
        flash(_("A test notification is on its way."), "success")
    else:
        flash(_("No device could be reached. Turn notifications on again on your phone."), "error")
    return redirect(url_for("push.settings"))
