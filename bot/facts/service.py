"""Look up local facts for a reply without ever holding it: cache first, refresh in the
background, wait for a refresh at most ``FACTS_WAIT_SECONDS``, else answer from stale data
(dated) or from the shipped facts and the municipality's web site.

The action server calls ``await facts().lookup(...)``: every cache read and fetch runs in a
thread, so the event loop is never blocked.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import threading
import time
from typing import Dict, Optional

from bot.facts import config
from bot.facts.cache import CacheEntry, default_cache
from bot.facts.http import SourceUnavailable, client
from bot.facts.providers import FactSet, LocalFacts, RegisterProvider, StaffFactsProvider, WebsiteProvider, \
    register_providers

logger = logging.getLogger(__name__)

# After a source failed, replies stop waiting for it (and stop asking it) for this long: with
# the register unreachable, every question would otherwise wait the full FACTS_WAIT_SECONDS.
SOURCE_DOWN_SECONDS = 30.0


class FactsService:
    """The facts layer of one process: providers, the shared cache and background refreshes."""

    def __init__(self, providers=None, cache=None, wait_seconds: Optional[float] = None):
        self.registers = list(providers) if providers is not None else register_providers(client())
        self.cache = cache or default_cache()
        self.wait_seconds = config.wait_seconds() if wait_seconds is None else wait_seconds
        self.staff = StaffFactsProvider()
        self.website = WebsiteProvider()
        self._refreshing: Dict[str, concurrent.futures.Future] = {}
        self._down_until: Dict[str, float] = {}  # provider name → monotonic time
        self._lock = threading.Lock()
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="facts-refresh")

    def register_for(self, topic_key: str) -> Optional[RegisterProvider]:
        return next((p for p in self.registers if p.covers(topic_key)), None)

    # -- blocking parts (threads) -------------------------------------------------------------
    def refresh(self, provider: RegisterProvider, municipality_code: str) -> CacheEntry:
        """Fetch and cache one municipality's data from one register (network; raises
        SourceUnavailable). Used by the background refresh and by ``facts_refresh``."""
        if config.offline():
            raise SourceUnavailable("FACTS_OFFLINE=1")
        payload = provider.fetch(municipality_code)
        return self.cache.put(provider.key(municipality_code), payload, config.ttl_seconds())

    def refresh_in_background(self, provider: RegisterProvider, municipality_code: str) -> concurrent.futures.Future:
        """One refresh per (source, municipality) at a time, however many replies ask."""
        key = provider.key(municipality_code)
        with self._lock:
            running = self._refreshing.get(key)
            if running and not running.done():
                return running
            future = self._pool.submit(self._refresh_logged, provider, municipality_code)
            self._refreshing[key] = future
            return future

    def _refresh_logged(self, provider, municipality_code) -> Optional[CacheEntry]:
        try:
            entry = self.refresh(provider, municipality_code)
            self._down_until.pop(provider.name, None)
            return entry
        except SourceUnavailable as error:
            self._down_until[provider.name] = time.monotonic() + SOURCE_DOWN_SECONDS
            logger.info("facts refresh failed for %s %s: %s", provider.name, municipality_code, error)
        except Exception:  # a bug in parsing must not kill the worker; the reply falls back
            logger.exception("facts refresh crashed for %s %s", provider.name, municipality_code)
        return None

    def is_down(self, provider: RegisterProvider) -> bool:
        """Whether the source failed within the last ``SOURCE_DOWN_SECONDS``."""
        return time.monotonic() < self._down_until.get(provider.name, 0.0)

    def cached(self, provider: RegisterProvider, municipality_code: str) -> Optional[CacheEntry]:
        try:
            return self.cache.get(provider.key(municipality_code))
        except Exception:  # the cache is down: answer without register data
            logger.exception("facts cache unreadable")
            return None

    # -- the reply path ------------------------------------------------------------------------
    async def lookup(self, topic, municipality, snapshot) -> LocalFacts:
        """Local facts for a topic's answer: shipped/staff facts, register data, web site."""
        local = LocalFacts(staff=self.staff.facts(snapshot, municipality.code, topic.facts),
                           website=self.website.facts(municipality))
        provider = self.register_for(topic.key)
        if provider is not None:
            try:
                local.register = await self._register_facts(provider, topic.key, municipality.code)
            except Exception:  # never let register trouble cost the user the answer itself
                logger.exception("register facts failed for %s %s", provider.name, municipality.code)
        return local

    async def _register_facts(self, provider, topic_key: str, code: str) -> Optional[FactSet]:
        loop = asyncio.get_running_loop()
        entry = await loop.run_in_executor(None, self.cached, provider, code)
        if entry is not None and entry.fresh:
            return provider.fact_set(entry, topic_key, stale=False)
        if config.offline() or self.is_down(provider):
            # no network, or the source failed moments ago: whatever the cache has, dated
            return provider.fact_set(entry, topic_key, stale=True) if entry else None
        refresh = asyncio.wrap_future(self.refresh_in_background(provider, code))
        try:
            fresh = await asyncio.wait_for(asyncio.shield(refresh), timeout=self.wait_seconds)
        except asyncio.TimeoutError:  # still running: it fills the cache for the next question
            fresh = None
        if fresh is not None:
            return provider.fact_set(fresh, topic_key, stale=False)
        return provider.fact_set(entry, topic_key, stale=True) if entry else None


@functools.lru_cache(maxsize=1)
def facts() -> FactsService:
    """The one facts service of the process."""
    return FactsService()
