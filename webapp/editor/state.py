"""What state each answer is in, per language, as the list and edit pages show it.

Uses the bot's own rule (``bot.content.translation_outdated``) on the same texts the bot would
pick, so "outdated" on the page means exactly "the bot answers with Swedish text here".
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from django.db.models import Q
from django.utils import timezone

from bot.content import Answer, translation_outdated
from bot.language import LANGUAGES, SWEDISH
from webapp.content.models import AnswerVersion, FactVersion, Status

STALE_FACT_MONTHS = 6


def as_answer(version: Optional[AnswerVersion]) -> Optional[Answer]:
    if version is None:
        return None
    return Answer(version.text, version.municipality_id, version.created_at.date(), version_id=version.pk,
                  source_version_id=version.source_version_id, published_at=version.published_at)


def _published_key(version: AnswerVersion):
    return (version.published_at or dt.datetime.min.replace(tzinfo=dt.timezone.utc), version.pk)


@dataclass
class LanguageState:
    """One language of one topic at one place (``code`` None: the national text)."""

    language: str
    code: Optional[str]
    local: Optional[AnswerVersion] = None  # current published version at this place
    national: Optional[AnswerVersion] = None  # current published national version (fallback)
    newest: Optional[AnswerVersion] = None  # newest version at this place, any status
    outdated: bool = False  # the bot's text in this language is an outdated translation

    @property
    def in_use(self) -> Optional[AnswerVersion]:
        """The text the bot answers with in this language (before the outdated rule)."""
        return self.local or (self.national if self.code else None)

    @property
    def uses_national(self) -> bool:
        return self.code is not None and self.local is None and self.national is not None

    @property
    def pending(self) -> Optional[AnswerVersion]:
        """A draft or version in review newer than what is published."""
        if self.newest is None or self.newest.status == Status.PUBLISHED:
            return None
        if self.local is not None and self.newest.pk < self.local.pk:
            return None
        return self.newest

    def badges(self) -> List[Tuple[str, str]]:
        """(label, css class) pairs, in Swedish for the staff pages; each badge says one thing."""
        badges = []
        if self.local is not None:
            badges.append(("publicerad", "ok"))
        elif self.uses_national:
            badges.append(("nationell text", "muted"))
        else:
            badges.append(("saknas", "warn"))
        if self.pending is not None:
            badges.append(("utkast", "") if self.pending.status == Status.DRAFT else ("väntar på granskning", ""))
        if self.outdated:
            badges.append(("föråldrad översättning", "warn"))
            badges.append(("boten svarar på svenska", "warn"))
        return badges


def topic_states(code: Optional[str], topic_keys: Iterable[str]) -> Dict[str, Dict[str, LanguageState]]:
    """``{topic: {language: LanguageState}}`` for one place, with two queries' worth of work."""
    keys = list(topic_keys)
    where = Q(municipality__isnull=True) | Q(municipality_id=code) if code else Q(municipality__isnull=True)
    grouped: Dict[tuple, List[AnswerVersion]] = defaultdict(list)
    for version in AnswerVersion.objects.filter(where, topic__in=keys).order_by("-id"):
        grouped[(version.topic, version.municipality_id, version.language)].append(version)

    def published(versions):
        candidates = [v for v in versions if v.status == Status.PUBLISHED]
        return max(candidates, key=_published_key) if candidates else None

    states: Dict[str, Dict[str, LanguageState]] = {}
    for topic in keys:
        row = {}
        for language in LANGUAGES:
            local_versions = grouped.get((topic, code, language), [])
            national = published(grouped.get((topic, None, language), [])) if code else None
            row[language] = LanguageState(language, code, local=published(local_versions), national=national,
                                          newest=local_versions[0] if local_versions else None)
        swedish = as_answer(row[SWEDISH].in_use)
        for language in LANGUAGES:
            state = row[language]
            if language != SWEDISH and state.in_use is not None:
                state.outdated = translation_outdated(as_answer(state.in_use), swedish)
        states[topic] = row
    return states


def six_months_before(day: dt.date) -> dt.date:
    """The same day six months earlier (31 August → 28/29 February)."""
    month = day.month - STALE_FACT_MONTHS
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class FactState:
    """One fact (municipality × kind × key): its live version and what waits for review."""

    code: str
    kind: str
    key: str
    live: Optional[FactVersion]
    newest: FactVersion

    @property
    def shown(self) -> FactVersion:
        return self.live or self.newest

    @property
    def pending(self) -> Optional[FactVersion]:
        if self.newest.status == Status.PUBLISHED or (self.live and self.newest.pk < self.live.pk):
            return None
        return self.newest

    @property
    def not_verified_since(self) -> Optional[dt.date]:
        return self.live.verified_on if self.live else None

    def is_stale(self, today: Optional[dt.date] = None) -> bool:
        """Live and not verified (or never verified) within the last six months."""
        if self.live is None:
            return False
        today = today or timezone.localdate()
        return self.live.verified_on is None or self.live.verified_on < six_months_before(today)


def fact_states(codes: Optional[Iterable[str]]) -> List[FactState]:
    """Facts of the given municipalities (``None``: all), ordered by municipality, kind, key."""
    versions = FactVersion.objects.select_related("municipality").order_by("-id")
    if codes is not None:
        versions = versions.filter(municipality_id__in=list(codes))
    grouped: Dict[tuple, List[FactVersion]] = defaultdict(list)
    for version in versions:
        grouped[(version.municipality_id, version.kind, version.key)].append(version)
    states = []
    for (code, kind, key), group in grouped.items():
        published = [v for v in group if v.status == Status.PUBLISHED]
        live = max(published, key=_published_key) if published else None
        states.append(FactState(code, kind, key, live, group[0]))
    states.sort(key=lambda s: (s.shown.municipality.name, s.kind, s.key))
    return states
