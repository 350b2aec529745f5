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

from webapp.transcripts.models import Conversation, SyncState

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
            cursor.execute("SELECT MAX(id) FROM events")
            highest_left = cursor.fetchone()[0] or 0
    except DatabaseError:  # no events table yet
        pass
    else:
        # SQLite gives a new row max(id) + 1, so deleting the newest events makes their ids
        # come round again; the sync, which reads ids above the last one it copied, would
        # then skip the next events for good. Every id above ``highest_left`` is gone, so
        # reading on from there misses nothing and reads nothing twice.
        SyncState.objects.filter(last_event_id__gt=highest_left).update(last_event_id=highest_left)
    Conversation.objects.filter(pk=sender_id).delete()
    conversation_erased.send(sender=Conversation, sender_id=sender_id)
    return deleted
