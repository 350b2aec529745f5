"""Write the training examples chosen on the review pages to data/nlu/<lang>/from_review.yml.

Run by a person before the next training (``make train`` retrains because data/nlu changed);
check the diff and commit it like any other training data.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from webapp.transcripts.training_export import export


class Command(BaseCommand):
    help = "Export the training examples from 'Obesvarade frågor' to data/nlu/<lang>/from_review.yml."

    def add_arguments(self, parser):
        parser.add_argument("--nlu-dir", type=Path, default=settings.BASE_DIR / "data" / "nlu",
                            help="folder with one subfolder per language (default: data/nlu)")
        parser.add_argument("--heldout-dir", type=Path, default=settings.BASE_DIR / "tests" / "nlu",
                            help="the held-out split, never trained on (default: tests/nlu)")

    def handle(self, *args, nlu_dir: Path, heldout_dir: Path, **options):
        if not nlu_dir.is_dir():
            raise CommandError(f"{nlu_dir} is not a folder")
        for report in export(nlu_dir, heldout_dir):
            if not report.written and not report.already_trained and not report.held_out:
                continue
            self.stdout.write(f"{report.language}: {report.path} now holds {report.written} examples "
                              f"({report.added} new)")
            for text in report.already_trained:
                self.stdout.write(f"  left out, already in the training data: {text}")
            for text in report.held_out:
                self.stdout.write(f"  left out, in the held-out split (tests/nlu): {text}")
        self.stdout.write("Next: review the diff, `make train`, and commit data/nlu.")
