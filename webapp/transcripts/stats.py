"""The dashboard's numbers, computed once for a date range and used both by the charts and by
the tables that give the same numbers to screen readers and to people who want exact figures.

A conversation counts on the day it started (Europe/Stockholm), for its language, each topic it
touched and its municipality. Rates are shares of that day's conversations.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import List, Tuple

from django.utils import timezone

from webapp.transcripts.filters import LANGUAGE_LABELS, day_start
from webapp.transcripts.models import Conversation

TOP_MUNICIPALITIES = 10


@dataclass
class DayRow:
    day: dt.date
    conversations: int = 0
    handed_over: int = 0
    fallback: int = 0

    @property
    def handoff_rate(self) -> float:
        return self.handed_over / self.conversations if self.conversations else 0.0

    @property
    def fallback_rate(self) -> float:
        return self.fallback / self.conversations if self.conversations else 0.0


@dataclass
class DashboardStats:
    date_from: dt.date
    date_to: dt.date
    days: List[DayRow] = field(default_factory=list)
    languages: List[Tuple[str, int]] = field(default_factory=list)  # (label, count)
    topics: List[Tuple[str, int]] = field(default_factory=list)
    municipalities: List[Tuple[str, int]] = field(default_factory=list)  # top ten, then "Övriga"
    total: int = 0
    handed_over: int = 0
    fallback: int = 0

    @property
    def handoff_rate(self) -> float:
        return self.handed_over / self.total if self.total else 0.0

    @property
    def fallback_rate(self) -> float:
        return self.fallback / self.total if self.total else 0.0


def dashboard_stats(date_from: dt.date, date_to: dt.date) -> DashboardStats:
    stats = DashboardStats(date_from, date_to)
    by_day = {}
    day = date_from
    while day <= date_to:
        by_day[day] = DayRow(day)
        day += dt.timedelta(days=1)
    languages, topics, municipalities = Counter(), Counter(), Counter()
    rows = Conversation.objects.filter(
        started_at__gte=day_start(date_from), started_at__lt=day_start(date_to + dt.timedelta(days=1)),
    ).values_list("started_at", "language", "topics", "municipality__name", "handed_over", "had_fallback")
    for started_at, language, conversation_topics, municipality, handed_over, had_fallback in rows.iterator(
            chunk_size=2000):
        row = by_day.get(timezone.localtime(started_at).date())
        if row is None:  # clock edge at the range's ends
            continue
        row.conversations += 1
        row.handed_over += handed_over
        row.fallback += had_fallback
        languages[LANGUAGE_LABELS.get(language, "Okänt")] += 1
        for topic in conversation_topics or []:
            topics[str(topic)] += 1
        if not conversation_topics:
            topics["(inget ämne)"] += 1
        municipalities[municipality or "Ingen angiven"] += 1
    stats.days = list(by_day.values())
    stats.total = sum(r.conversations for r in stats.days)
    stats.handed_over = sum(r.handed_over for r in stats.days)
    stats.fallback = sum(r.fallback for r in stats.days)
    stats.languages = languages.most_common()
    stats.topics = topics.most_common()
    top = municipalities.most_common(TOP_MUNICIPALITIES)
    rest = stats.total - sum(count for _, count in top)
    stats.municipalities = top + ([("Övriga", rest)] if rest else [])
    return stats
