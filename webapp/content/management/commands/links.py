"""Check every URL in the content and the facts; print the report and save it under var/.

Not part of `make test` (it needs the internet); tests point it at a server on 127.0.0.1.
With FACTS_OFFLINE=1 it requests nothing and says so.
"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bot.facts.config import offline
from bot.settings import VAR_DIR
from webapp.content.links import (CONTENT_DIR, MUNICIPALITIES_DIR, check_urls, collect_database_urls, collect_urls,
                                  report_lines)


class Command(BaseCommand):
    help = "Check every URL in answers, topics' sources, facts, office hours and municipalities' web sites."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")
        parser.add_argument("--workers", type=int, default=4, help="requests at a time (default 4)")
        parser.add_argument("--content-dir", type=Path, default=CONTENT_DIR)
        parser.add_argument("--municipalities-dir", type=Path, default=MUNICIPALITIES_DIR)
        parser.add_argument("--report", type=Path, default=None,
                            help="where to save the report (default var/links-<date>.tsv)")
        parser.add_argument("--no-database", action="store_true",
                            help="only the files in data/, not what staff published in the database")
        parser.add_argument("--municipality", action="append", default=None,
                            help="limit the database part to this municipality code (repeatable)")
        parser.add_argument("--fail-on-broken", action="store_true", help="exit 1 if any URL is broken or unreachable")

    def handle(self, *args, timeout, workers, content_dir, municipalities_dir, report, fail_on_broken, no_database,
               municipality, **options):
        urls = collect_urls(content_dir, municipalities_dir)
        if not no_database:
            urls = collect_database_urls(urls, municipality)
        if offline():
            self.stdout.write(f"FACTS_OFFLINE=1: {len(urls)} URLs found in the content; none was requested "
                              "and no report was written.")
            return
        results = check_urls(urls, timeout=timeout, workers=workers)
        lines = report_lines(results)
        for line in lines:
            self.stdout.write(line)
        path = report or VAR_DIR / f"links-{dt.date.today().isoformat()}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.stdout.write(f"report saved to {path}")
        if fail_on_broken and any(r.verdict in ("broken", "error") for r in results):
            raise CommandError("some URLs are broken or unreachable (see the report)")
