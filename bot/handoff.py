"""Where the assistant hands a conversation to a person.

For now a request for a person gets the municipality's contact details in the user's
language. The hand-off issue replaces this with a ticket, a paused conversation
(``ConversationPaused``) and a staff inbox; actions call only ``request_handoff``, so that
change stays here.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from bot.answers import Composer, Reply
from bot.municipalities import Municipality


def request_handoff(tracker, composer: Composer, municipality: Optional[Municipality], reason: str) -> Tuple[Reply, List]:
    """The reply to a request for a person, and the events to record (none yet)."""
    return composer.human_contact(municipality), []
