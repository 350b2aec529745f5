"""/staff/privacy/: find one person's conversations, export them, erase them; the audit log.

Admins only: a person's conversations across every municipality are personal data in the
strict sense. Every search, export and erase is audit-logged.

A person is found by sender id, or for Telegram by chat id or user id (in a private chat the
two are the same number, and the sender id is ``telegram-<chat id>``), typed in any digits.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bot.language import to_ascii_digits
from webapp.content.models import Municipality
from webapp.privacy.erasure import erase_person
from webapp.privacy.models import RetentionPolicy, default_retention_days
from webapp.privacy.receivers import TELEGRAM_SENDER_PREFIX
from webapp.staff import audit
from webapp.staff.access import staff_required
from webapp.staff.models import AuditEntry, Role
from webapp.transcripts.models import Conversation
from webapp.transcripts.sync import sync

MAX_RESULTS = 100
AUDIT_PAGE_SIZE = 50
# A shorter fragment would list half the conversations: search exactly below this length.
MIN_FRAGMENT = 4
ACTIVE_WINDOW = dt.timedelta(minutes=5)
_TELEGRAM_ID = re.compile(r"^-?\d{5,}$")


def find_conversations(query: str):
    """Conversations whose sender id is the query, its Telegram form, or contains it."""
    query = to_ascii_digits(query.strip())
    if not query:
        return Conversation.objects.none()
    exact = {query}
    if _TELEGRAM_ID.match(query):
        exact.add(TELEGRAM_SENDER_PREFIX + query)
    condition = Q(sender_id__in=exact)
    if len(query) >= MIN_FRAGMENT:
        condition |= Q(sender_id__icontains=query)
    return Conversation.objects.filter(condition).select_related("municipality").order_by("-last_at")


def _rasa_events(sender_id: str):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT type_name, timestamp, data FROM events WHERE sender_id = %s ORDER BY id",
                           [sender_id])
            rows = cursor.fetchall()
    except DatabaseError:  # Rasa has not created its table yet
        return []
    events = []
    for type_name, timestamp, data in rows:
        try:
            data = json.loads(data) if isinstance(data, str) else data
        except ValueError:
            data = {"unreadable": True}
        events.append({"type": type_name, "at": _iso(timestamp), "data": data})
    return events


def _iso(timestamp) -> str:
    return dt.datetime.fromtimestamp(float(timestamp), tz=dt.timezone.utc).isoformat()


@staff_required(Role.ADMIN)
def home(request):
    sync()
    query = (request.GET.get("q") or "").strip()[:255]
    conversations = None
    if query:
        conversations = list(find_conversations(query)[:MAX_RESULTS])
        audit.record(request, "privacy_search", target_type="conversation", query=query, found=len(conversations))
    policies = RetentionPolicy.objects.select_related("municipality")
    try:
        default_days, setting_error = default_retention_days(), ""
    except ValueError as error:  # a bad TRANSCRIPT_RETENTION_DAYS: retention does not run, say so
        default_days, setting_error = None, str(error)
    return render(request, "privacy/home.html", {
        "query": query, "conversations": conversations, "max_results": MAX_RESULTS,
        "policies": policies, "default_days": default_days, "setting_error": setting_error,
    })


def _conversation_or_404(sender_id: str):
    conversation = Conversation.objects.filter(pk=sender_id).select_related("municipality").first()
    events = _rasa_events(sender_id)
    if conversation is None and not events:
        raise Http404("Inget samtal med det avsändar-id:t.")
    return conversation, events


@staff_required(Role.ADMIN)
def export(request, sender_id: str):
    """Everything stored about one conversation, as a JSON download (e.g. for a subject access request)."""
    sync()
    conversation, events = _conversation_or_404(sender_id)
    document = {
        "sender_id": sender_id,
        "exported_at": timezone.now().isoformat(),
        "exported_by": request.user.get_username(),
        "conversation": None,
        "messages": [],
        "rasa_events": events,
    }
    if conversation is not None:
        document["conversation"] = {
            "channel": conversation.channel, "language": conversation.language,
            "municipality": conversation.municipality_id, "topics": conversation.topics,
            "started_at": conversation.started_at.isoformat(), "last_at": conversation.last_at.isoformat(),
            "message_count": conversation.message_count, "handed_over": conversation.handed_over,
            "had_fallback": conversation.had_fallback, "feedback": conversation.feedback,
            "reviewed": conversation.reviewed, "tags": [t.name for t in conversation.tags.all()],
            "note": conversation.note,
        }
        document["messages"] = [
            {"at": m.at.isoformat(), "role": m.role, "text": m.text, "language": m.language, "intent": m.intent,
             "confidence": m.confidence, "action": m.action, "staff_name": m.staff_name}
            for m in conversation.messages.all()]
    audit.record(request, "privacy_export", target_type="conversation", target_id=sender_id,
                 municipality=conversation.municipality_id if conversation else "",
                 messages=len(document["messages"]), events=len(events))
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    filename = re.sub(r"[^A-Za-z0-9_.-]", "_", sender_id)[:80]
    response["Content-Disposition"] = f'attachment; filename="conversation-{filename}.json"'
    return response


@staff_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def erase(request, sender_id: str):
    """GET: what will be deleted and a confirmation form; POST with ``confirm=yes``: delete."""
    sync()
    if request.method == "POST":
        conversation = Conversation.objects.filter(pk=sender_id).first()
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Kryssa i att du förstår att raderingen inte kan ångras.")
            return redirect("privacy-erase", sender_id=sender_id)
        municipality = conversation.municipality_id if conversation else ""
        deleted = erase_person(sender_id)
        if conversation is None and not deleted:
            messages.warning(request, "Det fanns inget kvar att radera för det avsändar-id:t.")
        else:
            audit.record(request, "privacy_erase", target_type="conversation", target_id=sender_id,
                         municipality=municipality, events=deleted)
            messages.success(request, "Samtalet är raderat: meddelanden, Rasas händelser och granskningsuppgifter.")
        return redirect("privacy-home")
    conversation, events = _conversation_or_404(sender_id)
    # Rasa may still be writing a conversation that is active right now (docs/privacy.md).
    active = bool(conversation and conversation.last_at > timezone.now() - ACTIVE_WINDOW)
    return render(request, "privacy/erase.html", {
        "sender_id": sender_id, "conversation": conversation, "event_count": len(events), "active": active,
        "message_count": conversation.messages.count() if conversation else 0,
    })


class AuditFilterForm(forms.Form):
    user = forms.CharField(required=False, max_length=150, label="Användare")
    action = forms.ChoiceField(required=False, label="Händelse")
    municipality = forms.ChoiceField(required=False, label="Kommun")
    date_from = forms.DateField(required=False, label="Från och med", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="Till och med", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
        self.fields["action"].choices = [("", "Alla")] + [(a, a) for a in actions]
        self.fields["municipality"].choices = [("", "Alla")] + [
            (m.code, m.name) for m in Municipality.objects.filter(
                code__in=AuditEntry.objects.exclude(municipality="").values("municipality"))]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("Från-datumet ligger efter till-datumet.")
        return data


def filter_audit_entries(data: dict):
    entries = AuditEntry.objects.all()
    if data.get("user"):
        entries = entries.filter(username__icontains=data["user"])
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if data.get("municipality"):
        entries = entries.filter(municipality=data["municipality"])
    zone = timezone.get_current_timezone()
    if data.get("date_from"):
        entries = entries.filter(at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=zone))
    if data.get("date_to"):
        entries = entries.filter(at__lt=dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min,
                                                            tzinfo=zone))
    return entries


@staff_required(Role.ADMIN)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    entries = filter_audit_entries(form.cleaned_data) if form.is_valid() else (
        AuditEntry.objects.none() if form.is_bound else AuditEntry.objects.all())
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "privacy/audit.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "entries": [(entry, json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)) for entry in page],
    })
