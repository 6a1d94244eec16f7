"""`flask --app backend crisis-lines check`: which crisis numbers are due for a fresh check."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from safety_plans import crisis_lines

crisis_lines_cli = AppGroup("crisis-lines", help="The crisis and emergency numbers in crisis_lines.json.")


@crisis_lines_cli.command("check")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Check as if it were this day (YYYY-MM-DD); default: today.")
@click.option("--months", type=int, default=12, show_default=True, help="How old a check may be.")
def check_command(today, months: int) -> None:
    """List numbers last checked more than MONTHS ago (exit status 1 if any), and sources that
    are only a site's front page rather than the exact page that gives the number."""
    day = today.date() if today else date.today()
    stale = crisis_lines.stale_entries(day, months)
    for entry in stale:
        click.echo(f"STALE {entry['country']} {entry['id']}: {entry['number']} checked {entry['checked_on']} "
                   f"at {entry['source']}")
    for entry in crisis_lines.root_sources():
        click.echo(f"VAGUE {entry['country']} {entry['id']}: source is a front page ({entry['source']}); "
                   "name the exact page")
    click.echo(f"{len(stale)} of {sum(len(c['lines']) for c in crisis_lines.load()['countries'].values())} "
               f"numbers were checked more than {months} months before {day.isoformat()}.")
    if stale:
        raise SystemExit(1)
