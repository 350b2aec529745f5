"""Import content YAML (the export's or the seed's format) as new versions.

    .venv/bin/python manage.py content_import exported/ [--as-drafts] [--user NAME]

Entries equal to what is published now are skipped; every other entry becomes a new version
(published, or a draft with ``--as-drafts``). Old versions are never changed. Nothing is
written if any file has a problem.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from webapp.content.yaml_io import ContentImportError, documents_from_directory, import_documents
from webapp.staff import audit


class Command(BaseCommand):
    help = "Import answers/<lang>.yml and facts.yml from a directory as new content versions."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--as-drafts", action="store_true", help="add drafts for review instead of publishing")
        parser.add_argument("--user", help="the staff user to record as author (default: none)")

    def handle(self, *args, directory: Path, as_drafts: bool, user, **options):
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"no user named {user!r}")
        try:
            result = import_documents(documents_from_directory(directory), user=author, as_drafts=as_drafts)
        except ContentImportError as error:
            raise CommandError(str(error)) from error
        audit.record(None, "content_import", target_type="content", target_id=str(directory), user=author,
                     via="command", answers=result.answers_added, facts=result.facts_added,
                     unchanged=result.unchanged, as_drafts=as_drafts)
        self.stdout.write(f"imported: {result.answers_added} answer versions, {result.facts_added} fact versions "
                          f"added ({'drafts' if as_drafts else 'published'}); {result.unchanged} unchanged")
