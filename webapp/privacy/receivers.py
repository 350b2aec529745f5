"""Rows other apps keep about a conversation, erased with it (``conversation_erased``).

Telegram (``webapp.telegram``): the sender id of a Telegram chat is ``telegram-<chat id>``
(``bot.telegram.relay.SENDER_PREFIX``). Its delivered queued messages and processed webhook
updates hold the user's raw text, so they go. Rows not yet handled stay: the worker handles
each chat's messages in order, so those were written after the one that asked for erasure,
and deleting them would lose a new message.
"""

from __future__ import annotations

from typing import Optional

from django.db.models import Q
from django.dispatch import receiver

from webapp.transcripts.erase import conversation_erased

TELEGRAM_SENDER_PREFIX = "telegram-"  # bot.telegram.relay.SENDER_PREFIX (not imported: it pulls in telegram)


def telegram_chat_id(sender_id: str) -> Optional[int]:
    """The Telegram chat id in a sender id, or None for other channels."""
    if not sender_id.startswith(TELEGRAM_SENDER_PREFIX):
        return None
    try:
        return int(sender_id[len(TELEGRAM_SENDER_PREFIX):])
    except ValueError:
        return None


@receiver(conversation_erased, dispatch_uid="privacy-erase-telegram-rows")
def erase_telegram_rows(sender, sender_id: str, **kwargs) -> None:
    from webapp.telegram.models import InboxUpdate, PendingMessage

    PendingMessage.objects.filter(sender=sender_id, delivered_at__isnull=False).delete()
    chat_id = telegram_chat_id(sender_id)
    if chat_id is not None:
        InboxUpdate.objects.filter(processed_at__isnull=False).filter(
            Q(payload__message__chat__id=chat_id) | Q(payload__edited_message__chat__id=chat_id)
            | Q(payload__callback_query__message__chat__id=chat_id)).delete()
