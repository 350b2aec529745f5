"""Canned replies: who sees and keeps which (``CannedReply``).

Everyone sees the shared replies (no municipality) and those of their own municipalities;
they keep (add, change, delete) their municipalities' replies. Shared replies are kept by
administrators, since a change there reaches every municipality's users.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet

from webapp.content.models import Municipality
from webapp.handoff.models import CannedReply
from webapp.handoff.inbox_query import LANGUAGE_CHOICES
from webapp.staff.access import is_admin, municipality_codes

MAX_TEXT_CHARS = 4000  # one Telegram message (views.MAX_REPLY_CHARS)


def visible_replies(user) -> QuerySet:
    codes = municipality_codes(user)
    replies = CannedReply.objects.select_related("municipality", "updated_by")
    if codes is None:
        return replies
    return replies.filter(Q(municipality__isnull=True) | Q(municipality__in=codes))


def may_keep(user, reply: CannedReply) -> bool:
    if is_admin(user):
        return True
    return reply.municipality_id is not None and reply.municipality_id in (municipality_codes(user) or set())


def replies_for_ticket(user, ticket) -> list:
    """The replies that fit a ticket: its language first, then Swedish; the ticket's municipality
    or shared ones."""
    languages = [ticket.language] + (["sv"] if ticket.language != "sv" else [])
    replies = visible_replies(user).filter(language__in=languages)
    replies = replies.filter(Q(municipality__isnull=True) | Q(municipality=ticket.municipality_id))
    return sorted(replies, key=lambda reply: (languages.index(reply.language), reply.title.lower()))


class CannedReplyForm(forms.ModelForm):
    language = forms.ChoiceField(label="Språk", choices=LANGUAGE_CHOICES, widget=forms.RadioSelect)

    class Meta:
        model = CannedReply
        fields = ["title", "language", "text", "municipality"]
        labels = {"title": "Rubrik (på svenska)", "text": "Text", "municipality": "Kommun"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        codes = municipality_codes(user)
        field = self.fields["municipality"]
        field.queryset = Municipality.objects.order_by("name") if codes is None else \
            Municipality.objects.filter(code__in=codes).order_by("name")
        field.empty_label = "Gemensamt för alla kommuner" if codes is None else None
        field.required = codes is not None
        self.fields["text"].widget.attrs.update({"dir": "auto", "maxlength": MAX_TEXT_CHARS})
        self.fields["title"].widget.attrs.update({"dir": "auto"})

    def clean_text(self):
        text = (self.cleaned_data.get("text") or "").strip()
        if len(text) > MAX_TEXT_CHARS:
            raise forms.ValidationError(f"Texten är för lång ({len(text)} tecken); högst {MAX_TEXT_CHARS}.")
        return text
