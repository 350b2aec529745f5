"""Questions the bot did not understand, grouped: the raw material for training examples and
content tasks.

A user message counts when ``sync`` marked it ``fallback`` (``nlu_fallback``, a confidence
under ``sync.LOW_CONFIDENCE``, or a clarifying question followed). Messages that differ only in
spelling variants, case or punctuation (``models.question_key``) form one group. When the user
then chose one of the clarifying question's buttons, the group shows that choice and the
training-example form starts with it selected: a label ready to save and export.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional

import yaml
from django.conf import settings

from webapp.transcripts.filters import day_start
from webapp.transcripts.models import ContentTask, Message, Role, TaskStatus, TrainingExample, question_key


@lru_cache(maxsize=1)
def domain_intents() -> tuple:
    """The intents of domain.yml: the only names a training example may carry."""
    domain = yaml.safe_load((settings.BASE_DIR / "domain.yml").read_text(encoding="utf-8"))
    return tuple(domain["intents"])


@dataclass
class QuestionGroup:
    key: str
    count: int = 0
    texts: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    municipalities: Counter = field(default_factory=Counter)
    conversations: set = field(default_factory=set)
    last_seen: Optional[dt.datetime] = None
    example_sender_id: str = ""
    training_intent: str = ""  # set when already added as a training example
    # What users chose from the clarifying question's buttons right after asking this (the
    # bot offers the likeliest specific questions: bot/decision.py), most chosen first.
    picked: Counter = field(default_factory=Counter)
    open_task: bool = False
    municipality_name: str = ""  # filled by the view for the page shown

    @property
    def text(self) -> str:
        """The most frequent spelling, shown and offered as the training text."""
        return self.texts.most_common(1)[0][0]

    @property
    def language(self) -> str:
        return self.languages.most_common(1)[0][0] if self.languages else ""

    @property
    def language_codes(self) -> list:
        """Languages, most frequent first (templates cannot call ``Counter.most_common``:
        they look ``most_common`` up as a key, which a Counter answers with 0)."""
        return [code for code, _ in self.languages.most_common()]

    @property
    def municipality(self) -> str:
        return self.municipalities.most_common(1)[0][0] if self.municipalities else ""

    @property
    def picked_intent(self) -> str:
        """The intent users picked most often for this question: the label suggested for training."""
        return self.picked.most_common(1)[0][0] if self.picked else ""

    @property
    def handled(self) -> bool:
        return bool(self.training_intent or self.open_task)


def _clarification_picks(fallback_messages) -> Dict[int, str]:
    """Event id of a not-understood message → the intent the user chose next.

    A choice is the user's very next message in the conversation when it is a button payload
    ("/sfi_cost") naming a domain intent: the answer to the clarifying question. Read from
    the transcript itself, so nothing extra is stored and older conversations count too."""
    senders = set(fallback_messages.values_list("conversation_id", flat=True))
    if not senders:
        return {}
    intents = set(domain_intents())
    picks: Dict[int, str] = {}
    pending: Dict[str, int] = {}  # conversation → event id of its last not-understood message
    rows = (Message.objects.filter(role=Role.USER, conversation_id__in=senders)
            .order_by("conversation_id", "event_id").values_list("conversation_id", "event_id", "text", "fallback"))
    for sender_id, event_id, text, fallback in rows.iterator(chunk_size=2000):
        asked = pending.pop(sender_id, None)
        chosen = text[1:].split("{", 1)[0].strip() if text.startswith("/") else ""
        if asked is not None and chosen in intents:
            picks[asked] = chosen
        if fallback and not text.startswith("/"):
            pending[sender_id] = event_id
    return picks


def unanswered_groups(date_from: Optional[dt.date] = None, date_to: Optional[dt.date] = None,
                      language: str = "", include_handled: bool = False) -> List[QuestionGroup]:
    """Groups of not-understood questions, most frequent first, then most recent."""
    messages = Message.objects.filter(role=Role.USER, fallback=True)
    if date_from:
        messages = messages.filter(at__gte=day_start(date_from))
    if date_to:
        messages = messages.filter(at__lt=day_start(date_to + dt.timedelta(days=1)))
    if language:
        messages = messages.filter(language=language)
    groups: Dict[str, QuestionGroup] = {}
    rows = messages.order_by("at", "event_id").values_list(
        "text", "language", "at", "conversation_id", "conversation__municipality_id", "event_id")
    picks = _clarification_picks(messages)
    for text, message_language, at, sender_id, municipality, event_id in rows.iterator(chunk_size=2000):
        key = question_key(text)
        if not key:  # only punctuation or emoji: nothing to learn from
            continue
        group = groups.setdefault(key, QuestionGroup(key=key))
        if event_id in picks:
            group.picked[picks[event_id]] += 1
        group.count += 1
        group.texts[text] += 1
        if message_language:
            group.languages[message_language] += 1
        if municipality:
            group.municipalities[municipality] += 1
        group.conversations.add(sender_id)
        group.last_seen = at  # rows come oldest first
        group.example_sender_id = sender_id
    # Both tables stay small (a person adds each row), so reading them whole is cheaper than
    # an IN list with one entry per group.
    trained = dict(TrainingExample.objects.values_list("key", "intent"))
    tasks = set(ContentTask.objects.filter(status=TaskStatus.OPEN).values_list("key", flat=True))
    result = []
    for group in groups.values():
        group.training_intent = trained.get(group.key, "")
        group.open_task = group.key in tasks
        if include_handled or not group.handled:
            result.append(group)
    result.sort(key=lambda g: (-g.count, -g.last_seen.timestamp()))
    return result
