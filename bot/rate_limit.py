"""Per-sender rate limiting for the REST channel: a token bucket for each conversation.

Every front end (the web widget, the Telegram worker, any REST client) passes through the REST
channel (``bot.channels``), so one limit there covers them all. Each sender (``web-<uuid>``,
``telegram-<chat id>``) has a bucket that holds up to ``RATE_LIMIT_BURST`` messages and refills
at ``RATE_LIMIT_PER_MINUTE``. A person typing never notices it (a quick burst of button presses
fits in the bucket); a script or a stuck key flooding one conversation is slowed down, and the
others are not touched. ``RATE_LIMIT_PER_MINUTE=0`` turns the limit off.

The buckets live in the memory of each Rasa process. That is enough for what the limit is for
(keeping one sender from monopolising the NLU pipeline and the database): with N Rasa
instances behind a load balancer a sender gets at most N times the limit, still far below a
flood. A shared (Redis) counter would add a network round trip to every message for exactness
nobody needs here. Memory is bounded: at most ``MAX_SENDERS`` buckets are kept, the least
recently used go first (a forgotten bucket starts full again, which only ever favours the user).

Fresh sender ids get fresh buckets, so anonymous callers are also limited per client address
(``address_limiter_from_environment``: ``RATE_LIMIT_ADDRESS_PER_MINUTE``, default 120, and
``RATE_LIMIT_ADDRESS_BURST``, default 40; high enough for an office or a school behind one
address). Token holders are not: the Telegram worker speaks for every Telegram user from one
address. The client address is the socket's, or, when the request comes from a proxy listed in
``TRUSTED_PROXIES`` (comma-separated addresses or networks, default none), the last hop of
``X-Forwarded-For`` that is not itself a trusted proxy (``client_address``): the hops before it
are whatever the client wrote, so only the ones our proxies appended can be believed.
"""

from __future__ import annotations

import ipaddress
import math
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Union

DEFAULT_PER_MINUTE = 60.0
DEFAULT_BURST = 20
DEFAULT_ADDRESS_PER_MINUTE = 120.0
DEFAULT_ADDRESS_BURST = 40
MAX_SENDERS = 100_000


@dataclass
class Decision:
    """Whether a message may go on, and if not, after how many seconds the next one may."""

    allowed: bool
    retry_after: float = 0.0

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds to tell the user (never 0: "wait 0 seconds" would read as a bug)."""
        return max(1, math.ceil(self.retry_after))


class SenderRateLimiter:
    """Token buckets keyed by sender (see module docstring)."""

    def __init__(self, per_minute: float = DEFAULT_PER_MINUTE, burst: int = DEFAULT_BURST,
                 max_senders: int = MAX_SENDERS, clock: Callable[[], float] = time.monotonic):
        self.rate = per_minute / 60.0  # tokens per second
        self.burst = max(1, int(burst))
        self.max_senders = max_senders
        self.clock = clock
        self._buckets: "OrderedDict[str, tuple]" = OrderedDict()  # sender → (tokens, last refill)
        # Rasa's server is one event loop, but a lock keeps the limiter correct anywhere.
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def check(self, sender: str) -> Decision:
        """Take one token from ``sender``'s bucket if there is one."""
        if not self.enabled:
            return Decision(True)
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(sender, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                decision = Decision(True)
                tokens -= 1.0
            else:
                decision = Decision(False, (1.0 - tokens) / self.rate)
            self._buckets[sender] = (tokens, now)
            while len(self._buckets) > self.max_senders:
                self._buckets.popitem(last=False)
        return decision

    def __len__(self) -> int:
        return len(self._buckets)


def from_environment(environ: Optional[dict] = None) -> SenderRateLimiter:
    """``RATE_LIMIT_PER_MINUTE`` (default 60, 0 = off) and ``RATE_LIMIT_BURST`` (default 20).

    A value that is not a number is a configuration mistake worth failing loudly on at start."""
    environ = os.environ if environ is None else environ
    per_minute = float(environ.get("RATE_LIMIT_PER_MINUTE") or DEFAULT_PER_MINUTE)
    burst = int(environ.get("RATE_LIMIT_BURST") or DEFAULT_BURST)
    if per_minute < 0 or burst < 1:
        raise ValueError("RATE_LIMIT_PER_MINUTE must be >= 0 and RATE_LIMIT_BURST >= 1")
    return SenderRateLimiter(per_minute=per_minute, burst=burst)


def address_limiter_from_environment(environ: Optional[dict] = None) -> SenderRateLimiter:
    """The per-address buckets: ``RATE_LIMIT_ADDRESS_PER_MINUTE`` (default 120, 0 = off) and
    ``RATE_LIMIT_ADDRESS_BURST`` (default 40)."""
    environ = os.environ if environ is None else environ
    per_minute = float(environ.get("RATE_LIMIT_ADDRESS_PER_MINUTE") or DEFAULT_ADDRESS_PER_MINUTE)
    burst = int(environ.get("RATE_LIMIT_ADDRESS_BURST") or DEFAULT_ADDRESS_BURST)
    if per_minute < 0 or burst < 1:
        raise ValueError("RATE_LIMIT_ADDRESS_PER_MINUTE must be >= 0 and RATE_LIMIT_ADDRESS_BURST >= 1")
    return SenderRateLimiter(per_minute=per_minute, burst=burst)


Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


def trusted_proxies(environ: Optional[dict] = None) -> List[Network]:
    """``TRUSTED_PROXIES``: addresses or networks (``127.0.0.1``, ``10.0.0.0/8``), comma-separated.

    A value that is not an address is a configuration mistake worth failing loudly on at start."""
    environ = os.environ if environ is None else environ
    return [ipaddress.ip_network(item.strip(), strict=False)
            for item in (environ.get("TRUSTED_PROXIES") or "").split(",") if item.strip()]


def _is_trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == network.version and ip in network for network in proxies)


def client_address(socket_address: Optional[str], forwarded_for: Optional[str],
                   proxies: Sequence[Network]) -> str:
    """The address to limit: the socket's, unless it is a trusted proxy; then the last hop of
    ``X-Forwarded-For`` that is not a trusted proxy (see module docstring)."""
    address = (socket_address or "").strip() or "unknown"
    if not forwarded_for or not _is_trusted(address, proxies):
        return address
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:  # garbage a client wrote: the proxy before it is all we know
                return address
    return hops[0] if hops else address
