"""The facts cache shared by every action-server worker and the refresh command.

One entry per (source, municipality): the parsed items, when they were fetched and when they
expire. Expired entries are kept: when a source is down, stale data (with its date) is better
than none. The database table ``webapp.facts.CachedFacts`` is the default; with ``REDIS_URL``
set, Redis holds the entries instead.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Optional

from bot.facts import config

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CacheEntry:
    payload: dict
    fetched_at: dt.datetime
    expires_at: dt.datetime

    @property
    def fresh(self) -> bool:
        return now() < self.expires_at


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def cache_key(source: str, municipality: str) -> str:
    return f"{source}:{municipality}"


class DatabaseCache:
    """Entries in the ``facts_cachedfacts`` table (Django ORM; call from a thread, not the loop)."""

    def get(self, key: str) -> Optional[CacheEntry]:
        from bot.content import _ensure_django

        _ensure_django()
        from webapp.facts.models import CachedFacts

        row = CachedFacts.objects.filter(key=key).values("payload", "fetched_at", "expires_at").first()
        return CacheEntry(row["payload"], row["fetched_at"], row["expires_at"]) if row else None

    def put(self, key: str, payload: dict, ttl_seconds: int) -> CacheEntry:
        from bot.content import _ensure_django

        _ensure_django()
        from webapp.facts.models import CachedFacts

        fetched = now()
        entry = CacheEntry(payload, fetched, fetched + dt.timedelta(seconds=ttl_seconds))
        source, _, municipality = key.partition(":")
        CachedFacts.objects.update_or_create(key=key, defaults={
            "source": source, "municipality": municipality, "payload": payload,
            "fetched_at": entry.fetched_at, "expires_at": entry.expires_at})
        return entry

    def delete(self, key: str) -> None:
        from bot.content import _ensure_django

        _ensure_django()
        from webapp.facts.models import CachedFacts

        CachedFacts.objects.filter(key=key).delete()


class RedisCache:
    """Entries as JSON strings in Redis; no Redis expiry, so stale data stays usable."""

    PREFIX = "newcomer:facts:"

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key: str) -> Optional[CacheEntry]:
        raw = self.redis.get(self.PREFIX + key)
        if not raw:
            return None
        stored = json.loads(raw)
        return CacheEntry(stored["payload"], dt.datetime.fromisoformat(stored["fetched_at"]),
                          dt.datetime.fromisoformat(stored["expires_at"]))

    def put(self, key: str, payload: dict, ttl_seconds: int) -> CacheEntry:
        fetched = now()
        entry = CacheEntry(payload, fetched, fetched + dt.timedelta(seconds=ttl_seconds))
        self.redis.set(self.PREFIX + key, json.dumps({
            "payload": payload, "fetched_at": fetched.isoformat(), "expires_at": entry.expires_at.isoformat()}))
        return entry

    def delete(self, key: str) -> None:
        self.redis.delete(self.PREFIX + key)


def default_cache():
    """Redis when REDIS_URL is set, else the database."""
    url = config.redis_url()
    return RedisCache(url) if url else DatabaseCache()
