"""Rasa custom actions. Thin on purpose: they read the turn, decide the language and the
municipality, and let ``bot.answers`` compose the reply from the content store."""

from __future__ import annotations

import abc
import asyncio
import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import handoff
from bot.answers import Composer, Reply, topic_for_intent
from bot.content import store
from bot.facts.service import facts
from bot.language import (
    MAX_MESSAGE_CHARS,
    canonical_language,
    choose_reply_language,
    clean_text,
    explicit_language_choice,
)
from bot.municipalities import Municipality, directory


FALLBACKS_BEFORE_PERSON = 2
TOPIC_ALONGSIDE_MIN_CONFIDENCE = 0.1
_HAS_WORDS = re.compile(r"\w", re.UNICODE)


@dataclass
class Turn:
    """What the actions need to know about the latest user message."""

    raw_text: str
    is_payload: bool  # a button's "/intent{...}", not typed text
    intent: Optional[str]
    language: str
    municipality: Optional[Municipality]
    municipality_changed: bool
    events: List[EventType]
    composer: Composer
    # The NLU decision layer's verdict (bot.decision.Decision.as_dict); empty for button payloads.
    decision: Dict[str, Any] = field(default_factory=dict)

    @property
    def alternatives(self) -> List[str]:
        return [i for i in self.decision.get("alternatives") or [] if i != self.intent and topic_for_intent(i)]

    @property
    def unreadable(self) -> Optional[str]:
        """``empty``, ``too_long`` or ``no_words`` for input the bot cannot read, else None."""
        if self.is_payload:
            return None
        cleaned = clean_text(self.raw_text)
        if not cleaned:
            return "empty"
        if len(self.raw_text) > MAX_MESSAGE_CHARS:
            return "too_long"
        if not _HAS_WORDS.search(cleaned):
            return "no_words"
        return None

    def say(self, dispatcher: CollectingDispatcher, reply: Reply) -> None:
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    values = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == name]
    return values[-1] if values else None


async def read_turn(tracker: Tracker) -> Turn:
    """Language and municipality for this turn, with the slot events that record them."""
    message = tracker.latest_message or {}
    raw_text = message.get("text") or ""
    is_payload = raw_text.startswith("/")
    metadata = message.get("metadata") or {}
    events: List[EventType] = []

    current = tracker.get_slot("language") or canonical_language(metadata.get("language"))
    language = choose_reply_language(
        "" if is_payload else raw_text,
        current,
        requested=_entity(tracker, "language"),
    )
    if language != tracker.get_slot("language"):
        events.append(SlotSet("language", language))

    municipality_code = _entity(tracker, "municipality") or tracker.get_slot("municipality")
    if not municipality_code and metadata.get("municipality"):
        municipality_code = str(metadata["municipality"])
    municipality = directory().get(municipality_code) if municipality_code else None
    changed = bool(municipality and municipality.code != tracker.get_slot("municipality"))
    if changed or (municipality_code and not municipality and tracker.get_slot("municipality")):
        events.append(SlotSet("municipality", municipality.code if municipality else None))

    intent = (message.get("intent") or {}).get("name")
    snapshot = await store().current_async()
    register = await register_facts(tracker, intent, municipality, snapshot) if municipality else {}
    return Turn(raw_text, is_payload, intent, language, municipality, changed, events,
                Composer(language, snapshot, register), decision=dict(message.get("decision") or {}))


async def register_facts(tracker: Tracker, intent: Optional[str], municipality: Municipality, snapshot) -> dict:
    """Register facts (Skolverket) for every topic this turn may answer: the intent, the topic
    waiting for a municipality, and a question asked alongside one. Bounded by the facts
    layer's wait, so a slow register never holds the reply."""
    service = facts()
    ranked = [r.get("name") for r in (tracker.latest_message.get("intent_ranking") or [])[1:3]]
    candidates = {t.key: t for t in map(topic_for_intent, [intent, tracker.get_slot("pending_topic"), *ranked])
                  if t is not None and service.register_for(t.key) is not None}
    found = await asyncio.gather(*(service.lookup(t, municipality, snapshot) for t in candidates.values()))
    return {key: local.register for key, local in zip(candidates, found) if local.register is not None}


class NewcomerAction(Action, abc.ABC):
    """Reads the turn, answers unreadable input (empty, too long, no words) the same way in
    every action, and leaves the rest to ``respond``. Abstract, so rasa_sdk does not register it."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        turn = await read_turn(tracker)
        if turn.unreadable:
            turn.say(dispatcher, turn.composer.unreadable(turn.unreadable))
            return turn.events
        events = self.respond(dispatcher, tracker, turn)
        if inspect.isawaitable(events):  # the hand-off actions wait for the database
            events = await events
        return turn.events + events

    @abc.abstractmethod
    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn) -> List[EventType]:
        """The reply to a readable turn; returns the events to add (may be a coroutine)."""


class ActionAnswerTopic(NewcomerAction):
    """Answers an SFI, housing or school topic; asks for the municipality first when the
    answer depends on it, and answers the waiting topic once the municipality is known."""

    def name(self) -> str:
        return "action_answer_topic"

    def respond(self, dispatcher, tracker, turn):
        if turn.intent == "inform_municipality":
            return municipality_given(dispatcher, tracker, turn)
        if ask_which_municipality(dispatcher, tracker, turn):
            return []
        topic = topic_for_intent(turn.intent)
        if topic is None:  # a rule sent an intent this action does not know: clarify instead
            turn.say(dispatcher, turn.composer.clarify(out_of_scope=False, offer_person=False))
            return []
        if turn.decision.get("courtesy"):  # "Tack! Vad kostar sfi?": thank back, then answer
            turn.say(dispatcher, turn.composer.courtesy(turn.decision["courtesy"]))
        if topic.needs_municipality and turn.municipality is None:
            turn.say(dispatcher, turn.composer.ask_municipality())
            return [SlotSet("pending_topic", topic.key)]
        events = answer_topic(dispatcher, turn, topic)
        if turn.decision.get("kind") == "topic" and turn.alternatives:
            # Sure of the topic, not of the question in it: the likeliest answer, then the others.
            turn.say(dispatcher, turn.composer.other_questions(turn.alternatives))
        return events


def answer_topic(dispatcher, turn: Turn, topic) -> List[EventType]:
    for reply in turn.composer.topic_answer(topic, turn.municipality):
        turn.say(dispatcher, reply)
    return [SlotSet("pending_topic", None), SlotSet("topic", topic.key)]


def ask_which_municipality(dispatcher, tracker: Tracker, turn: Turn) -> bool:
    """The bot asked for the municipality and the short reply may name one, but only as a word
    that is also an ordinary word ("بوستاد": Båstad or bostad) or a spelling two names share:
    ask "Do you mean Båstad?" rather than drop it or guess. True when it asked."""
    if turn.is_payload or _entity(tracker, "municipality") or not tracker.get_slot("pending_topic"):
        return False
    candidates = directory().possible_municipalities(turn.raw_text)
    if not candidates:
        return False
    turn.say(dispatcher, turn.composer.confirm_municipality(candidates))
    return True


def municipality_given(dispatcher, tracker: Tracker, turn: Turn) -> List[EventType]:
    """The user named a municipality (or tried to): confirm it and answer what was waiting."""
    if ask_which_municipality(dispatcher, tracker, turn):
        return []
    if turn.municipality is None or not _entity(tracker, "municipality") and not turn.municipality_changed:
        unknown = directory().unknown_postal_codes(turn.raw_text)
        turn.say(dispatcher, turn.composer.municipality_unknown(unknown[0].postal_code if unknown else None))
        return []
    turn.say(dispatcher, turn.composer.municipality_confirmed(turn.municipality))
    pending = topic_for_intent(tracker.get_slot("pending_topic")) or _topic_asked_alongside(tracker)
    if pending:
        return answer_topic(dispatcher, turn, pending)
    turn.say(dispatcher, turn.composer.ask_topic())
    return []


class ActionSmallTalk(NewcomerAction):
    """Greeting, goodbye, thanks and help, in the user's language."""

    def name(self) -> str:
        return "action_small_talk"

    def respond(self, dispatcher, tracker, turn):
        turn.say(dispatcher, turn.composer.small_talk(turn.intent or "help"))
        return []


class ActionSwitchLanguage(NewcomerAction):
    """Switches the conversation's language on an explicit request or a language button."""

    def name(self) -> str:
        return "action_switch_language"

    def respond(self, dispatcher, tracker, turn):
        asked = _entity(tracker, "language") or explicit_language_choice(turn.raw_text)
        if not canonical_language(asked):
            turn.say(dispatcher, Composer.choose_language())
            return []
        turn.say(dispatcher, turn.composer.language_set())
        return []


class ActionClarify(NewcomerAction):
    """Low confidence or out of scope: ask again with topic buttons, never guess; after
    repeated failures hand the conversation to a person (``actions.handoff``)."""

    def name(self) -> str:
        return "action_clarify"

    def respond(self, dispatcher, tracker, turn):
        if _entity(tracker, "municipality") and turn.municipality:
            # "Nacka?" understood as nothing else: at least take the municipality.
            return municipality_given(dispatcher, tracker, turn)
        if ask_which_municipality(dispatcher, tracker, turn):
            return []
        out_of_scope = turn.intent == "out_of_scope"
        if not out_of_scope and consecutive_fallbacks(tracker) >= FALLBACKS_BEFORE_PERSON - 1:
            # Not understood twice in a row: a person takes over. (A question outside the topics
            # was understood; it keeps getting the topics and the "talk to a person" button.)
            from actions.handoff import hand_over

            return hand_over(dispatcher, tracker, turn, handoff.REPEATED_FAILURE)
        if not out_of_scope and turn.alternatives:
            # The likeliest specific questions (up to three), not the three broad topics.
            turn.say(dispatcher, turn.composer.clarify_questions(turn.alternatives))
            return []
        turn.say(dispatcher, turn.composer.clarify(out_of_scope=out_of_scope, offer_person=False))
        return []


def _topic_asked_alongside(tracker: Tracker):
    """ "I live in Varberg, how do I sign up for SFI?" is classified as giving the municipality;
    the question in it is the runner-up intent. Answer it too when it is a clear second."""
    for ranked in (tracker.latest_message.get("intent_ranking") or [])[1:3]:
        topic = topic_for_intent(ranked.get("name"))
        if topic and ranked.get("confidence", 0) >= TOPIC_ALONGSIDE_MIN_CONFIDENCE:
            return topic
    return None


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many times in a row, before this turn, the bot had to clarify."""
    count = 0
    for event in reversed(tracker.events[:-1] if tracker.events else []):
        if event.get("event") in ("pause", "resume", "restart", "session_started"):
            break  # back from a person (or a new start): earlier failures were dealt with
        if event.get("event") == "action" and event.get("name") not in (None, "action_listen"):
            if event["name"] != "action_clarify":
                break
            count += 1
    return count
