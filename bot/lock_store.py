"""Rasa's Redis lock store configured from ``REDIS_URL`` (CONTRACT.md).

Several Rasa servers share the conversations in the tracker store; the lock store makes sure
that the messages of one conversation are handled one after the other, whichever server
receives them. Rasa's own ``RedisLockStore`` takes host, port and password as separate fields
in ``endpoints.yml``; this class reads the one setting every other process reads too, the way
``bot/tracker_store.py`` does for ``DATABASE_URL``. ``bot/stack.py`` names it in the
endpoints file it writes whenever ``REDIS_URL`` is set.
"""

from __future__ import annotations

import os
from typing import Any, Optional
from urllib.parse import unquote, urlparse

from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot import tracker_store_errors

# Several servers share the tracker store: one that silently kept a turn in its own memory
# would hide it from the others (see bot/tracker_store_errors.py).
tracker_store_errors.apply()

# Alphanumeric (Rasa's rule for prefixes); keeps the locks apart from the facts cache
# (``newcomer:facts:…``) when both share one Redis database.
KEY_PREFIX = "newcomer"


def redis_connection_fields(url: str) -> dict:
    """``redis://[user:password@]host[:port][/db]`` (``rediss://`` for TLS) as RedisLockStore fields."""
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss"):
        raise ValueError(f"REDIS_URL must start with redis:// or rediss://, not {parsed.scheme!r}")
    database = parsed.path.lstrip("/")
    return {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 6379,
        "db": int(database) if database else 0,
        "username": unquote(parsed.username) if parsed.username else None,
        "password": unquote(parsed.password) if parsed.password else None,
        "use_ssl": parsed.scheme == "rediss",
    }


class RedisUrlLockStore(RedisLockStore):
    """``RedisLockStore`` on ``REDIS_URL`` instead of separate fields."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **_: Any) -> None:
        url = os.environ.get("REDIS_URL")
        if not url:
            raise ValueError("the Redis lock store needs REDIS_URL (redis://:password@host:port/db)")
        super().__init__(key_prefix=KEY_PREFIX, **redis_connection_fields(url))
