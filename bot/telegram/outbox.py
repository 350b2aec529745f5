"""The hand-off's messages to Telegram users: what staff write, "the bot is back", and the
municipality's contact options after an unclaimed wait.

They do not answer anything the user just sent, so they cannot ride on the REST reply. The web
app writes them to the outbox table (``webapp.handoff.models.HandoffDelivery``) and this loop,
running in the Telegram worker, sends each Telegram row and marks it delivered; rows are sent in
the order written, through the chat's lock, so they never interleave with the assistant's
answers. Telegram's 429 and 5xx are retried by the bot's rate limiter (``retries``); a network
failure stops the round and the row is tried again, with growing pauses, so nothing is dropped
while Telegram or the network is down. A chat that refuses for good (the user blocked the bot,
the chat is gone) has its row marked failed, with the error, so the queue moves on.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from django.utils import timezone
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.handoff import staff_message
from bot.telegram.keyboards import assistant_keyboard
from bot.telegram.relay import SENDER_PREFIX, Relay
from bot.telegram.store import ERROR_CHARS, database

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
BATCH = 50


def chat_id_of(sender_id: str) -> Optional[int]:
    """``telegram-123456`` → 123456; None for a sender of another channel."""
    if not sender_id.startswith(SENDER_PREFIX):
        return None
    try:
        return int(sender_id[len(SENDER_PREFIX):])
    except ValueError:
        return None


@database
def waiting(limit: int = BATCH) -> List[Dict[str, Any]]:
    """Telegram rows not yet delivered nor refused, oldest first."""
    from webapp.handoff.models import HandoffDelivery

    return list(HandoffDelivery.objects.filter(channel=CHANNEL, delivered_at=None, failed_at=None).order_by("id")
                .values("id", "sender_id", "kind", "language", "text", "buttons", "staff_name")[:limit])


@database
def mark_delivered(row_id: int) -> None:
    from webapp.handoff.models import HandoffDelivery

    HandoffDelivery.objects.filter(pk=row_id).update(delivered_at=timezone.now())


@database
def record_attempt(row_id: int, error: str, refused: bool) -> None:
    from django.db.models import F

    from webapp.handoff.models import HandoffDelivery

    HandoffDelivery.objects.filter(pk=row_id).update(
        attempts=F("attempts") + 1, last_error=error[:ERROR_CHARS], failed_at=timezone.now() if refused else None)


async def send_waiting(relay: Relay) -> bool:
    """Send what is waiting; False if Telegram could not be reached (try again later)."""
    for row in await waiting():
        chat_id = chat_id_of(row["sender_id"])
        if chat_id is None:
            await record_attempt(row["id"], f"not a Telegram conversation: {row['sender_id']}", refused=True)
            continue
        text = row["text"]
        if row["kind"] == "staff":  # marked as a person's words, not the assistant's
            text = staff_message(row["language"], row["staff_name"], text)
        async with relay._lock(chat_id):
            try:
                keyboard = await assistant_keyboard(row["buttons"] or [])
                await relay.say(chat_id, text, row["language"], keyboard=keyboard)
            except (Forbidden, BadRequest) as error:  # retrying cannot help (BadRequest is a NetworkError)
                logger.error("Telegram refused hand-off message %s for chat %s: %s", row["id"], chat_id, error)
                await record_attempt(row["id"], str(error), refused=True)
                continue
            except TelegramError as error:
                logger.warning("hand-off message %s for chat %s not sent yet: %s", row["id"], chat_id, error)
                await record_attempt(row["id"], str(error), refused=False)
                return False
        await mark_delivered(row["id"])
        logger.info("hand-off message %s delivered to chat %s", row["id"], chat_id)
    return True


async def run_outbox(relay: Relay, check_seconds: float = 1.0, max_pause_seconds: float = 30.0) -> None:
    """Send waiting rows forever: every ``check_seconds``, pausing longer while Telegram fails."""
    failures = 0
    while True:
        try:
            reachable = await send_waiting(relay)
        except Exception:  # the database, or a bug: log it and keep the loop alive
            logger.exception("hand-off outbox round failed")
            reachable = False
        failures = 0 if reachable else failures + 1
        await asyncio.sleep(check_seconds if failures == 0 else min(check_seconds * 2 ** failures, max_pause_seconds))
