"""Write all published content as YAML in the seed format: answers/<lang>.yml and facts.yml.

    .venv/bin/python manage.py content_export exported/     # then review or commit the files
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from webapp.content.yaml_io import export_to_directory
from webapp.staff import audit


class Command(BaseCommand):
    help = "Export all published answers and facts as YAML (answers/<lang>.yml, facts.yml) into a directory."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="where to write answers/<lang>.yml and facts.yml")

    def handle(self, *args, directory: Path, **options):
        written = export_to_directory(directory)
        audit.record(None, "content_export", target_type="content", target_id=str(directory), via="command")
        for path in written:
            self.stdout.write(f"wrote {path}")
