"""What the worker does when the Bot API answers with an error: one policy for every call.

* 429 (``RetryAfter``): wait as long as Telegram says, then send again.
* Network errors, time-outs and 5xx (``NetworkError``, ``TimedOut``): a few more attempts with
  growing pauses (0.5 s, 1 s, 2 s, 4 s).
* Anything else (400 ``BadRequest``, 403 ``Forbidden`` – the user blocked the bot –, a wrong
  token): raised at once, since sending the same request again cannot help.

It plugs into python-telegram-bot as the bot's rate limiter (``BaseRateLimiter``), which every
Bot API call except ``getUpdates`` passes through; the updater retries its own long polls.
PTB's documentation suggests that a rate limiter leave errors other than ``RetryAfter`` alone;
handling transient network errors here as well keeps the whole fault policy in one place
instead of around each ``send_message``. A request that timed out may have reached Telegram,
so a retry after a time-out can, rarely, show a message twice; losing it would be worse.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from typing import Any, Callable, Coroutine, Dict, Optional

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

logger = logging.getLogger(__name__)


def retry_after_seconds(error: RetryAfter) -> float:
    """``RetryAfter.retry_after`` in seconds (an int or a timedelta, depending on PTB's settings)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class RetryingRateLimiter(BaseRateLimiter[None]):
    """Retries Bot API calls after 429s and transient errors (see module docstring)."""

    def __init__(self, max_flood_retries: int = 5, max_transient_retries: int = 4,
                 first_backoff_seconds: float = 0.5, max_retry_after_seconds: float = 300.0):
        self.max_flood_retries = max_flood_retries
        self.max_transient_retries = max_transient_retries
        self.first_backoff_seconds = first_backoff_seconds
        # A flood wait longer than this is not waited out inside one request; the caller decides.
        self.max_retry_after_seconds = max_retry_after_seconds

    async def initialize(self) -> None:
        """Nothing to set up: the limiter keeps no connections."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: Dict[str, Any],
        endpoint: str,
        data: Dict[str, Any],
        rate_limit_args: Optional[None],
    ) -> Any:
        flood_retries = transient_retries = 0
        while True:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                if flood_retries >= self.max_flood_retries or wait > self.max_retry_after_seconds:
                    raise
                flood_retries += 1
                logger.warning("%s: Telegram asks to wait %.0f s (flood control); retry %d", endpoint, wait, flood_retries)
                await asyncio.sleep(wait)
            except BadRequest:
                raise  # a subclass of NetworkError, but the request itself is wrong
            except NetworkError as error:  # includes TimedOut and the 5xx answers
                if transient_retries >= self.max_transient_retries:
                    raise
                pause = self.first_backoff_seconds * 2 ** transient_retries
                transient_retries += 1
                logger.warning("%s failed (%s); retry %d in %.1f s", endpoint, error, transient_retries, pause)
                await asyncio.sleep(pause)
