"""Actions that bring in a person (``bot.handoff`` does the work).

* ``action_request_human``: the user asked for a person (``request_human``, ``/human``, the
  button), a situation only a person should handle (every ``handoff_*`` intent: residence
  permit, deportation, eviction, social services, debt, discrimination, a letter from an
  authority), or the user said the answer was wrong (``feedback_wrong``).
* ``action_crisis``: danger to life or safety (``crisis_*``). The emergency number and the right
  national line come first, from content, then the hand-off with top priority.

Both pause the conversation; ``action_clarify`` hands over the same way after repeated
failures (``actions.actions``).
"""

from __future__ import annotations

from typing import List

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import NewcomerAction, Turn
from bot import handoff


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
        return await hand_over(dispatcher, tracker, turn, reason)


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
