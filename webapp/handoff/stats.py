"""Hand-off figures for the inbox and the review dashboard: outcomes and how long people waited.

One function, ``handoff_stats``, computes them from any queryset of tickets, so that the inbox
(scoped to what a staff member may see) and the dashboard (scoped to a date range and the
admin's view) count the same way. Wait = from the ticket's creation until a person claimed it;
tickets still waiting count in ``waiting_now``, not in the wait figures, because their wait is
not over yet.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from django.utils import timezone

from webapp.handoff.models import Outcome, Priority, Status

DEFAULT_DAYS = 30


@dataclass
class HandoffStats:
    days: int
    created: int = 0
    crisis: int = 0
    waiting_now: int = 0
    claimed: int = 0
    closed: int = 0
    # (outcome code, Swedish label, count), in the order of ``Outcome``, zeros included.
    outcomes: List[Tuple[str, str, int]] = field(default_factory=list)
    median_wait_seconds: Optional[float] = None
    p90_wait_seconds: Optional[float] = None
    max_wait_seconds: Optional[float] = None

    @property
    def median_wait_label(self) -> str:
        return format_duration(self.median_wait_seconds)

    @property
    def p90_wait_label(self) -> str:
        return format_duration(self.p90_wait_seconds)

    def as_dict(self) -> dict:
        return {
            "days": self.days, "created": self.created, "crisis": self.crisis, "waiting_now": self.waiting_now,
            "claimed": self.claimed, "closed": self.closed,
            "outcomes": [{"outcome": code, "label": label, "count": count} for code, label, count in self.outcomes],
            "median_wait_seconds": self.median_wait_seconds, "p90_wait_seconds": self.p90_wait_seconds,
            "max_wait_seconds": self.max_wait_seconds,
        }


def percentile(values: Sequence[float], fraction: float) -> Optional[float]:
    """Nearest-rank percentile: a value somebody actually waited, never an interpolated one.

    ``percentile([1, 2, 3, 4], 0.9)`` is 4: nine in ten waited at most that long."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return float(ordered[rank - 1])


def handoff_stats(tickets, days: int = DEFAULT_DAYS, now: Optional[dt.datetime] = None) -> HandoffStats:
    """Figures over the tickets of ``tickets`` created in the last ``days`` days."""
    now = now or timezone.now()
    recent = tickets.filter(created_at__gte=now - dt.timedelta(days=days))
    rows = list(recent.values_list("status", "priority", "outcome", "created_at", "claimed_at"))
    stats = HandoffStats(days=days, created=len(rows))
    counts = {code: 0 for code in Outcome.values}
    waits = []
    for status, priority, outcome, created_at, claimed_at in rows:
        stats.crisis += priority == Priority.CRISIS
        stats.waiting_now += status == Status.WAITING
        stats.claimed += status == Status.CLAIMED
        stats.closed += status == Status.CLOSED
        if status == Status.CLOSED and outcome in counts:
            counts[outcome] += 1
        if claimed_at is not None:
            waits.append(max(0.0, (claimed_at - created_at).total_seconds()))
    stats.outcomes = [(code, Outcome(code).label, counts[code]) for code in Outcome.values]
    if waits:
        stats.median_wait_seconds = float(statistics.median(waits))
        stats.p90_wait_seconds = percentile(waits, 0.9)
        stats.max_wait_seconds = max(waits)
    return stats


def format_duration(seconds: Optional[float]) -> str:
    """A wait as staff read it at a glance, in Swedish: "under 1 min", "12 min", "1 h 05 min", "2 d 3 h"."""
    if seconds is None:
        return "–"
    minutes = int(seconds // 60)
    if minutes < 1:
        return "under 1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"
