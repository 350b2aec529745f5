"""The conversation list (filters, search, pages) and one conversation with its review marks.

Admins only: transcripts are personal data of people in vulnerable situations. Every opening
of a conversation and every change to its review marks goes to the audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from webapp.staff import audit
from webapp.staff.access import staff_required
from webapp.staff.models import Role
from webapp.transcripts.filters import ConversationFilterForm, filter_conversations
from webapp.transcripts.models import Conversation, Role as MessageRole, Tag
from webapp.transcripts.sync import sync

PAGE_SIZE = 50
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length
NOTE_MAX_LENGTH = 5000


@staff_required(Role.ADMIN)
def conversation_list(request):
    sync()
    form = ConversationFilterForm(request.GET or None)
    filters = form.values() if request.GET else {}
    page = Paginator(filter_conversations(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    # The filters without the page number, for the pager's links.
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "transcripts/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "filtered": bool(filters),
    })


def _clean_tag(raw: str) -> str:
    return " ".join((raw or "").split())[:TAG_MAX_LENGTH]


@staff_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def conversation_detail(request, sender_id: str):
    sync()
    conversation = get_object_or_404(Conversation.objects.select_related("municipality", "reviewed_by"),
                                     pk=sender_id)
    if request.method == "POST":
        _change(request, conversation)
        return redirect("review-conversation", sender_id=conversation.sender_id)
    audit.record(request, "view_transcript", conversation, municipality=conversation.municipality_id)
    return render(request, "transcripts/conversation.html", {
        "conversation": conversation,
        "messages_": conversation.messages.all(),
        "tags": conversation.tags.all(),
        "all_tags": Tag.objects.exclude(conversation=conversation),
        "roles": MessageRole,
        "note_max_length": NOTE_MAX_LENGTH,
    })


@transaction.atomic
def _change(request, conversation: Conversation) -> None:
    """Apply one review change from the conversation page's forms and log it."""
    action = request.POST.get("do")
    municipality = conversation.municipality_id
    if action in ("reviewed", "unreviewed"):
        conversation.reviewed = action == "reviewed"
        conversation.reviewed_by = request.user if conversation.reviewed else None
        conversation.save(update_fields=["reviewed", "reviewed_by"])
        audit.record(request, "review_mark", conversation, municipality=municipality, reviewed=conversation.reviewed)
        messages.success(request, "Markerad som granskad." if conversation.reviewed else "Markerad som ogranskad.")
    elif action == "add_tag":
        name = _clean_tag(request.POST.get("tag"))
        if not name:
            messages.error(request, "Skriv ett namn på taggen.")
            return
        # One tag per name whatever the case, so "Bostad" and "bostad" do not split the filter.
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        conversation.tags.add(tag)
        audit.record(request, "review_tag_add", conversation, municipality=municipality, tag=tag.name)
        messages.success(request, f"Taggen ”{tag.name}” lades till.")
    elif action == "remove_tag":
        tag = Tag.objects.filter(name=request.POST.get("tag", "")).first()
        if tag is None or not conversation.tags.filter(pk=tag.pk).exists():
            messages.error(request, "Samtalet har inte den taggen.")
            return
        conversation.tags.remove(tag)
        audit.record(request, "review_tag_remove", conversation, municipality=municipality, tag=tag.name)
        messages.success(request, f"Taggen ”{tag.name}” togs bort.")
    elif action == "note":
        note = (request.POST.get("note") or "").strip()
        if len(note) > NOTE_MAX_LENGTH:
            messages.error(request, f"Anteckningen är för lång (högst {NOTE_MAX_LENGTH} tecken).")
            return
        conversation.note = note
        conversation.save(update_fields=["note"])
        # The note itself may describe the person, so the log says only that it changed.
        audit.record(request, "review_note", conversation, municipality=municipality, length=len(note))
        messages.success(request, "Anteckningen sparades.")
    else:
        messages.error(request, "Okänd åtgärd.")
