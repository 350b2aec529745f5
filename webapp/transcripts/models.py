"""An index of the conversations in Rasa's tracker store, for review and filtering, and what
admins make of them (training examples, content tasks).

Rasa's ``events`` table is the record (already redacted by the channel before Rasa stores
anything); these tables are derived from it by ``webapp.transcripts.sync`` so that staff can
filter and search (Rasa stores JSON with escaped non-ASCII text, which SQL cannot search).
Review marks (reviewed, tags, note) live only here. Erasing a conversation deletes both
(``webapp.transcripts.erase``).
"""

import re

from django.conf import settings
from django.db import models

from bot.language import RIGHT_TO_LEFT, normalize_for_nlu
from webapp.content.models import Language, Municipality


class Role(models.TextChoices):
    USER = "user", "Newcomer"
    BOT = "bot", "Bot"
    STAFF = "staff", "Staff"


class Feedback(models.TextChoices):
    NONE = "", "None"
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative (said the answer was wrong)"


class Tag(models.Model):
    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Conversation(models.Model):
    sender_id = models.CharField(primary_key=True, max_length=255)
    channel = models.CharField(max_length=32, blank=True, db_index=True)
    language = models.CharField(max_length=8, blank=True, db_index=True)
    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.SET_NULL)
    topics = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(db_index=True)
    last_at = models.DateTimeField(db_index=True)
    message_count = models.PositiveIntegerField(default=0)
    handed_over = models.BooleanField(default=False, db_index=True)
    had_fallback = models.BooleanField(default=False, db_index=True)
    feedback = models.CharField(max_length=16, choices=Feedback.choices, blank=True, default="")
    # Review marks: set by admins, never derived from events.
    reviewed = models.BooleanField(default=False, db_index=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    tags = models.ManyToManyField(Tag, blank=True)
    note = models.TextField(blank=True)
    # Sync bookkeeping: the last action Rasa ran, so the next bot message knows its action.
    last_action = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-last_at"]

    def __str__(self):
        return f"{self.sender_id} ({self.language or '?'}, {self.municipality_id or '-'})"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    event_id = models.BigIntegerField(unique=True, help_text="id of the row in Rasa's events table")
    at = models.DateTimeField(db_index=True)
    role = models.CharField(max_length=8, choices=Role.choices)
    text = models.TextField(blank=True)
    # ``bot.language.normalize_for_nlu(text)``: lower case, one spelling of Arabic/Persian
    # letters and digits, so that search finds "كيف" in "كيـف" and Swedish "Å" in "å" (SQLite's
    # LIKE folds ASCII only). Filled by ``sync``; never shown.
    search_text = models.TextField(blank=True, editable=False)
    language = models.CharField(max_length=8, blank=True)
    intent = models.CharField(max_length=128, blank=True, db_index=True)
    confidence = models.FloatField(null=True, blank=True)
    action = models.CharField(max_length=128, blank=True, help_text="bot messages: the action that sent it")
    fallback = models.BooleanField(default=False, db_index=True,
                                   help_text="user messages: fell back or had low confidence")
    staff_name = models.CharField(max_length=150, blank=True)
    # User messages that are a button press (text "/greet"): the title of the button the user
    # saw, in their language. Empty for typed text and for payloads no button showed (the web
    # widget sends "/greet" when it opens).
    button_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "event_id"]

    def __str__(self):
        return f"{self.role}: {self.text[:40]}"

    @property
    def is_rtl(self) -> bool:
        return self.language in RIGHT_TO_LEFT


class SyncState(models.Model):
    """The id of the last Rasa event copied into the index."""

    last_event_id = models.BigIntegerField(default=0)


def question_key(text: str) -> str:
    """The form under which the same question typed differently counts as one: normalised
    letters and digits (``normalize_for_nlu``), punctuation and extra spaces dropped."""
    return re.sub(r"[^\w]+", " ", normalize_for_nlu(text)).strip()


class TrainingExample(models.Model):
    """A newcomer's question an admin assigned to an intent, for the next training.

    ``manage.py export_training_examples`` writes them to ``data/nlu/<lang>/from_review.yml``;
    a person runs it and retrains. The text is kept without any link to the conversation.
    """

    text = models.CharField(max_length=500)
    key = models.CharField(max_length=500, db_index=True, editable=False)
    language = models.CharField(max_length=8, choices=Language.choices)
    intent = models.CharField(max_length=128)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["language", "intent", "text"]
        constraints = [models.UniqueConstraint(fields=["language", "key"], name="one_training_example_per_question")]

    def save(self, *args, **kwargs):
        self.key = question_key(self.text)
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.language} {self.intent}: {self.text[:40]}"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Öppen"
    DONE = "done", "Klar"


class ContentTask(models.Model):
    """A question the bot could not answer that needs content (an answer or a fact), for the
    editors of ``municipality`` (none: national content, admins only)."""

    text = models.CharField(max_length=500)
    key = models.CharField(max_length=500, db_index=True, editable=False)
    language = models.CharField(max_length=8, choices=Language.choices)
    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.CASCADE)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def save(self, *args, **kwargs):
        self.key = question_key(self.text)
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.municipality_id or 'national'} {self.status}: {self.text[:40]}"
