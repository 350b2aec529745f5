"""Erase one person's conversation everywhere: Rasa's events, the index, and whatever other
apps keep about it (they connect to ``conversation_erased``).

Rasa must not be writing that conversation's tracker at the same moment: Rasa's SQL tracker
store writes the events it believes are new, so a tracker it still holds in memory would be
written back. The bot's own "delete my data" flow therefore erases after its turn is saved
(``bot.channels``); staff erase from the app at any time.
"""

from __future__ import annotations

from django.db import DatabaseError, connection, transaction
from django.dispatch import Signal

from webapp.transcripts.models import Conversation

# Sent with ``sender_id`` after the conversation is erased, inside the same transaction.
conversation_erased = Signal()


@transaction.atomic
def erase_conversation(sender_id: str) -> int:
    """Delete every stored trace of ``sender_id``; returns the number of Rasa events deleted."""
    deleted = 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM events WHERE sender_id = %s", [sender_id])
            deleted = cursor.rowcount
    except DatabaseError:  # no events table yet
        pass
    Conversation.objects.filter(pk=sender_id).delete()
    conversation_erased.send(sender=Conversation, sender_id=sender_id)
    return deleted
