"""The Rasa server's part of "delete my data": notice the bot's promise, erase after the turn.

``bot.channels`` collects each turn's replies with ``ErasingCollector``. When the bot's reply
carries ``ERASE_AFTER_TURN`` (``action_delete_my_data`` after the user pressed "yes"), the
channel calls ``erase_after_turn`` once ``on_new_message`` has returned, i.e. after Rasa has
saved the turn. Erasing earlier would be undone: Rasa's SQL tracker store writes back every
event of the tracker it holds that it does not find in the table.

The erase holds Rasa's lock for the conversation, so a second message from the same person
that arrives meanwhile is processed after the erase, on an empty tracker, and cannot write
the old events back. Only this module (and so only the Rasa server) imports Rasa here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Text

from rasa.core.channels.channel import CollectingOutputChannel

from webapp.privacy.erasure import ERASE_AFTER_TURN, erase_person

logger = logging.getLogger(__name__)


class ErasingCollector(CollectingOutputChannel):
    """Rasa's collecting output channel that also notes the erase marker (which it would drop)."""

    def __init__(self) -> None:
        super().__init__()
        self.erase_requested = False

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        if message.get(ERASE_AFTER_TURN):
            self.erase_requested = True
        await super().send_response(recipient_id, message)


def _erase_with_django(sender_id: str) -> int:
    from bot.content import _ensure_django

    _ensure_django()
    from django.db import close_old_connections

    from webapp.staff import audit

    close_old_connections()
    try:
        deleted = erase_person(sender_id)
        # The sender id is not logged: the record shows that a newcomer used the right to
        # erasure and how much was deleted, without keeping who it was.
        audit.record(None, "privacy_erase_by_newcomer", target_type="conversation", events=deleted)
        return deleted
    finally:
        close_old_connections()


async def erase_after_turn(agent: Any, sender_id: str) -> bool:
    """Erase ``sender_id``'s conversation under Rasa's lock; False (and logged) if it failed."""
    try:
        async with agent.lock_store.lock(sender_id):
            deleted = await asyncio.get_running_loop().run_in_executor(None, _erase_with_django, sender_id)
    except Exception:
        logger.exception("the conversation the user asked to delete could not be erased")
        return False
    logger.info("conversation erased at the user's request (%d events)", deleted)
    return True
