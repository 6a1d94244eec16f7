"""`flask --app backend demo-data`: a therapist and two clients with real-looking plans, so a
newcomer sees Trygg as people use it within a minute. For a development database only: the
passwords are printed."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from backend.accounts import care
from backend.accounts.services import create_user, find_user
from backend.db import session_scope
from safety_plans import agreement, commitments, ops, plans

PASSWORD = "a calm walk by the river"

# (email, name, locale, country, items by section, a commitment)
CLIENTS = [
    ("ingrid@demo.trygg", "Ingrid", "nb", "NO", {
        "warning_signs": ["Jeg slutter å svare på meldinger", "Jeg sover dårlig flere netter på rad"],
        "inner_coping": ["Gå en tur langs sjøen", "Dusje varmt", "Høre på musikk"],
        "distraction": ["Biblioteket", "Kafeen på hjørnet"],
        "support": [("Søster Kari", "+47 999 88 777", "Kan du ringe meg? Jeg har det tungt.")],
        "professionals": [("Legevakten", "116 117", "")],
        "safe_environment": ["Be Kari ta vare på medisinene"],
        "reasons": ["Katten min, Pus", "Turen til Lofoten i sommer"],
        "hope_for": ["Å kunne jobbe litt igjen"],
        "hope_different": ["Jeg ville svart når Kari ringer"],
    }, "Gå en tur hver dag før lunsj"),
    ("olle@demo.trygg", "Olle", "sv", "SE", {
        "warning_signs": ["Jag drar mig undan från vänner"],
        "inner_coping": ["Andas lugnt och långsamt", "Laga mat"],
        "support": [("Bror Erik", "+46 70 123 45 67", "Kan du ringa mig?")],
        "reasons": ["Min dotter"],
        "hope_for": ["Att orka träffa vänner igen"],
    }, "Ringa Erik på söndag"),
]


AGREEMENT = {
    "nb": {"towards": "Å ha det tryggere på kveldene, uten å drikke for å holde ut.",
           "how": "Vi møtes hver uke. Vi går gjennom planen sammen og velger ett lite steg til neste gang.",
           "expect": "Det kan kjennes tyngre før det blir lettere. Si fra når det gjør det.",
           "focus": "Søvnen, og hva jeg kan gjøre når jeg våkner klokka fire."},
    "sv": {"towards": "Att känna mig tryggare på kvällarna.",
           "how": "Vi ses varje vecka och väljer ett litet steg till nästa gång.",
           "expect": "Det kan kännas tyngre innan det blir lättare. Säg till när det gör det.",
           "focus": "Hur jag kan höra av mig till Erik oftare."},
}


def register_demo_extra(app: Flask, fn) -> None:
    """Let another package add to each new demo client: fn(db, therapist, client, plan, locale).
    (The plan package cannot import the packages built on it, such as sessions.)"""
    app.extensions.setdefault("trygg.demo", []).append(fn)


def _fill(db, client, items: dict) -> None:
    plan = plans.get_or_create_plan(db, client)
    batch = []
    for section, entries in items.items():
        for entry in entries:
            fields = {"text": entry} if isinstance(entry, str) else {
                "text": entry[0], "phone": entry[1], "sms_message": entry[2], "agreed": True}
            batch.append({"uuid": ops.new_uuid(), "type": "add", "item": ops.new_uuid(), "section": section,
                          "fields": {k: v for k, v in fields.items() if v != ""}})
    ops.apply_ops(db, plan, client, batch)


def make_demo_data(db) -> list[tuple[str, str]]:
    """Create the demo people once; returns (email, role) of everyone made."""
    made = []
    therapist = find_user(db, "berg@demo.trygg")
    if therapist is None:
        therapist = create_user(db, "berg@demo.trygg", PASSWORD, role="therapist", display_name="Dr Berg",
                                locale="nb", country="NO")
        made.append((therapist.email, "therapist"))
    for email, name, locale, country, items, promise in CLIENTS:
        if find_user(db, email) is not None:
            continue
        client = create_user(db, email, PASSWORD, display_name=name, locale=locale, country=country)
        care.link(db, therapist.id, client.id)
        _fill(db, client, items)
        plan = plans.get_or_create_plan(db, client)  # made by _fill
        belief = {"nb": "Du har kommet deg gjennom en vinter før. Du klarer en tung kveld.",
                  "sv": "Du har tagit dig igenom en vinter förut. Du klarar en tung kväll."}[locale]
        ops.apply_ops(db, plan, therapist, [{"uuid": ops.new_uuid(), "type": "add", "item": ops.new_uuid(),
                                             "section": "hope_belief", "fields": {"text": belief}}])
        commitments.add_commitment(db, plan, therapist, promise)
        fields = {name: AGREEMENT[locale].get(name, "") for name in agreement.FIELDS}
        agreement.save(db, plan, therapist, fields, 0)
        for extra in current_app.extensions.get("trygg.demo", []):
            extra(db, therapist, client, plan, locale)
        made.append((email, "client"))
    return made


@click.command("demo-data")
@with_appcontext
def demo_data_command() -> None:
    """Fill a development database with a therapist and two clients with their plans."""
    with current_app.test_request_context(), session_scope(current_app) as db:
        made = make_demo_data(db)
    if not made:
        click.echo("The demo people are there already.")
        return
    for email, role in made:
        click.echo(f"{role:9} {email}")
    click.echo(f"Password for all of them: {PASSWORD}")


def init_app(app: Flask) -> None:
    """Register the command."""
    app.cli.add_command(demo_data_command)
