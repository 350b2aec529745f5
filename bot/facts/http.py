"""HTTP for the register providers: one ``requests`` session with short timeouts, bounded
retries with backoff, an honest User-Agent, respect for ``Retry-After`` and validation.

Whatever goes wrong (timeout, 5xx after retries, 429, malformed JSON, an unexpected shape)
ends as ``SourceUnavailable``: logged here, never shown to a user raw.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Dict, Optional
from urllib.parse import urlparse

import requests

logger = logging.getLogger(__name__)

USER_AGENT = "newcomer-assistant/1.0 (municipal SFI/housing/school chatbot; reads Skolverket open data)"
# Short on purpose: a reply never waits for a slow source (the caller answers from cache).
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 1.0
MAX_RETRIES = 2
BACKOFF_SECONDS = 0.2
# A Retry-After longer than this is not waited for: the source counts as unavailable until then.
MAX_RETRY_AFTER_WAIT = 2.0


class SourceUnavailable(Exception):
    """The source could not give a usable answer now."""


def _retry_after_seconds(value: Optional[str]) -> float:
    if not value:
        return BACKOFF_SECONDS
    try:
        return max(0.0, float(value))
    except ValueError:  # an HTTP date: wait the longest we accept rather than parse it wrongly
        return MAX_RETRY_AFTER_WAIT + 1


class RegisterClient:
    """GET JSON from a register, politely. Thread-safe; one per process."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep):
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._sleep = sleep
        self._not_before: Dict[str, float] = {}  # host → monotonic time the source asked us to wait for
        self._lock = threading.Lock()

    def get_json(self, url: str, params: Optional[dict] = None, accept: str = "application/json",
                 validate: Optional[Callable[[object], bool]] = None) -> dict:
        host = urlparse(url).netloc
        with self._lock:
            if time.monotonic() < self._not_before.get(host, 0):
                raise SourceUnavailable(f"{host} asked us to wait (Retry-After)")
        for attempt in range(MAX_RETRIES + 1):
            last_try = attempt == MAX_RETRIES
            try:
                response = self.session.get(url, params=params, headers={"Accept": accept},
                                            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
            except requests.Timeout as error:  # a slow source is not retried: it would only be slower
                logger.warning("facts source timed out: %s (%s)", url, error)
                raise SourceUnavailable(f"timeout: {url}") from error
            except requests.ConnectionError as error:
                logger.warning("facts source unreachable (attempt %d): %s", attempt + 1, url)
                if last_try:
                    raise SourceUnavailable(f"unreachable: {url}") from error
                self._sleep(BACKOFF_SECONDS * 2 ** attempt)
                continue
            if response.status_code == 429:
                wait = _retry_after_seconds(response.headers.get("Retry-After"))
                logger.warning("facts source rate-limited us: %s, Retry-After %s", url, response.headers.get("Retry-After"))
                if wait > MAX_RETRY_AFTER_WAIT or last_try:
                    with self._lock:
                        self._not_before[host] = time.monotonic() + wait
                    raise SourceUnavailable(f"rate limited: {url}")
                self._sleep(wait)
                continue
            if response.status_code >= 500:
                logger.warning("facts source error %d (attempt %d): %s", response.status_code, attempt + 1, url)
                if last_try:
                    raise SourceUnavailable(f"HTTP {response.status_code}: {url}")
                self._sleep(BACKOFF_SECONDS * 2 ** attempt)
                continue
            return self._validated(response, url, validate)
        raise SourceUnavailable(f"gave up: {url}")

    @staticmethod
    def _validated(response: requests.Response, url: str, validate) -> dict:
        if response.status_code != 200:
            logger.warning("facts source answered HTTP %d: %s", response.status_code, url)
            raise SourceUnavailable(f"HTTP {response.status_code}: {url}")
        try:
            document = response.json()
        except ValueError as error:
            logger.warning("facts source sent malformed JSON: %s: %.120r", url, response.text)
            raise SourceUnavailable(f"malformed JSON: {url}") from error
        if not isinstance(document, dict) or (validate and not validate(document)):
            logger.warning("facts source sent an unexpected document: %s: %.120r", url, response.text)
            raise SourceUnavailable(f"unexpected document: {url}")
        return document


_client: Optional[RegisterClient] = None
_client_lock = threading.Lock()


def client() -> RegisterClient:
    """The one HTTP client (and connection pool) of the process."""
    global _client
    with _client_lock:
        if _client is None:
            _client = RegisterClient()
        return _client
