"""Demo sessions (`flask --app backend demo-data`): three past weekly sessions per demo client,
with check-in, check-out and feedback, and the next one booked, so the workspace shows a trend
and the session pages show what a session leaves behind. Ingrid's last feedback dips, so the
workspace's gentle prompt can be seen too."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from backend.db import utcnow
from sessions import services
from sessions.models import SessionChange

# Per locale: (weeks ago, mood, coping, takeaway, feedback heard/wanted/fit/overall, hope)
PAST = {
    "nb": [(3, 3, "Gikk tur to ganger.", "Puste rolig når kvelden blir tung.", (9, 9, 8, 9), 4),
           (2, 4, "Ringte Kari på søndag.", "Kari vil gjerne høre fra meg.", (9, 8, 9, 9), 5),
           (1, 5, "Dusjet varmt i stedet for å drikke.", "Ett lite steg om gangen.", (6, 7, 5, 6), 6)],
    "sv": [(3, 4, "Lagade mat två kvällar.", "Andas långsamt.", (8, 8, 8, 8), 5),
           (2, 5, "Ringde Erik.", "Erik vill höra av mig.", (9, 9, 8, 9), 6),
           (1, 6, "Gick ut varje dag.", "Små steg räcker.", (9, 9, 9, 9), 7)],
}


def add_demo_sessions(db, therapist, client, plan, locale: str) -> None:
    """Three finished sessions in the past and one booked for the day after tomorrow."""
    now = utcnow()
    for weeks, mood, coping, takeaway, (heard, wanted, fit, overall), hope in PAST.get(locale, []):
        found = services.create_session(db, plan, therapist)
        day = (now - timedelta(weeks=weeks)).date()
        body = {"base_version": 1, "fields": {"mood": mood, "coping": coping, "unsafe": False}}
        services.save(db, plan, found, client, body, day)
        services.save(db, plan, found, therapist, {"base_version": 2, "fields": {"takeaway": takeaway}}, day)
        feedback = {"fb_heard": heard, "fb_wanted": wanted, "fb_fit": fit, "fb_overall": overall, "hope": hope}
        services.save(db, plan, found, client, {"base_version": 3, "fields": feedback}, day)
        services.save(db, plan, found, therapist, {"base_version": 4, "state": "done"}, day)
        # As if it happened then: the session, its history and its times.
        then = now - timedelta(weeks=weeks)
        for name in ("created_at", "updated_at", "checked_in_at", "feedback_at"):
            setattr(found, name, then)
        for change in db.scalars(select(SessionChange).where(SessionChange.session_id == found.id)):
            change.at = then
    zone = ZoneInfo(getattr(client, "time_zone", None) or "Europe/Oslo")
    booked = datetime.combine((now + timedelta(days=2)).date(), time(9, 0), tzinfo=zone)  # 9 o'clock there
    services.create_session(db, plan, therapist, scheduled_at=booked)
    db.flush()
