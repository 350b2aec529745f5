"""Write conversations into Rasa's ``events`` table exactly as Rasa's ``SQLTrackerStore`` does,
without running Rasa: for tests of the review pages and for demo data (screenshots, trying the
review pages on a laptop).

Rasa stores one row per event: ``sender_id``, ``type_name`` (``user``, ``bot``, ``action``,
``slot``, ``pause``…), ``timestamp``, ``intent_name``, ``action_name`` and ``data``, the event
as JSON (``json.dumps(event.as_dict())``, so non-ASCII text is escaped). The table definition
below is the one SQLAlchemy creates from Rasa's ``SQLTrackerStore.SQLEvent``; when Rasa later
starts on the same database it finds the table and uses it.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Optional

from django.db import connection

_SQLITE_TABLE = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER NOT NULL,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT,
    PRIMARY KEY (id)
)"""
_POSTGRES_TABLE = _SQLITE_TABLE.replace("id INTEGER NOT NULL,", "id SERIAL NOT NULL,")


def ensure_events_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(_POSTGRES_TABLE if connection.vendor == "postgresql" else _SQLITE_TABLE)
        cursor.execute("CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)")


class FakeConversation:
    """One conversation written turn by turn; timestamps advance a second per event.

    >>> c = FakeConversation(language="ar", municipality="0182", at=time.time())
    >>> c.user("كيف اسجل في sfi", intent="sfi_enrol", confidence=0.93)
    >>> c.bot("سجل في ...", action="action_answer_topic", topic="sfi_enrol")
    """

    def __init__(self, sender_id: Optional[str] = None, *, language: str = "sv",
                 municipality: Optional[str] = None, channel: str = "rest", at: Optional[float] = None):
        ensure_events_table()
        self.sender_id = sender_id or f"review-{uuid.uuid4().hex[:12]}"
        self.channel = channel
        self.at = time.time() if at is None else at
        self.language = language
        self.municipality = municipality
        self._language_sent = False

    def _write(self, type_name: str, data: dict, intent_name=None, action_name=None) -> None:
        self.at += 1.0
        data = {"event": type_name, "timestamp": self.at, **data}
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [self.sender_id, type_name, self.at, intent_name, action_name, json.dumps(data)])

    def action(self, name: str) -> "FakeConversation":
        self._write("action", {"name": name, "policy": "RulePolicy", "confidence": 1.0}, action_name=name)
        return self

    def slot(self, name: str, value) -> "FakeConversation":
        self._write("slot", {"name": name, "value": value})
        return self

    def user(self, text: str, *, intent: str = "nlu_fallback", confidence: float = 0.3) -> "FakeConversation":
        self.action("action_listen")
        self._write("user", {
            "text": text,
            "parse_data": {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text},
            "input_channel": self.channel, "message_id": uuid.uuid4().hex, "metadata": {},
        }, intent_name=intent)
        return self

    def bot(self, text: str, *, action: str = "action_answer_topic", topic: Optional[str] = None,
            staff: Optional[str] = None, buttons: Optional[list] = None) -> "FakeConversation":
        """A reply by ``action``, or, with ``staff``, a person's message during a hand-off;
        ``buttons``: ``[{"title": "دری", "payload": "/switch_language{...}"}]`` as Rasa stores them."""
        from webapp.transcripts.sync import STAFF_METADATA_KEY

        if staff is None:
            self.action(action)
            if not self._language_sent:
                self.slot("language", self.language)
                if self.municipality:
                    self.slot("municipality", self.municipality)
                self._language_sent = True
            if topic:
                self.slot("topic", topic)
        metadata = {STAFF_METADATA_KEY: staff} if staff else {}
        self._write("bot", {"text": text, "data": {"buttons": buttons} if buttons else {}, "metadata": metadata})
        return self

    def pause(self) -> "FakeConversation":
        """A person took over (``ConversationPaused``)."""
        self._write("pause", {})
        return self

    def resume(self) -> "FakeConversation":
        """The conversation is back with the bot (``ConversationResumed``)."""
        self._write("resume", {})
        return self
