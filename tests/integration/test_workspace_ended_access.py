"""A client who ends a therapist's access does not silently vanish from the therapist's workspace
(issue 27, point 4): the row says who ended it and on which day, in the therapist's language and
time zone, with nothing of the plan and no link to it; for a while only, and not once linked again."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_skeleton
from sqlalchemy import select

from backend.accounts import care
from backend.accounts.care import CareLink
from backend.accounts.services import find_user
from backend.db import session_scope
from support.forms import csrf_token

NEW_YORK = ZoneInfo("America/New_York")


def _end_access(app, client, sign_in, world):
    """Ingrid ends Dr Berg's access through her page, as she would."""
    sign_in(world.owner)
    answer = client.post(f"/care/{world.linked_therapist_id}/end", data={"csrf_token": csrf_token(client, "/care")})
    assert answer.status_code == 302


def _ended_at(app, world, moment: datetime) -> None:
    with session_scope(app) as db:
        link = db.scalars(select(CareLink).where(CareLink.therapist_id == world.linked_therapist_id)).one()
        link.ended_at = moment


def _therapist_reads(app, world, locale: str, zone: str) -> None:
    with session_scope(app) as db:
        therapist = find_user(db, world.linked_therapist)
        therapist.locale, therapist.locale_chosen, therapist.time_zone = locale, True, zone


def _day(moment: datetime, locale: str) -> str:
    """The day of `moment` in New York, as Babel writes it in `locale`."""
    day = moment.astimezone(NEW_YORK).date()
    this_year = datetime.now(NEW_YORK).year
    return format_skeleton("MMMd" if day.year == this_year else "yMMMd", day, locale=locale)


@pytest.mark.parametrize(("locale", "sentence"), [
    ("nb", "Ingrid avsluttet tilgangen din den {day}."),
    ("sv", "Ingrid avslutade din åtkomst den {day}."),
    ("en", "Ingrid ended your access on {day}."),
])
def test_the_workspace_says_who_ended_the_access_and_on_which_day(app, world, sign_in, client, locale, sentence):
    _end_access(app, client, sign_in, world)
    # 03:00 in London two days ago is still the evening before in New York, where Dr Berg reads.
    moment = datetime.combine(datetime.now(UTC).date() - timedelta(days=2), time(3), tzinfo=UTC)
    _ended_at(app, world, moment)
    _therapist_reads(app, world, locale, "America/New_York")
    assert _day(moment, locale) != format_skeleton("MMMd", moment.date(), locale=locale)
    sign_in(world.linked_therapist)
    html = client.get("/clients").get_data(as_text=True)
    assert sentence.format(day=_day(moment, locale)) in html
    assert 'class="ss-ended"' in html
    assert f"/plans/{world.plan_id}" not in html  # no way into the plan from her row
    assert "I stop answering messages" not in html and "999 88 777" not in html


def test_the_ended_row_goes_after_a_while_and_when_linked_again(app, world, sign_in, client):
    _end_access(app, client, sign_in, world)
    sign_in(world.linked_therapist)
    assert "Ingrid ended your access on today" not in client.get("/clients").get_data(as_text=True)
    assert "Ingrid ended your access on" in client.get("/clients").get_data(as_text=True)

    _ended_at(app, world, datetime.now(UTC) - timedelta(days=91))
    assert "ended your access" not in client.get("/clients").get_data(as_text=True)

    _ended_at(app, world, datetime.now(UTC) - timedelta(days=1))
    with app.test_request_context(), session_scope(app) as db:
        care.link(db, world.linked_therapist_id, find_user(db, world.owner).id)
    html = client.get("/clients").get_data(as_text=True)
    assert "ended your access" not in html
    assert f"/plans/{world.plan_id}/edit" in html  # her ordinary row again
