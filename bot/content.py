"""Published answers and municipality facts, as the bot reads them.

The action server keeps one in-memory snapshot of everything published and reloads it when
the database's ``ContentRevision`` number changes; it looks at most every
``CONTENT_REFRESH_SECONDS`` (2 s by default). So a published edit reaches the bot within
seconds, without retraining or restart, and a busy bot costs the database one tiny query
every two seconds instead of several per message.

Topic metadata (which facts, which follow-ups, which source) is static product data in
``data/content/topics.yml``.

Translations: every Arabic and Dari version records the Swedish version it was translated from.
When a newer Swedish text is published for the same topic and municipality, the translation is
*outdated*, and ``Snapshot.answer_for_reply`` gives the new Swedish text instead, flagged so
that the reply says why (docs/content-editing.md). Correct addresses and dates matter more
than reading the answer in one's own language.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import yaml

from bot import settings
from bot.language import SWEDISH

logger = logging.getLogger(__name__)

TOPICS_FILE = settings.ROOT / "data" / "content" / "topics.yml"


@dataclass(frozen=True)
class Topic:
    key: str
    needs_municipality: bool
    facts: Tuple[str, ...]
    related: Tuple[str, ...]
    source_name: str
    source_url: str

    @property
    def area(self) -> str:
        return self.key.split("_", 1)[0]


@functools.lru_cache(maxsize=1)
def topics() -> Dict[str, Topic]:
    document = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    return {
        key: Topic(key, bool(v.get("needs_municipality")), tuple(v.get("facts") or ()),
                   tuple(v.get("related") or ()), v["source_name"], v["source_url"])
        for key, v in document["topics"].items()
    }


@dataclass(frozen=True)
class Answer:
    text: str
    municipality: Optional[str]  # None: the national default
    updated_on: dt.date
    version_id: Optional[int] = None
    # Translations: the Swedish version translated from (None: not recorded).
    source_version_id: Optional[int] = None
    published_at: Optional[dt.datetime] = None


def translation_outdated(translation: Answer, swedish: Optional[Answer]) -> bool:
    """Whether ``translation`` no longer says what ``swedish``, the Swedish text the bot uses
    for the same topic and municipality, says.

    A translation is up to date only if it was made from exactly that Swedish version. One
    whose source was never recorded (older rows) counts as up to date unless the Swedish text
    was published after it.
    """
    if swedish is None or translation is swedish:
        return False
    if translation.source_version_id is not None:
        return translation.source_version_id != swedish.version_id
    if translation.published_at and swedish.published_at:
        return swedish.published_at > translation.published_at
    return False


@dataclass(frozen=True)
class Fact:
    municipality: str
    kind: str
    key: str
    name: str
    url: str
    phone: str
    notes: Dict[str, str]
    source_name: str
    source_url: str
    verified_on: Optional[dt.date]
    is_example: bool
    recorded_on: dt.date


@dataclass
class Snapshot:
    revision: int = -1
    answers: Dict[Tuple[str, Optional[str], str], Answer] = field(default_factory=dict)
    facts: Dict[str, List[Fact]] = field(default_factory=dict)
    # Crisis line key → number (``webapp.content.models.CrisisLine``); empty: the seed file's.
    crisis_lines: Dict[str, str] = field(default_factory=dict)

    def answer(self, topic: str, municipality: Optional[str], language: str) -> Optional[Answer]:
        """The municipality's own published text, else the national default."""
        if municipality:
            local = self.answers.get((topic, municipality, language))
            if local:
                return local
        return self.answers.get((topic, None, language))

    def answer_for_reply(self, topic: str, municipality: Optional[str],
                         language: str) -> Tuple[Optional[Answer], bool]:
        """The text the bot answers with, and whether it is the Swedish text standing in for
        an outdated translation (then the reply must say so)."""
        answer = self.answer(topic, municipality, language)
        if answer is None or language == SWEDISH:
            return answer, False
        swedish = self.answer(topic, municipality, SWEDISH)
        if translation_outdated(answer, swedish):
            return swedish, True
        return answer, False

    def facts_for(self, municipality: Optional[str], kinds: Tuple[str, ...]) -> List[Fact]:
        if not municipality:
            return []
        return [f for f in self.facts.get(municipality, []) if f.kind in kinds]


def _ensure_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _read_revision() -> int:
    from webapp.content.models import ContentRevision

    row = ContentRevision.objects.filter(pk=1).values_list("number", flat=True).first()
    return row or 0


def published_order():
    """Current version first: the one published last (ties: the one saved last)."""
    from django.db.models import F

    return (F("published_at").desc(nulls_last=True), "-id")


def answer_from_row(row: dict) -> Answer:
    """An ``Answer`` from an AnswerVersion's values (also used by the editor's preview)."""
    return Answer(row["text"], row["municipality_id"], row["created_at"].date(), version_id=row["id"],
                  source_version_id=row["source_version_id"], published_at=row["published_at"])


def _read_snapshot(revision: int) -> Snapshot:
    from webapp.content.models import AnswerVersion, CrisisLine, FactVersion, Status

    snapshot = Snapshot(revision=revision)
    snapshot.crisis_lines = dict(CrisisLine.objects.values_list("key", "number"))
    # Published last first: the first row seen for an identity is its current published version.
    for row in AnswerVersion.objects.filter(status=Status.PUBLISHED).order_by(*published_order()).values(
            "id", "topic", "municipality_id", "language", "text", "created_at", "source_version_id",
            "published_at"):
        key = (row["topic"], row["municipality_id"], row["language"])
        if key not in snapshot.answers:
            snapshot.answers[key] = answer_from_row(row)
    seen = set()
    for row in FactVersion.objects.filter(status=Status.PUBLISHED).order_by(*published_order()).values():
        identity = (row["municipality_id"], row["kind"], row["key"])
        if identity in seen:
            continue
        seen.add(identity)
        snapshot.facts.setdefault(row["municipality_id"], []).append(Fact(
            municipality=row["municipality_id"], kind=row["kind"], key=row["key"], name=row["name"],
            url=row["url"], phone=row["phone"], notes=row["notes"] or {}, source_name=row["source_name"],
            source_url=row["source_url"], verified_on=row["verified_on"], is_example=row["is_example"],
            recorded_on=row["created_at"].date()))
    for facts in snapshot.facts.values():
        facts.sort(key=lambda f: (f.kind, f.key))
    return snapshot


def read_published() -> Snapshot:
    """A fresh snapshot straight from the database (the editor's preview; tests)."""
    _ensure_django()
    return _read_snapshot(_read_revision())


class ContentStore:
    """The current snapshot of published content, reloaded when the revision changes."""

    def __init__(self, refresh_seconds: Optional[float] = None):
        self._refresh_seconds = settings.content_refresh_seconds() if refresh_seconds is None else refresh_seconds
        self._snapshot = Snapshot()
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def current(self) -> Snapshot:
        """The snapshot, refreshed first if the check interval has passed (blocking I/O)."""
        if time.monotonic() - self._checked_at >= self._refresh_seconds:
            with self._lock:
                if time.monotonic() - self._checked_at >= self._refresh_seconds:
                    self._refresh()
        return self._snapshot

    async def current_async(self) -> Snapshot:
        """``current`` for the action server's event loop: database I/O runs in a thread."""
        if time.monotonic() - self._checked_at < self._refresh_seconds:
            return self._snapshot
        return await asyncio.get_running_loop().run_in_executor(None, self.current)

    def _refresh(self) -> None:
        from django.db import close_old_connections

        _ensure_django()
        close_old_connections()
        try:
            revision = _read_revision()
            if revision != self._snapshot.revision:
                self._snapshot = _read_snapshot(revision)
                logger.info("content revision %s loaded: %d answers, %d municipalities with facts",
                            revision, len(self._snapshot.answers), len(self._snapshot.facts))
        except Exception:  # the database is down or not migrated: keep answering from what we have
            logger.exception("could not refresh content; answering from revision %s", self._snapshot.revision)
        self._checked_at = time.monotonic()


@functools.lru_cache(maxsize=1)
def store() -> ContentStore:
    """The one content store of the process."""
    return ContentStore()
