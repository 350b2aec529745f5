"""Settings of the facts layer, read from the environment in one place."""

from __future__ import annotations

import os
from typing import Optional

from bot import settings

SCHOOL_UNITS_DEFAULT = "https://api.skolverket.se/skolenhetsregistret"
PLANNED_EDUCATIONS_DEFAULT = "https://api.skolverket.se/planned-educations"
# Register data changes at most daily (Skolverket's extracts are nightly).
DEFAULT_TTL_SECONDS = 24 * 3600


def offline() -> bool:
    """FACTS_OFFLINE=1: no network at all; answers come from the cache and shipped facts."""
    return settings.facts_offline()


def school_units_url() -> str:
    return os.environ.get("SKOLVERKET_SCHOOL_UNITS_URL", SCHOOL_UNITS_DEFAULT).rstrip("/")


def planned_educations_url() -> str:
    return os.environ.get("SKOLVERKET_PLANNED_EDUCATIONS_URL", PLANNED_EDUCATIONS_DEFAULT).rstrip("/")


def ttl_seconds() -> int:
    return int(os.environ.get("FACTS_TTL_SECONDS", str(DEFAULT_TTL_SECONDS)))


def wait_seconds() -> float:
    """How long a reply may wait for a source; with the rest of the turn it stays under 2 s."""
    return float(os.environ.get("FACTS_WAIT_SECONDS", "1.2"))


def redis_url() -> Optional[str]:
    return os.environ.get("REDIS_URL") or None
