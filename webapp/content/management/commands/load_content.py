"""Seed the content database from data/: municipalities, national answers, municipality facts,
crisis lines.

Safe to run on every start: it creates what is missing and refreshes seed rows whose YAML
changed, but never overrides a version that staff saved (their newest version wins).
"""

import datetime as dt
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand
from django.db import transaction

from bot.language import SWEDISH
from bot.municipalities import directory
from bot.settings import ROOT
from webapp.content.models import AnswerVersion, CrisisLine, FactKind, FactVersion, Municipality, Status, TopicReview
from webapp.content.topic_reviews import sync_topic_reviews

CONTENT_DIR = ROOT / "data" / "content"
FACT_FIELDS = ("name", "url", "phone", "notes", "source_name", "source_url", "verified_on", "is_example")


class Command(BaseCommand):
    help = "Load municipalities, national answers and municipality facts from data/ into the database."

    def add_arguments(self, parser):
        parser.add_argument("--content-dir", type=Path, default=CONTENT_DIR)

    @transaction.atomic
    def handle(self, *args, content_dir: Path, **options):
        municipalities = self._load_municipalities()
        answers = self._load_answers(content_dir / "answers")
        facts = self._load_facts(content_dir / "facts.yml")
        # An export (content_export) carries answers and facts only; the topics' review data
        # is product data, so it comes from the repository's topics.yml then.
        topics_file = content_dir / "topics.yml"
        reviews = sync_topic_reviews(TopicReview, topics_file if topics_file.exists() else CONTENT_DIR / "topics.yml")
        self._load_crisis_lines(content_dir / "crisis_lines.yml")
        self.stdout.write(f"content: {municipalities} municipalities, {answers} answer versions and {facts} fact versions added, "
                          f"{reviews} topic reviews updated")

    def _load_municipalities(self) -> int:
        existing = set(Municipality.objects.values_list("code", flat=True))
        new = [Municipality(code=m.code, name=m.name, website=m.website or "")
               for m in directory().all() if m.code not in existing]
        Municipality.objects.bulk_create(new)
        return len(new)

    def _load_answers(self, answers_dir: Path) -> int:
        added = 0
        # Swedish first: each translation records the Swedish version it was translated from.
        paths = sorted(answers_dir.glob("*.yml"), key=lambda p: (p.stem != SWEDISH, p.stem))
        for path in paths:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
            language = document["language"]
            dated = _midday_utc(document["reviewed_on"])
            for topic, text in document["answers"].items():
                text = text.strip()
                newest = AnswerVersion.objects.filter(topic=topic, municipality=None, language=language).first()
                if newest is None or (newest.origin == "seed" and newest.text != text):
                    source = None if language == SWEDISH else AnswerVersion.objects.filter(
                        topic=topic, municipality=None, language=SWEDISH, status=Status.PUBLISHED,
                    ).order_by("-published_at", "-id").first()
                    version = AnswerVersion.objects.create(topic=topic, municipality=None, language=language,
                                                           text=text, status=Status.PUBLISHED, origin="seed",
                                                           source_version=source)
                    # A seed version's text dates from when it was reviewed, not from this load
                    # (published_at stays the load time: it orders versions, see the model).
                    AnswerVersion.objects.filter(pk=version.pk).update(created_at=dated)
                    added += 1
        return added

    def _load_crisis_lines(self, path: Path) -> None:
        """Create missing lines; refresh a line from the file unless an admin changed it."""
        if not path.exists():  # a partial content directory (an import, a test): nothing to seed
            return
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, entry in document["lines"].items():
            values = {"name": entry["name"], "number": str(entry["number"]),
                      "description": entry.get("description", ""), "source_url": entry.get("source_url", ""),
                      "checked_on": document.get("checked_on")}
            line = CrisisLine.objects.filter(key=key).first()
            if line is None:
                CrisisLine.objects.create(key=key, **values)
            elif not line.changed_by_staff and any(getattr(line, f) != v for f, v in values.items()):
                for field, value in values.items():
                    setattr(line, field, value)
                line.save()  # through save(), so that the content revision is bumped

    def _load_facts(self, path: Path) -> int:
        added = 0
        # Seed rows of a kind the product no longer has (issue 13 renamed `preschool_placement`
        # to `school_preschool_placement`) are product data nobody edited: without this they
        # would stay published under a kind no topic asks for and no editor page opens.
        FactVersion.objects.filter(origin="seed").exclude(kind__in=FactKind.values).delete()
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        dated = _midday_utc(document["recorded_on"])
        for code, entries in document["facts"].items():
            municipality = Municipality.objects.get(code=str(code))
            for entry in entries:
                values = {field: entry.get(field) for field in FACT_FIELDS if entry.get(field) is not None}
                # A fact checked against the municipality's page (facts.yml `checked_on`) is
                # verified on that date; the bot then shows the page and the date.
                if entry.get("checked_on") and not entry.get("is_example", True):
                    values["verified_on"] = _date(entry["checked_on"])
                newest = FactVersion.objects.filter(municipality=municipality, kind=entry["kind"], key=entry["key"]).first()
                if newest is None or (newest.origin == "seed" and any(getattr(newest, f) != v for f, v in values.items())):
                    version = FactVersion.objects.create(municipality=municipality, kind=entry["kind"],
                                                         key=entry["key"], status=Status.PUBLISHED, origin="seed",
                                                         **values)
                    FactVersion.objects.filter(pk=version.pk).update(created_at=dated)
                    added += 1
        return added


def _date(day) -> dt.date:
    return day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))


def _midday_utc(day) -> dt.datetime:
    """Midday UTC of a YAML date, so that it reads as the same date in every Swedish time zone."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.timezone.utc)
