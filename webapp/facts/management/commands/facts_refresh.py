"""Warm the register-facts cache for all municipalities (or some), with a progress bar and a
report of what failed. ``make facts-refresh`` runs it; a nightly cron job should too."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from bot.facts import config
from bot.facts.http import SourceUnavailable
from bot.facts.service import FactsService
from bot.municipalities import directory

BAR_WIDTH = 30


def progress_bar(done: int, total: int, label: str) -> str:
    filled = BAR_WIDTH * done // max(total, 1)
    return f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {label:<40.40}"


class Command(BaseCommand):
    help = "Fetch Skolverket register data (school units, SFI offerings) for every municipality into the cache."

    def add_arguments(self, parser):
        parser.add_argument("municipalities", nargs="*", help="municipality codes (default: all 290)")
        parser.add_argument("--source", action="append", help="only these sources: school_units, sfi_offerings")

    def handle(self, *args, municipalities, source, **options):
        if config.offline():
            raise CommandError("FACTS_OFFLINE=1: the refresh needs the network; unset it to refresh.")
        service = FactsService()
        providers = [p for p in service.registers if not source or p.name in source]
        codes = municipalities or [m.code for m in directory().all()]
        unknown = [c for c in codes if directory().get(c) is None]
        if unknown:
            raise CommandError(f"unknown municipality codes: {', '.join(unknown)}")
        jobs = [(provider, code) for code in codes for provider in providers]
        failures, started = [], time.monotonic()
        for done, (provider, code) in enumerate(jobs, start=1):
            self.stdout.write(progress_bar(done - 1, len(jobs), f"{provider.name} {code}"), ending="")
            self.stdout.flush()
            try:
                service.refresh(provider, code)
            except SourceUnavailable as error:
                failures.append((provider.name, code, str(error)))
            except Exception as error:  # one odd answer must not stop the other 579 jobs
                failures.append((provider.name, code, f"{type(error).__name__}: {error}"))
        self.stdout.write(progress_bar(len(jobs), len(jobs), "done"))
        self.stdout.write(f"refreshed {len(jobs) - len(failures)} of {len(jobs)} in {time.monotonic() - started:.0f} s")
        for name, code, reason in failures:
            self.stdout.write(f"FAILED {name} {code}: {reason}")
        if failures:
            sys.exit(1)
