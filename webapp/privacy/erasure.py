"""Erasing one person's conversation: from the staff app, from retention, and from the bot.

``erase_person`` is the one way this app erases: it waits for a transcript sync that is
running (the sync holds ``SyncState`` while it copies events; copying the events being
deleted after they are gone would bring the conversation back into the index), then calls
``webapp.transcripts.erase.erase_conversation``, which also tells other apps through
``conversation_erased``.

``ERASE_AFTER_TURN`` is the metadata key with which ``action_delete_my_data`` marks its
"deleted" reply; the REST channel erases after Rasa has saved that turn
(``webapp.privacy.rasa_turn``). This module imports nothing from Django at the top, so the
action server and the Rasa server can import the key before Django is set up.
"""

from __future__ import annotations

ERASE_AFTER_TURN = "erase_conversation_after_turn"


def erase_person(sender_id: str) -> int:
    """Delete every stored trace of ``sender_id``; returns the number of Rasa events deleted."""
    from django.db import transaction

    from webapp.transcripts.erase import erase_conversation
    from webapp.transcripts.models import SyncState

    with transaction.atomic():
        SyncState.objects.select_for_update().get_or_create(pk=1)
        return erase_conversation(sender_id)
