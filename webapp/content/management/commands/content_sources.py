"""Write docs/content-sources.md from the content data (or, with --check, fail if it is stale)."""

from django.core.management.base import BaseCommand, CommandError

from webapp.content.sources_doc import DOC_FILE, render


class Command(BaseCommand):
    help = "Generate docs/content-sources.md: each national topic's sources and review dates, and the facts' status."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if the file differs from the data")

    def handle(self, *args, check: bool, **options):
        text = render()
        if check:
            if not DOC_FILE.exists() or DOC_FILE.read_text(encoding="utf-8") != text:
                raise CommandError(f"{DOC_FILE} is out of date: run `manage.py content_sources`")
            self.stdout.write(f"{DOC_FILE} is up to date")
            return
        DOC_FILE.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {DOC_FILE}")
