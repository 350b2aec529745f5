"""Copy new Rasa events into the transcript index (the review pages also do this on load)."""

from django.core.management.base import BaseCommand

from webapp.transcripts.sync import sync


class Command(BaseCommand):
    help = "Copy new conversation events from Rasa's tracker store into the transcript index."

    def handle(self, *args, **options):
        count = sync(max_batches=10_000)
        self.stdout.write(f"transcripts: {count} new events indexed")
