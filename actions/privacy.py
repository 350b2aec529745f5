"""``action_delete_my_data``: a newcomer asks the bot to delete their conversation.

The bot asks first, in the user's language, with yes/no buttons. The buttons send the same
intent with the answer as an entity (``/privacy_delete_data{"privacy_confirm":"yes"}``), so
one rule (data/rules/privacy.yml) covers the question and both answers, and nothing is
deleted by a misunderstood sentence: only the button deletes, and only right after the bot
asked. A "yes" payload sent without that question before it (one forged request) is answered
with the question, so erasure always asks first, whoever sends the payload.

The action does not erase anything itself. Rasa saves the turn after the action returns, and
its SQL tracker store writes back every event it believes is new, so rows deleted here would
come back. Instead the confirmation reply carries ``ERASE_AFTER_TURN`` in its metadata, and
the REST channel erases the conversation once Rasa has saved the turn
(``webapp.privacy.rasa_turn``); if that fails, the channel replaces the "deleted" reply with
its apology, so the user is never told a deletion happened that did not.
"""

from __future__ import annotations

from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions.actions import NewcomerAction, Turn
from bot.i18n import N_
from webapp.privacy.erasure import ERASE_AFTER_TURN

CONFIRM_ENTITY = "privacy_confirm"
YES, NO = "yes", "no"

ASK_CONFIRMATION = N_("Do you want me to delete this conversation? Everything you have written here will be deleted, and it cannot be restored.")
# TRANSLATORS: button; deletes the whole conversation at once.
YES_DELETE = N_("Yes, delete everything")
# TRANSLATORS: button; keeps the conversation.
NO_KEEP = N_("No, keep it")
DELETED = N_("Done: this conversation and everything you wrote here has been deleted. If you write again, we start from the beginning.")
NOTHING_DELETED = N_("OK, nothing has been deleted.")


def confirmation_payload(answer: str) -> str:
    return f'/privacy_delete_data{{"{CONFIRM_ENTITY}":"{answer}"}}'


def _was_just_asked(tracker: Tracker) -> bool:
    """Did the bot's reply just before the latest user message offer the "yes, delete" button?"""
    wanted = confirmation_payload(YES)
    users_seen = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            users_seen += 1
            if users_seen == 2:
                return False
        elif kind == "bot" and users_seen == 1:
            buttons = (event.get("data") or {}).get("buttons") or []
            if any(isinstance(b, dict) and b.get("payload") == wanted for b in buttons):
                return True
    return False


def _answer(tracker: Tracker) -> Optional[str]:
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == CONFIRM_ENTITY and entity.get("value") in (YES, NO):
            return entity["value"]
    return None


class ActionDeleteMyData(NewcomerAction):
    """Asks for confirmation; on yes, replies with the erase marker (see module docstring)."""

    def name(self) -> str:
        return "action_delete_my_data"

    def respond(self, dispatcher, tracker: Tracker, turn: Turn) -> List[EventType]:
        answer = _answer(tracker)
        if answer == YES and _was_just_asked(tracker):
            dispatcher.utter_message(text=turn.composer.t(DELETED), **{ERASE_AFTER_TURN: True})
        elif answer == NO:
            dispatcher.utter_message(text=turn.composer.t(NOTHING_DELETED),
                                     buttons=turn.composer.area_buttons())
        else:
            dispatcher.utter_message(text=turn.composer.t(ASK_CONFIRMATION), buttons=[
                turn.composer.button(YES_DELETE, confirmation_payload(YES)),
                turn.composer.button(NO_KEEP, confirmation_payload(NO)),
            ])
        return []
