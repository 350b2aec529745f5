"""Delete conversations older than their municipality's retention period (webapp.privacy.retention).

    manage.py transcripts_retention               # once (cron, systemd timer: docs/privacy.md)
    manage.py transcripts_retention --every 3600  # once an hour until stopped (make run)
"""

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from webapp.privacy.models import default_retention_days
from webapp.privacy.retention import run_retention

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Delete conversations whose last message is older than the retention period (default 90 days)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, metavar="SECONDS",
                            help="keep running, once every SECONDS (the dev stack uses 3600)")

    def handle(self, *args, every=None, **options):
        try:
            default_retention_days()  # a bad TRANSCRIPT_RETENTION_DAYS stops here, with its message
        except ValueError as error:
            raise CommandError(str(error)) from None
        if every is None:
            self.stdout.write(run_retention().summary())
            return
        if every < 60:
            raise CommandError("--every must be at least 60 seconds")
        while True:
            try:
                self.stdout.write(run_retention().summary())
            except Exception:  # e.g. the database is locked or down: try again next time
                logger.exception("retention run failed; next attempt in %.0f s", every)
            finally:
                close_old_connections()
            time.sleep(every)
