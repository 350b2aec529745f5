"""The staff inbox for hand-offs: the live list, one ticket with its conversation, and the
claim / reply / close steps.

Everything about who may see which ticket comes from ``service.visible_tickets`` (municipality,
national pool, admin) on top of ``staff_required``; a ticket outside it is a 404, so the page
does not even say that it exists. The steps themselves live in ``webapp.handoff.service``;
these views check the ticket's state first only to give staff a clear Swedish message (the
service checks again, because two people can click at the same moment). The service writes
claim, reply and close to the audit log; the views log reading a ticket.

Live updates: the pages poll small JSON feeds (``inbox_feed``, ``ticket_feed``) every few
seconds from static scripts (the staff CSP allows no inline code). Rows are built in one place
(``ticket_row``, ``message_row``) for both the first render and the feeds.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST, require_safe

from bot.language import RIGHT_TO_LEFT
from webapp.content.models import Municipality
from webapp.handoff import routing, service
from webapp.handoff.canned import replies_for_ticket
from webapp.handoff.inbox_query import (CHANNEL_CHOICES, LANGUAGE_CHOICES, STATUS_CHOICES, InboxFilters,
                                        apply_filters, inbox_page)
from webapp.handoff.models import Outcome, Priority, Reason, Status
from webapp.handoff.stats import format_duration, handoff_stats
from webapp.staff import audit
from webapp.staff.access import is_admin, languages_of, staff_required
from webapp.staff.models import Role
from webapp.transcripts.models import Role as MessageRole

logger = logging.getLogger(__name__)

POLL_MILLISECONDS = 3000
# Telegram's limit is 4096 characters per message; staff replies stay within one message.
MAX_REPLY_CHARS = 4000

# Staff read and write Swedish; these are the languages' Swedish names for the inbox.
LANGUAGE_NAMES_SV = {"sv": "svenska", "ar": "arabiska", "fa_AF": "dari"}
CHANNEL_NAMES_SV = {"web": "Webbchatt", "telegram": "Telegram", "rest": "REST-API"}
# Why the ticket reached this inbox (``Tier``), short enough for a table column.
TIER_NAMES_SV = {"language": "Talar användarens språk", "municipality": "Kommunens personal",
                 "national": "Nationell pool"}
# Outcomes a person chooses when closing; "the user went back to the bot" is the user's own step.
STAFF_OUTCOMES = [(code, label) for code, label in Outcome.choices if code != Outcome.CANCELLED_BY_USER]


# --- presentation, shared by pages and feeds ------------------------------------------------------

def html_lang(language: str) -> str:
    """BCP 47 tag for a product language code (``fa_AF`` → ``fa-AF``)."""
    return (language or "").replace("_", "-")


def language_note(language: str, user) -> str:
    """The note a staff member sees when the user writes a language they do not speak."""
    if not language or language == "sv" or language in languages_of(user):
        return ""
    return f"Användaren skriver på {LANGUAGE_NAMES_SV.get(language, language)}; svara på svenska"


def staff_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _wait_seconds(ticket, now) -> float:
    """How long the user waited for a person: until the claim, or until now while waiting."""
    end = ticket.claimed_at or (now if ticket.status == Status.WAITING else ticket.closed_at or now)
    return max(0.0, (end - ticket.created_at).total_seconds())


def ticket_row(ticket, user, now) -> dict:
    """One ticket as the inbox shows it (every value a plain string or number, for JSON)."""
    wait = _wait_seconds(ticket, now)
    return {
        "id": ticket.pk,
        "url": reverse("handoff-ticket", args=[ticket.pk]),
        "priority": ticket.priority,
        "priority_label": Priority(ticket.priority).label,
        "crisis": ticket.priority == Priority.CRISIS,
        "reason": ticket.reason,
        "reason_label": ticket.get_reason_display(),
        "language": ticket.language,
        "language_label": LANGUAGE_NAMES_SV.get(ticket.language, ticket.language),
        "language_note": language_note(ticket.language, user),
        "municipality": ticket.municipality_id or "",
        "municipality_name": ticket.municipality.name if ticket.municipality_id else "",
        "channel": ticket.channel,
        "channel_label": CHANNEL_NAMES_SV.get(ticket.channel, ticket.channel or "–"),
        "tier": ticket.tier,
        "tier_label": TIER_NAMES_SV.get(ticket.tier, ticket.get_tier_display()),
        "status": ticket.status,
        "status_label": ticket.get_status_display(),
        "claimed_by": staff_name(ticket.claimed_by),
        "mine": ticket.claimed_by_id == user.pk,
        "created_at": ticket.created_at.isoformat(),
        "wait_seconds": int(wait),
        "wait_label": format_duration(wait),
        "pinned": False,
    }


def _when(value) -> str:
    return date_format(timezone.localtime(value), "j b H:i") if value else ""


def message_row(message) -> dict:
    """One message of the conversation; right-to-left text is marked so the browser lays it out right."""
    if message.role == MessageRole.STAFF:
        who = message.staff_name or "Personal"
        # Staff write Swedish, or the user's language if they speak it: let the browser decide.
        direction, lang = "auto", ""
    else:
        who = "Användaren" if message.role == MessageRole.USER else "Boten"
        if message.language in RIGHT_TO_LEFT:
            direction, lang = "rtl", html_lang(message.language)
        elif message.language:
            direction, lang = "ltr", html_lang(message.language)
        else:
            direction, lang = "auto", ""
    # The index row's id, not Rasa's event id: rows are added in event order, so it only grows.
    return {"id": message.pk, "role": message.role, "who": who, "text": message.text,
            "at": message.at.isoformat(), "time": _when(message.at), "dir": direction, "lang": lang}


# --- reading ------------------------------------------------------------------------------------

def _open_tickets(user, filters: InboxFilters):
    """The inbox's tables for ``filters`` (see ``webapp.handoff.inbox_query``), and the queue figures."""
    visible = service.visible_tickets(user)
    found = inbox_page(visible, filters, user)
    now = timezone.now()
    matching_crisis = set()
    if filters.status in ("", Status.WAITING):
        matching_crisis = set(apply_filters(visible, filters, user)
                              .filter(status=Status.WAITING, priority=Priority.CRISIS).values_list("pk", flat=True))
    waiting = []
    for ticket in found.crisis:
        row = ticket_row(ticket, user, now)
        # Shown although the filters would hide it: the row says why it is there.
        row["pinned"] = ticket.pk not in matching_crisis
        waiting.append(row)
    waiting += [ticket_row(ticket, user, now) for ticket in found.waiting]
    in_progress = [ticket_row(ticket, user, now) for ticket in found.in_progress]
    # Your own conversations first among those in progress: they are the ones you answer.
    in_progress.sort(key=lambda row: not row["mine"])
    # The queue figures are about the whole queue you serve, whatever the filters show.
    all_waiting = list(visible.filter(status=Status.WAITING).values_list("created_at", flat=True))
    oldest = max(((now - created).total_seconds() for created in all_waiting), default=None)
    return {
        "waiting": waiting,
        "in_progress": in_progress,
        "closed": [ticket_row(ticket, user, now) for ticket in found.closed],
        "waiting_count": len(all_waiting),
        "oldest_wait_seconds": int(oldest) if oldest is not None else None,
        "oldest_wait": format_duration(oldest) if oldest is not None else "–",
        "page": found.page,
        "pages": found.pages,
        "matching": found.matching,
        "in_progress_truncated": found.truncated,
    }


@require_safe
@staff_required(Role.EDITOR)
def inbox(request):
    """The inbox: filters, the waiting tickets (crisis always first, then by priority and wait,
    in pages), the tickets in progress (yours first), and the 30-day figures below."""
    filters = InboxFilters.from_query(request.GET)
    context = _open_tickets(request.user, filters)
    visible = service.visible_tickets(request.user)
    query = filters.query()
    context.update({
        "stats": handoff_stats(visible),
        "feed_url": reverse("handoff-inbox-feed") + (f"?{query}" if query else ""),
        "poll_ms": POLL_MILLISECONDS,
        "filters": filters,
        "filter_choices": {
            "language": LANGUAGE_CHOICES, "priority": Priority.choices, "reason": Reason.choices,
            "status": STATUS_CHOICES, "channel": CHANNEL_CHOICES,
            "municipality": Municipality.objects.filter(
                code__in=visible.exclude(municipality=None).values("municipality_id")).order_by("name"),
        },
        "previous_url": f"?{filters.query(page=context['page'] - 1)}" if context["page"] > 1 else "",
        "next_url": f"?{filters.query(page=context['page'] + 1)}" if context["page"] < context["pages"] else "",
    })
    return render(request, "handoff/inbox.html", context)


@require_safe
@staff_required(Role.EDITOR)
def inbox_feed(request):
    """What the inbox page polls: the same tables as the page for the same query string."""
    payload = _open_tickets(request.user, InboxFilters.from_query(request.GET))
    payload["generated_at"] = timezone.now().isoformat()
    return JsonResponse(payload)


def _visible_ticket(user, pk: int):
    """The ticket if this person may see it; 404 otherwise (also for another municipality's)."""
    ticket = (service.visible_tickets(user).filter(pk=pk)
              .select_related("municipality", "claimed_by").first())
    if ticket is None:
        raise Http404("no such ticket")
    return ticket


def _may_reply(ticket, user) -> bool:
    return ticket.status == Status.CLAIMED and ticket.claimed_by_id == user.pk


def _may_close(ticket, user) -> bool:
    # An admin may close a ticket a colleague left claimed (ill, gone home), so it does not hang.
    return ticket.status == Status.CLAIMED and (ticket.claimed_by_id == user.pk or is_admin(user))


def _may_assign(ticket, user) -> bool:
    # A waiting ticket can be given to anyone who may take it; a claimed one only by the person
    # who handles it (passing it on) or an admin (a colleague is ill).
    if ticket.status == Status.WAITING:
        return True
    return ticket.status == Status.CLAIMED and (ticket.claimed_by_id == user.pk or is_admin(user))


def _render_ticket(request, ticket, *, draft: str = "", status: int = 200, canned=None):
    history = [message_row(m) for m in service.history(ticket)]
    user = request.user
    may_reply = _may_reply(ticket, user)
    canned_replies = replies_for_ticket(user, ticket) if may_reply else []
    if canned is None and may_reply and not draft and request.GET.get("canned"):
        # "Fill in" on the ticket page: the chosen reply becomes the draft, to read and send.
        canned = next((r for r in canned_replies if str(r.pk) == request.GET["canned"]), None)
    if canned is not None and not draft:
        draft = canned.text
    colleagues = routing.colleagues_for(ticket) if _may_assign(ticket, user) else []
    context = {
        "ticket": ticket,
        "row": ticket_row(ticket, user, timezone.now()),
        "history": history,
        "after": history[-1]["id"] if history else 0,
        "feed_url": reverse("handoff-ticket-feed", args=[ticket.pk]),
        "poll_ms": POLL_MILLISECONDS,
        "may_claim": ticket.status == Status.WAITING,
        "may_reply": may_reply,
        "may_close": _may_close(ticket, user),
        "canned_replies": [{"id": r.pk, "title": r.title,
                            "language_label": LANGUAGE_NAMES_SV.get(r.language, r.language)} for r in canned_replies],
        "canned": canned,
        "colleagues": [{"id": c.pk, "name": colleague_label(c)} for c in colleagues if c.pk != ticket.claimed_by_id],
        "outcomes": STAFF_OUTCOMES,
        "draft": draft,
        "max_reply_chars": MAX_REPLY_CHARS,
        "speaks_language": ticket.language in languages_of(user),
        "claimed_at": _when(ticket.claimed_at),
        "closed_at": _when(ticket.closed_at),
        "created_at": _when(ticket.created_at),
    }
    return render(request, "handoff/ticket.html", context, status=status)


@require_safe
@staff_required(Role.EDITOR)
def ticket(request, pk: int):
    """One ticket: summary, the conversation so far, and the steps allowed now."""
    found = _visible_ticket(request.user, pk)
    # Reading a conversation is reading personal data: logged once per page view (the
    # page's own polling for new messages is part of the same view and is not logged again).
    audit.record(request, "handoff_view", found, municipality=found.municipality_id or "")
    return _render_ticket(request, found)


@require_safe
@staff_required(Role.EDITOR)
def ticket_feed(request, pk: int):
    """What the ticket page polls: messages after message ``after``, and the ticket's state."""
    found = _visible_ticket(request.user, pk)
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = 0
    new_messages = [message_row(m) for m in service.history(found) if m.pk > after]
    return JsonResponse({
        "status": found.status,
        "status_label": found.get_status_display(),
        "claimed_by": staff_name(found.claimed_by),
        "messages": new_messages,
    })


# --- steps --------------------------------------------------------------------------------------

def _state_problem(ticket, user, step: str) -> str:
    """Why ``step`` cannot be taken now, in words for staff; empty when it can."""
    if ticket.status == Status.CLOSED:
        return "Ärendet är redan avslutat, och samtalet är tillbaka hos boten. Inget skickades."
    if step == "claim":
        if ticket.status == Status.CLAIMED:
            who = "dig" if ticket.claimed_by_id == user.pk else staff_name(ticket.claimed_by) or "någon annan"
            return f"Ärendet är redan taget av {who}."
        return ""
    if ticket.status == Status.WAITING:
        return "Ta ärendet först (knappen ”Ta ärendet”), så att användaren inte får svar från två personer."
    if step == "reply" and not _may_reply(ticket, user):
        return f"Ärendet hanteras av {staff_name(ticket.claimed_by) or 'någon annan'}; bara den personen svarar."
    if step == "close" and not _may_close(ticket, user):
        return f"Ärendet hanteras av {staff_name(ticket.claimed_by) or 'någon annan'}; bara den personen avslutar det."
    return ""


DELIVERY_PROBLEM = ("Assistenten kunde inte nås just nu, så steget gjordes inte. Försök igen om en stund; "
                    "kvarstår felet, kontakta den som har hand om systemet.")


@require_POST
@staff_required(Role.EDITOR)
def claim(request, pk: int):
    found = _visible_ticket(request.user, pk)
    problem = _state_problem(found, request.user, "claim")
    if problem:
        messages.error(request, problem)
        return redirect("handoff-ticket", pk=found.pk)
    try:
        service.claim(found, request.user, request=request)
    except service.TicketStateError:
        found.refresh_from_db()
        messages.error(request, _state_problem(found, request.user, "claim") or "Ärendet kunde inte tas just nu.")
        return redirect("handoff-ticket", pk=found.pk)
    messages.success(request, f"Du har tagit ärende #{found.pk}. Användaren ser ditt svar i sin kanal.")
    return redirect("handoff-ticket", pk=found.pk)


@require_POST
@staff_required(Role.EDITOR)
def reply(request, pk: int):
    found = _visible_ticket(request.user, pk)
    text = (request.POST.get("text") or "").strip()
    problem = _state_problem(found, request.user, "reply")
    if problem:
        messages.error(request, problem)
        return _render_ticket(request, found, draft=text, status=409)
    if not text:
        messages.error(request, "Skriv ett svar först.")
        return _render_ticket(request, found, status=400)
    if len(text) > MAX_REPLY_CHARS:
        messages.error(request, f"Svaret är för långt ({len(text)} tecken); högst {MAX_REPLY_CHARS}. Dela upp det.")
        return _render_ticket(request, found, draft=text, status=400)
    canned = next((r for r in replies_for_ticket(request.user, found)
                   if str(r.pk) == request.POST.get("canned_reply")), None)
    try:
        service.reply(found, request.user, text, request=request, canned_reply=canned)
    except service.TicketStateError:
        found.refresh_from_db()
        messages.error(request, _state_problem(found, request.user, "reply") or "Svaret kunde inte skickas.")
        return _render_ticket(request, found, draft=text, status=409)
    except service.HandoffUnavailable:
        # Rasa is down: nothing was sent; the draft stays in the form for another try.
        logger.warning("reply to ticket %s not sent: the assistant is unreachable", found.pk, exc_info=True)
        messages.error(request, DELIVERY_PROBLEM)
        return _render_ticket(request, found, draft=text)
    messages.success(request, "Svaret skickades.")
    return redirect("handoff-ticket", pk=found.pk)


@require_POST
@staff_required(Role.EDITOR)
def close(request, pk: int):
    found = _visible_ticket(request.user, pk)
    outcome = request.POST.get("outcome") or ""
    problem = _state_problem(found, request.user, "close")
    if problem:
        messages.error(request, problem)
        return _render_ticket(request, found, status=409)
    if outcome not in dict(STAFF_OUTCOMES):
        messages.error(request, "Välj hur ärendet slutade innan du avslutar det.")
        return _render_ticket(request, found, status=400)
    try:
        service.close(found, request.user, outcome, request=request)
    except service.TicketStateError:
        found.refresh_from_db()
        messages.error(request, _state_problem(found, request.user, "close") or "Ärendet kunde inte avslutas.")
        return _render_ticket(request, found, status=409)
    except service.HandoffUnavailable:
        logger.warning("ticket %s not closed: the assistant is unreachable", found.pk, exc_info=True)
        messages.error(request, DELIVERY_PROBLEM)
        return _render_ticket(request, found)
    messages.success(request, f"Ärende #{found.pk} är avslutat ({Outcome(outcome).label}). "
                              "Boten tar över samtalet igen och har sagt det till användaren.")
    return redirect("handoff-inbox")


def colleague_label(user) -> str:
    """How a colleague appears in the assignment list: display name, login name, languages."""
    profile = getattr(user, "staff_profile", None)
    name = (profile.display_name if profile and profile.display_name else "") or staff_name(user)
    languages = ", ".join(LANGUAGE_NAMES_SV.get(code, code) for code in (profile.languages if profile else []))
    if name != user.get_username():
        name = f"{name} ({user.get_username()})"
    return f"{name}: {languages}" if languages else name


@require_POST
@staff_required(Role.EDITOR)
def assign(request, pk: int):
    """Give the ticket to a named colleague who may take it (municipality, language)."""
    from django.contrib.auth.models import User

    found = _visible_ticket(request.user, pk)
    if not _may_assign(found, request.user):
        messages.error(request, "Ärendet är redan avslutat." if found.status == Status.CLOSED else
                       "Bara den som hanterar ärendet, eller en administratör, kan lämna det vidare.")
        return _render_ticket(request, found, status=409)
    try:
        assignee = User.objects.get(pk=int(request.POST.get("assignee") or 0))
    except (User.DoesNotExist, ValueError):
        assignee = None
    if assignee is None or not routing.may_take(assignee, found):
        messages.error(request, "Välj en kollega i listan. Bara den som arbetar för ärendets kommun "
                                "(och talar användarens språk, när ärendet gick till dem) kan få ärendet.")
        return _render_ticket(request, found, status=400)
    try:
        service.assign(found, assignee, request.user, request=request)
    except service.TicketStateError:
        found.refresh_from_db()
        messages.error(request, _state_problem(found, request.user, "claim") or "Ärendet kunde inte lämnas vidare.")
        return _render_ticket(request, found, status=409)
    messages.success(request, f"Ärende #{found.pk} hanteras nu av {colleague_label(assignee).split(':')[0]}.")
    return redirect("handoff-ticket", pk=found.pk)
