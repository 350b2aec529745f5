"""The conversation list's filters: a form that reads the query string and the query it makes.

Every filter narrows; an empty field does not filter. A value that is not valid (a code that
does not exist, a date like 2026-13-40) is reported on the form and ignored, never a 500.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import yaml
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from bot.language import normalize_for_nlu
from webapp.content.models import Language, Municipality
from webapp.transcripts.labels import intent_label
from webapp.transcripts.models import Conversation, Feedback, Message, Role, Tag

MAX_SEARCH_TERMS = 8
YES_NO = [("", "Alla"), ("yes", "Ja"), ("no", "Nej")]
LANGUAGE_LABELS = {"sv": "Svenska", "ar": "Arabiska", "fa_AF": "Dari"}
CHANNEL_LABELS = {"rest": "Webb (REST)", "web": "Webbwidget", "telegram": "Telegram"}


@lru_cache(maxsize=1)
def topic_keys() -> tuple:
    """The answer topics, in the order of data/content/topics.yml."""
    path = settings.BASE_DIR / "data" / "content" / "topics.yml"
    return tuple(yaml.safe_load(path.read_text(encoding="utf-8"))["topics"])


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the staff's time zone (Europe/Stockholm)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class ConversationFilterForm(forms.Form):
    q = forms.CharField(label="Sök i text", required=False, max_length=200,
                        help_text="Alla orden i samma meddelande, i valfri ordning.")
    search_in = forms.ChoiceField(label="Sök i", required=False, choices=[
        ("", "Nyanländas meddelanden"), ("all", "Alla meddelanden (även bot och personal)")])
    language = forms.ChoiceField(label="Språk", required=False)
    municipality = forms.ChoiceField(label="Kommun", required=False)
    topic = forms.ChoiceField(label="Ämne", required=False)
    channel = forms.ChoiceField(label="Kanal", required=False)
    date_from = forms.DateField(label="Från och med", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="Till och med", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    handed_over = forms.ChoiceField(label="Lämnades till en person", required=False, choices=YES_NO)
    fallback = forms.ChoiceField(label="Boten förstod inte / osäker", required=False, choices=YES_NO)
    feedback = forms.ChoiceField(label="Återkoppling", required=False, choices=[
        ("", "Alla"), (Feedback.NEGATIVE, "Sa att svaret var fel"), (Feedback.POSITIVE, "Tackade"),
        ("none", "Ingen")])
    reviewed = forms.ChoiceField(label="Granskad", required=False, choices=YES_NO)
    tag = forms.MultipleChoiceField(label="Taggar (alla valda)", required=False)

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["language"].choices = [("", "Alla")] + [(code, LANGUAGE_LABELS[code]) for code in Language.values]
        self.fields["municipality"].choices = [("", "Alla"), ("none", "Ingen angiven")] + [
            (m.code, m.name) for m in Municipality.objects.filter(
                code__in=Conversation.objects.exclude(municipality=None).values("municipality"))]
        self.fields["topic"].choices = [("", "Alla")] + [(key, intent_label(key)) for key in topic_keys()]
        channels = set(Conversation.objects.exclude(channel="").values_list("channel", flat=True).distinct())
        self.fields["channel"].choices = [("", "Alla")] + [
            (name, CHANNEL_LABELS.get(name, name)) for name in sorted(channels | set(CHANNEL_LABELS))]
        self.fields["tag"].choices = [(t.name, t.name) for t in Tag.objects.all()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "Slutdatum före startdatum.")
        return cleaned

    def values(self) -> dict:
        """The valid, non-empty filters (invalid fields are left out)."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


def filter_conversations(filters: dict):
    """Conversations matching ``filters`` (``ConversationFilterForm.values()``), newest first,
    each with ``first_question``: the newcomer's first message, for the list."""
    conversations = Conversation.objects.select_related("municipality").prefetch_related("tags")
    if language := filters.get("language"):
        conversations = conversations.filter(language=language)
    if municipality := filters.get("municipality"):
        conversations = conversations.filter(
            municipality=None if municipality == "none" else municipality)
    if topic := filters.get("topic"):
        # Topic keys are plain identifiers, so the quoted key occurs in the JSON text of the
        # list exactly when it is an element (SQLite's JSON fields have no "contains").
        conversations = conversations.annotate(topics_text=Cast("topics", TextField())).filter(
            topics_text__contains=f'"{topic}"')
    if channel := filters.get("channel"):
        conversations = conversations.filter(channel=channel)
    if start := filters.get("date_from"):
        conversations = conversations.filter(last_at__gte=day_start(start))
    if end := filters.get("date_to"):
        conversations = conversations.filter(started_at__lt=day_start(end + dt.timedelta(days=1)))
    for name, field in (("handed_over", "handed_over"), ("fallback", "had_fallback"), ("reviewed", "reviewed")):
        if value := filters.get(name):
            conversations = conversations.filter(**{field: value == "yes"})
    if feedback := filters.get("feedback"):
        conversations = conversations.filter(feedback="" if feedback == "none" else feedback)
    for tag in filters.get("tag") or []:
        conversations = conversations.filter(tags__name=tag)
    if terms := (filters.get("q") or "").split():
        # Every word must occur in one message, in any order; each word matches as typed
        # (case-insensitive) or in the normalised form, so other spellings of Arabic and
        # Dari letters, digits and ZWNJ find it too.
        messages = Message.objects.filter(conversation=OuterRef("pk"))
        for term in terms[:MAX_SEARCH_TERMS]:
            messages = messages.filter(Q(text__icontains=term) | Q(search_text__contains=normalize_for_nlu(term)))
        if filters.get("search_in") != "all":
            messages = messages.filter(role=Role.USER)
        conversations = conversations.filter(Exists(messages))
    # Typed text only: a button press ("/greet" when the widget opens) is not a question.
    first_question = (Message.objects.filter(conversation=OuterRef("pk"), role=Role.USER)
                      .exclude(text__startswith="/").order_by("at", "event_id"))
    return conversations.annotate(first_question=Subquery(first_question.values("text")[:1])).order_by(
        "-last_at", "sender_id")
