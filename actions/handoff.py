"""Actions that bring in a person (``bot.handoff`` does the work).

* ``action_request_human``: the user asked for a person (``request_human``, ``/human``, the
  button), a situation only a person should handle (every ``handoff_*`` intent: residence
  permit, deportation, eviction, social services, debt, discrimination, a letter from an
  authority), or the user said the answer was wrong (``feedback_wrong``). After the
  acknowledgement, a Migrationsverket decision, an eviction threat, social services and
  children, and debts get general, time-critical guidance in the user's language
  (``bot.guidance``, data/content/handoff_guidance.yml).
* ``action_crisis``: danger to life or safety (``crisis_*``). The emergency number and the right
  national line come first, from content, then the hand-off with top priority.

Both pause the conversation; ``action_clarify`` hands over the same way after repeated
failures (``actions.actions``).

* ``action_session_start``: Rasa's own session start, plus the pause when a person still has
  the conversation. A new session begins when a newcomer writes after a day's silence
  (``session_config`` in domain.yml), and Rasa's new session forgets the pause: the bot would
  answer a conversation that a staff member is handling, and the user's messages would no
  longer wait for that person.
"""

from __future__ import annotations

import asyncio
import logging
from typing import List

from rasa_sdk import Action
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import NewcomerAction, Turn
from bot import guidance, handoff

logger = logging.getLogger(__name__)


async def hand_over(dispatcher: CollectingDispatcher, tracker, turn: Turn, reason: str,
                    crisis: bool = False) -> List[EventType]:
    replies, events = await handoff.request_handoff(tracker, turn.composer, turn.municipality, reason, crisis=crisis)
    for reply in replies[:-1]:
        turn.say(dispatcher, reply)
    last = replies[-1]
    # The custom part tells the web widget to look for the person's messages (bot.handoff).
    dispatcher.utter_message(text=last.text, buttons=last.buttons or None,
                             json_message=handoff.HANDOFF_ACTIVE if events else None)
    return events


class ActionRequestHuman(NewcomerAction):
    """Hands the conversation to a person, with the reason the intent gives."""

    def name(self) -> str:
        return "action_request_human"

    async def respond(self, dispatcher, tracker, turn):
        reason = handoff.INTENT_REASONS.get(turn.intent or "", "requested")
        events = await hand_over(dispatcher, tracker, turn, reason)
        # High-stakes situations: what the newcomer must know now (an appeal deadline, what a
        # landlord may not do), right after "a person will answer", before anyone has read it.
        text = guidance.guidance_for(turn.intent, turn.composer.language)
        if text:
            dispatcher.utter_message(text=text)
        return events


class ActionCrisis(NewcomerAction):
    """112 and the right line at once, then a person with crisis priority."""

    def name(self) -> str:
        return "action_crisis"

    async def respond(self, dispatcher, tracker, turn):
        crisis = turn.intent if turn.intent in handoff.CRISIS_FALLBACKS else "crisis_health"
        turn.say(dispatcher, handoff.crisis_reply(turn.composer, crisis, turn.municipality))
        return await hand_over(dispatcher, tracker, turn, handoff.INTENT_REASONS[crisis], crisis=True)

    async def run(self, dispatcher, tracker, domain):
        # A crisis message is answered even when it is "unreadable" (very long, mostly
        # emoji): the numbers must never wait behind a request to rephrase.
        from actions.actions import read_turn

        turn = await read_turn(tracker)
        return turn.events + await self.respond(dispatcher, tracker, turn)


class ActionSessionStart(Action):
    """Rasa's session start (slots carried over, as ``carry_over_slots_to_new_session`` says),
    still paused if the conversation's hand-off ticket is open."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        carry_over = (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True)
        if carry_over:
            events += [SlotSet(name, value) for name, value in tracker.current_slot_values().items()
                       if value is not None]
        if tracker.is_paused() and await self._ticket_open(tracker.sender_id):
            events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events

    @staticmethod
    async def _ticket_open(sender_id: str) -> bool:
        """Asked only when the ending session was paused: a new conversation, and most new
        sessions, cost no database query inside the conversation's lock."""
        try:
            return await asyncio.get_running_loop().run_in_executor(None, handoff.has_open_ticket, sender_id)
        except Exception:  # the bot answering beats a conversation nobody answers
            logger.exception("could not check the hand-off ticket of %s at a new session", sender_id)
            return False
