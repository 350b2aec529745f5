"""Seed office hours and contact options from data/content/office_hours.yml (example data).

Safe to run on every start (``make run`` does): a municipality's hours are created only when it
has none, and a contact is created when missing and refreshed only while it is still the
seed's own (``origin="seed"``); whatever an admin changed stays.
"""

import datetime as dt
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand
from django.db import transaction

from bot.settings import ROOT
from webapp.content.models import Municipality
from webapp.handoff.models import OfficeHours, ServiceContact

SEED_FILE = ROOT / "data" / "content" / "office_hours.yml"
CONTACT_FIELDS = ("name", "phone", "visiting_address", "url")


def _time(value) -> dt.time:
    if isinstance(value, int):  # YAML reads an unquoted 08:00 as minutes (sexagesimal)
        return dt.time(value // 60, value % 60)
    return dt.time.fromisoformat(str(value))


class Command(BaseCommand):
    help = "Load the municipalities' office hours and contact options for the hand-off (example data)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=SEED_FILE)

    @transaction.atomic
    def handle(self, *args, file: Path, **options):
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
        recorded_on = document.get("recorded_on")
        contacts = hours = 0
        for code, entry in (document.get("municipalities") or {}).items():
            municipality = Municipality.objects.filter(code=str(code)).first()
            if municipality is None:
                self.stderr.write(f"office hours: no municipality {code}; run load_content first")
                continue
            values = {name: entry.get(name) or "" for name in CONTACT_FIELDS}
            contact = ServiceContact.objects.filter(municipality=municipality).first()
            if contact is None or (contact.origin == "seed" and any(getattr(contact, k) != v for k, v in values.items())):
                ServiceContact.objects.update_or_create(
                    municipality=municipality,
                    defaults={**values, "is_example": True, "recorded_on": recorded_on, "origin": "seed"})
                contacts += 1
            if not OfficeHours.objects.filter(municipality=municipality).exists():
                OfficeHours.objects.bulk_create(
                    OfficeHours(municipality=municipality, weekday=int(row["weekday"]),
                                opens=_time(row["opens"]), closes=_time(row["closes"]))
                    for row in entry.get("hours") or [])
                hours += 1
        self.stdout.write(f"office hours: {contacts} contacts and the hours of {hours} municipalities added")
