"""Copy new events from Rasa's ``events`` table into the transcript index.

Incremental by event id and cheap when nothing is new, so review pages and the hand-off inbox
call ``sync()`` on every request, and ``manage.py transcripts_sync`` does it from cron. The
events are already redacted: the channel redacts text before Rasa stores it.

Rasa stores whatever an event carried, so the sync trusts no field: every value is checked for
its type before it is used, an event that still cannot be applied is skipped, logged and
counted (``SyncState.skipped`` is not a column: ``skipped_events()`` for this process, and a
warning with the event id in the log), and each conversation is saved on its own savepoint, so
one bad event or conversation never stops the sync, and the staff pages that call it stay up.

Conventions other parts rely on:

* A bot message whose metadata has ``STAFF_METADATA_KEY`` was written by a person (hand-off);
  its value is the staff member's display name.
* ``nlu_fallback``, a confidence under ``LOW_CONFIDENCE`` or a following ``action_clarify``
  marks a user message as not understood ("unanswered questions").
* A user message that is a button payload (``/switch_language{"language":"fa_AF"}``) gets the
  title of the button it came from (``Message.button_label``, from the bot message before it),
  so the transcript shows what the user saw and pressed.
* Wrong-answer feedback counts only for ``feedback_wrong`` recognised with at least
  ``FEEDBACK_MIN_CONFIDENCE``, and never while a person handles the conversation: then the bot
  gave no answer to call wrong, and "when will you answer?" is impatience, not feedback.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Dict, Optional

from django.db import DatabaseError, connection, transaction

from bot.language import detect_language, normalize_for_nlu
from webapp.content.models import Municipality
from webapp.transcripts.models import Conversation, Feedback, Message, Role, SyncState

logger = logging.getLogger(__name__)

STAFF_METADATA_KEY = "handoff_staff"
LOW_CONFIDENCE = 0.5
FALLBACK_ACTIONS = {"action_clarify"}
NEGATIVE_FEEDBACK_INTENTS = {"feedback_wrong"}
POSITIVE_FEEDBACK_INTENTS = {"thank"}
# Below this the classifier often mistakes questions for complaints ("when will you answer?").
FEEDBACK_MIN_CONFIDENCE = 0.8
BATCH = 2000
_SKIPPED = {"count": 0}


def skipped_events() -> int:
    """How many events this process could not index (each is logged with its id)."""
    return _SKIPPED["count"]


def _text(value, limit: Optional[int] = None) -> str:
    """A stored value as text: strings as they are, anything else (a number, a dict) as ""."""
    text = value if isinstance(value, str) else ""
    return text[:limit] if limit else text


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _when(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(timestamp), tz=dt.timezone.utc)


def _new_events(after_id: int):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, sender_id, type_name, timestamp, data FROM events WHERE id > %s ORDER BY id LIMIT %s",
            [after_id, BATCH])
        return cursor.fetchall()


class _Batch:
    """Applies one batch of events; conversations are loaded once and saved at the end."""

    def __init__(self):
        self.conversations: Dict[str, Conversation] = {}
        self.messages = []
        self.last_user_message: Dict[str, Message] = {}
        # payload → button title of the last bot message with buttons, per conversation.
        self.last_buttons: Dict[str, Dict[str, str]] = {}
        # Whether a person handles the conversation (Rasa's pause/resume events), per conversation.
        self.paused: Dict[str, bool] = {}
        self.known_municipalities = set(Municipality.objects.values_list("code", flat=True))

    def conversation(self, sender_id: str, at: dt.datetime) -> Conversation:
        conversation = self.conversations.get(sender_id)
        if conversation is None:
            conversation = Conversation.objects.filter(pk=sender_id).first() or Conversation(
                sender_id=sender_id, started_at=at, last_at=at)
            self.conversations[sender_id] = conversation
        return conversation

    def apply(self, event_id: int, sender_id: str, type_name: str, timestamp: float, data: dict) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"event data is a {type(data).__name__}, not an object")
        at = _when(timestamp)
        conversation = self.conversation(sender_id, at)
        conversation.last_at = max(conversation.last_at, at)
        if type_name == "user":
            self._user(event_id, conversation, at, data)
        elif type_name == "bot":
            self._bot(event_id, conversation, at, data)
        elif type_name == "action":
            name = _text(data.get("name"), 128)
            if name != "action_listen":
                conversation.last_action = name
            if name in FALLBACK_ACTIONS and sender_id in self.last_user_message:
                self.last_user_message[sender_id].fallback = True
                conversation.had_fallback = True
        elif type_name == "slot":
            self._slot(conversation, _text(data.get("name")), data.get("value"))
        elif type_name == "pause":
            conversation.handed_over = True
            self.paused[sender_id] = True
        elif type_name == "resume":
            self.paused[sender_id] = False

    def _is_paused(self, sender_id: str, event_id: int) -> bool:
        if sender_id not in self.paused:  # its pause, if any, came in an earlier batch
            with connection.cursor() as cursor:
                cursor.execute("SELECT type_name FROM events WHERE sender_id = %s AND id < %s "
                               "AND type_name IN ('pause', 'resume') ORDER BY id DESC LIMIT 1", [sender_id, event_id])
                row = cursor.fetchone()
            self.paused[sender_id] = bool(row) and row[0] == "pause"
        return self.paused[sender_id]

    def _buttons_before(self, sender_id: str, event_id: int) -> Dict[str, str]:
        if sender_id not in self.last_buttons:  # the bot message came in an earlier batch
            with connection.cursor() as cursor:
                cursor.execute("SELECT data FROM events WHERE sender_id = %s AND id < %s AND type_name = 'bot' "
                               "ORDER BY id DESC LIMIT 1", [sender_id, event_id])
                row = cursor.fetchone()
            try:
                data = json.loads(row[0]) if row and isinstance(row[0], str) else (row[0] if row else {})
            except ValueError:
                data = {}
            self.last_buttons[sender_id] = _button_titles(data or {})
        return self.last_buttons[sender_id]

    def _user(self, event_id, conversation, at, data):
        text = _text(data.get("text"))
        parse = _dict(data.get("parse_data"))
        intent = _text(_dict(parse.get("intent")).get("name"), 128)
        confidence = _dict(parse.get("intent")).get("confidence")
        if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or confidence != confidence:
            confidence = None  # not a number (or NaN): no confidence rather than a broken row
        detection = detect_language(text)
        language = detection.language if detection.confident else conversation.language
        fallback = intent == "nlu_fallback" or (confidence is not None and confidence < LOW_CONFIDENCE)
        # While a person handles the conversation the bot does not act, so no fallback there.
        message = Message(conversation_id=conversation.sender_id, event_id=event_id, at=at, role=Role.USER,
                          text=text, search_text=normalize_for_nlu(text), language=language or "", intent=intent, confidence=confidence,
                          fallback=fallback and not text.startswith("/"))
        if text.startswith("/"):
            message.button_label = self._buttons_before(conversation.sender_id, event_id).get(text, "")[:200]
            # The label's language, not the conversation's: "دری" pressed in a Swedish chat.
            label_detection = detect_language(message.button_label)
            message.language = label_detection.language if label_detection.confident else conversation.language or ""
        self.messages.append(message)
        self.last_user_message[conversation.sender_id] = message
        conversation.message_count += 1
        conversation.had_fallback = conversation.had_fallback or message.fallback
        channel = _text(data.get("input_channel"), 32)
        if channel and not conversation.channel:
            conversation.channel = channel
        if (intent in NEGATIVE_FEEDBACK_INTENTS and (confidence or 0) >= FEEDBACK_MIN_CONFIDENCE
                and not self._is_paused(conversation.sender_id, event_id)):
            conversation.feedback = Feedback.NEGATIVE
        elif intent in POSITIVE_FEEDBACK_INTENTS and conversation.feedback != Feedback.NEGATIVE:
            conversation.feedback = Feedback.POSITIVE

    def _bot(self, event_id, conversation, at, data):
        metadata = _dict(data.get("metadata"))
        staff_name = _text(metadata.get(STAFF_METADATA_KEY))
        text = _text(data.get("text"))
        self.last_buttons[conversation.sender_id] = _button_titles(data)
        self.messages.append(Message(
            conversation_id=conversation.sender_id, event_id=event_id, at=at,
            role=Role.STAFF if staff_name else Role.BOT, text=text, search_text=normalize_for_nlu(text),
            language=conversation.language, action="" if staff_name else conversation.last_action,
            staff_name=str(staff_name or "")[:150]))

    def _slot(self, conversation, name: Optional[str], value) -> None:
        if not isinstance(value, str):  # a dict or list in a slot never reaches the index
            return
        if name == "language" and value:
            conversation.language = value[:8]
            # The actions set the reply language on every turn; for a message too short or
            # mixed to detect on its own, that is the best word on its language.
            last = self.last_user_message.get(conversation.sender_id)
            if last is not None and not last.language:
                last.language = conversation.language
        elif name == "municipality" and value in self.known_municipalities:
            conversation.municipality_id = value
        elif name == "topic" and value and value not in conversation.topics:
            conversation.topics = conversation.topics + [value[:100]]

    def save(self) -> None:
        unsaved = set()
        for sender_id, conversation in self.conversations.items():
            try:
                with transaction.atomic():  # a savepoint: one bad row does not end the transaction
                    conversation.save()
            except (DatabaseError, ValueError, TypeError):
                logger.exception("conversation %r could not be indexed; its events are skipped", sender_id)
                _SKIPPED["count"] += 1
                unsaved.add(sender_id)
        messages = [m for m in self.messages if m.conversation_id not in unsaved]
        try:
            with transaction.atomic():
                Message.objects.bulk_create(messages, ignore_conflicts=True)
        except (DatabaseError, ValueError, TypeError):
            # One message spoils the bulk insert: save them one by one and skip only that one.
            for message in messages:
                try:
                    with transaction.atomic():
                        Message.objects.bulk_create([message], ignore_conflicts=True)
                except (DatabaseError, ValueError, TypeError):
                    logger.exception("message of event %s could not be indexed; skipped", message.event_id)
                    _SKIPPED["count"] += 1


def _button_titles(bot_event_data: dict) -> Dict[str, str]:
    """payload → title of the buttons a bot event showed (Rasa keeps them under ``data``)."""
    inner = _dict(bot_event_data).get("data")
    buttons = _dict(inner).get("buttons")
    if not isinstance(buttons, list):
        buttons = []
    return {str(b.get("payload")): str(b.get("title") or "") for b in buttons
            if isinstance(b, dict) and b.get("payload")}


def _forget_deleted_ids(state: SyncState) -> None:
    """SQLite hands out max(id) + 1, so ids of deleted newest events come round again; if the
    table now ends below the last id copied, read on from its end so those ids are not skipped."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM events")
        highest = cursor.fetchone()[0] or 0
    if highest < state.last_event_id:
        state.last_event_id = highest
        state.save(update_fields=["last_event_id"])


def sync(max_batches: int = 50) -> int:
    """Copy events newer than the last sync; returns how many events were read."""
    total = 0
    for _ in range(max_batches):
        with transaction.atomic():
            state, _created = SyncState.objects.select_for_update().get_or_create(pk=1)
            try:
                with transaction.atomic():
                    _forget_deleted_ids(state)
                    rows = _new_events(state.last_event_id)
            except DatabaseError:  # Rasa has not created its table yet: nothing to copy
                return total
            if not rows:
                return total
            batch = _Batch()
            for event_id, sender_id, type_name, timestamp, raw in rows:
                try:
                    data = json.loads(raw) if isinstance(raw, str) else (raw or {})
                    batch.apply(event_id, sender_id, type_name, timestamp, data)
                except Exception as error:  # any shape Rasa stored: report it, go on with the rest
                    logger.warning("event %s of %r could not be indexed (%s: %s); skipped",
                                   event_id, sender_id, type(error).__name__, error)
                    _SKIPPED["count"] += 1
            batch.save()
            state.last_event_id = rows[-1][0]
            state.save(update_fields=["last_event_id"])
            total += len(rows)
    return total
