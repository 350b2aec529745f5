"""The hand-off's periodic check: users whose ticket nobody claimed in time get the
municipality's contact options (``webapp.handoff.service.check_unclaimed``).

    manage.py handoff_tick              # once (cron)
    manage.py handoff_tick --every 30   # forever, every 30 s (``make run`` starts this)
"""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from webapp.handoff.service import check_unclaimed

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send the contact options to users whose hand-off ticket has waited too long unclaimed."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0,
                            help="repeat every this many seconds (0: run once)")

    def handle(self, *args, every: float, **options):
        while True:
            close_old_connections()  # a long-lived loop, not a request: Django would not do it
            try:
                sent = check_unclaimed()
                if sent or not every:
                    self.stdout.write(f"handoff_tick: contact options sent for {sent} unclaimed tickets")
            except Exception:  # the database or Rasa down: keep the loop alive, try next round
                if not every:
                    raise
                logger.exception("handoff_tick round failed")
            if not every:
                return
            time.sleep(every)
