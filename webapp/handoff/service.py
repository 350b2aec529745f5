"""What staff do with tickets, in one place that views, tests and commands share.

The inbox views (``webapp.handoff.views``) call only these functions; they enforce nothing
about roles (the views do that with ``webapp.staff.access``) but they do check that the
ticket is in a state that allows the step.

Contract (implemented by the hand-off core):

* ``visible_tickets(user)``: queryset of tickets the person may see (their municipalities;
  national pool members also see ``Tier.NATIONAL`` tickets; admins everything).
* ``claim(ticket, user)``: WAITING → CLAIMED (raises ``TicketStateError`` otherwise).
* ``reply(ticket, user, text)``: records the staff message in the Rasa tracker (BotUttered with
  metadata ``handoff_staff``) and delivers it on the user's channel (Telegram or web widget).
* ``close(ticket, user, outcome)``: CLOSED; resumes the Rasa conversation and tells the user,
  in their language, that the bot is back.
* ``history(ticket)``: the conversation's transcript messages (``webapp.transcripts``), synced.

And for the bot side and the periodic loop:

* ``open_ticket(...)``: called by ``bot.handoff`` when an action hands over; routes the ticket,
  writes the staff summary and estimates when a person will answer.
* ``cancel_by_user(sender_id)``: the user went back to the bot (``bot.channels``).
* ``check_unclaimed()``: tickets nobody claimed within ``HANDOFF_UNCLAIMED_MINUTES`` get the
  municipality's contact options sent to the user (``manage.py handoff_tick``).

Claim, reply and close accept an optional ``request`` so the audit log gets the address; every
one of them is written to the audit log (``webapp.staff.audit``).

Delivery: a staff reply, "the bot is back" and the contact options are written to the outbox
(``HandoffDelivery``) after Rasa has them in the transcript. The Telegram worker sends the
Telegram rows (``bot.telegram.outbox``); the web widget polls ``/widget/messages``.
Rasa is asked first: if it cannot be reached, nothing changes and ``HandoffUnavailable`` says
so, so that staff can simply try again.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import statistics
from typing import List, Optional

import requests
from django.db import transaction
from django.utils import timezone

from bot import settings as bot_settings
from bot.language import canonical_language
from webapp.handoff.models import (
    DeliveryKind,
    HandoffDelivery,
    HandoffTicket,
    Outcome,
    Priority,
    Reason,
    ServiceContact,
    Status,
    Tier,
)
from webapp.handoff.routing import may_take, route, visible_tickets  # noqa: F401  (part of the contract)
from webapp.staff import audit

logger = logging.getLogger(__name__)

RASA_TIMEOUT_SECONDS = 10
# Recent claims that make the median wait a better estimate than the configured minutes.
MEDIAN_SAMPLE_DAYS = 14
MEDIAN_MIN_SAMPLES = 3
WAIT_ROUNDING_MINUTES = 5
SUMMARY_QUOTE_CHARS = 200

NUANCED_REASONS = {
    Reason.RESIDENCE_PERMIT, Reason.DEPORTATION, Reason.EVICTION, Reason.SOCIAL_SERVICES,
    Reason.DEBT, Reason.DISCRIMINATION, Reason.AUTHORITY_LETTER,
}
CRISIS_REASONS = {Reason.CRISIS_VIOLENCE, Reason.CRISIS_SUICIDE, Reason.CRISIS_HEALTH}
OPEN_STATUSES = (Status.WAITING, Status.CLAIMED)
LANGUAGE_NAMES_SV = {"sv": "svenska", "ar": "arabiska", "fa_AF": "dari"}
CHANNEL_NAMES_SV = {"web": "webbchatten", "telegram": "Telegram", "rest": "REST-API:et"}


class TicketStateError(Exception):
    """The step is not allowed in the ticket's current state (e.g. replying to a closed ticket)."""


class HandoffUnavailable(Exception):
    """The assistant (Rasa) could not be reached, so the step was not taken; try again."""


# --- settings -----------------------------------------------------------------------------------

def unclaimed_minutes() -> float:
    """``HANDOFF_UNCLAIMED_MINUTES`` (10): after this long unclaimed, the user gets the contact options."""
    return float(os.environ.get("HANDOFF_UNCLAIMED_MINUTES", "10"))


def minutes_per_ticket() -> float:
    """``HANDOFF_MINUTES_PER_TICKET`` (5): the wait per ticket in the queue, until there are
    enough recent claims to use their median instead."""
    return float(os.environ.get("HANDOFF_MINUTES_PER_TICKET", "5"))


# --- Rasa's HTTP API -----------------------------------------------------------------------------

def append_events(sender_id: str, events: List[dict]) -> None:
    """Append events to the conversation in Rasa (``POST /conversations/<id>/tracker/events``)."""
    url = f"{bot_settings.rasa_url().rstrip('/')}/conversations/{requests.utils.quote(sender_id, safe='')}/tracker/events"
    try:
        # The token in a header, never in the URL, which proxies and servers log (bot/rasa_server.py).
        response = requests.post(url, headers={"Authorization": f"Bearer {bot_settings.rasa_token()}"}, json=events,
                                 timeout=RASA_TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise HandoffUnavailable(f"Rasa could not be reached: {error}") from error
    if response.status_code != 200:
        raise HandoffUnavailable(f"Rasa refused the events: HTTP {response.status_code} {response.text[:200]}")


def _bot_event(text: str, buttons: Optional[list] = None, staff_name: str = "") -> dict:
    from webapp.transcripts.sync import STAFF_METADATA_KEY

    event = {"event": "bot", "text": text, "timestamp": timezone.now().timestamp()}
    if buttons:
        event["data"] = {"buttons": buttons}
    if staff_name:
        event["metadata"] = {STAFF_METADATA_KEY: staff_name}
    return event


RESUME_EVENTS = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


# --- opening ------------------------------------------------------------------------------------

def priority_for(reason: str) -> int:
    if reason in CRISIS_REASONS:
        return Priority.CRISIS
    if reason in NUANCED_REASONS:
        return Priority.HIGH
    return Priority.NORMAL


def summarize(reason: str, language: str, municipality, channel: str, tier: str, topics: List[str],
              last_user_text: str = "") -> str:
    """One paragraph in Swedish for the staff member who takes the ticket."""
    from bot.answers import TOPIC_TITLES
    from bot.i18n import translate

    parts = [f"{Reason(reason).label}."]
    where = f"i {municipality.name} ({municipality.code})" if municipality else "som inte har sagt vilken kommun hen bor i"
    parts.append(f"Användaren skriver på {LANGUAGE_NAMES_SV.get(language, language)}, bor {where} "
                 f"och nås via {CHANNEL_NAMES_SV.get(channel, channel or 'okänd kanal')}.")
    if topics:
        titles = [translate("sv", TOPIC_TITLES[key]) if key in TOPIC_TITLES else key for key in topics]
        parts.append(f"Frågade boten om: {', '.join(titles)}.")
    else:
        parts.append("Frågade inte boten om något ämne före överlämningen.")
    if last_user_text.strip():
        quote = last_user_text.strip()
        if len(quote) > SUMMARY_QUOTE_CHARS:
            quote = quote[:SUMMARY_QUOTE_CHARS].rstrip() + "…"
        parts.append(f"Senaste meddelandet: ”{quote}”.")
    if tier == Tier.MUNICIPALITY and language != "sv":
        parts.append(f"Ingen i kommunens personal talar {LANGUAGE_NAMES_SV.get(language, language)}; "
                     "användaren har fått veta att svaret kan komma på svenska.")
    elif tier == Tier.NATIONAL:
        parts.append("Kommunen har ingen personal i systemet, så ärendet gick till den nationella poolen.")
    if reason in CRISIS_REASONS:
        parts.append("Användaren har redan fått 112 och rätt stödlinje.")
    return " ".join(parts)


class Opened:
    """A ticket just opened (or found open) and what the user is told about the wait."""

    def __init__(self, ticket: HandoffTicket, expectation):
        self.ticket = ticket
        self.expectation = expectation


def open_tickets_per_address() -> int:
    """``HANDOFF_OPEN_TICKETS_PER_ADDRESS`` (default 3): open tickets one client address may have."""
    return max(1, int(os.environ.get("HANDOFF_OPEN_TICKETS_PER_ADDRESS") or 3))


def open_ticket(sender_id: str, reason: str, language: str, municipality_code: Optional[str] = None,
                channel: str = "", topics: Optional[List[str]] = None, last_user_text: str = "",
                crisis: bool = False, now: Optional[dt.datetime] = None, client_key: str = "") -> Opened:
    """Open a ticket for the conversation, or raise the priority of the one already open.

    One conversation has at most one open ticket. An anonymous web caller's address
    (``client_key``) has at most ``open_tickets_per_address()``: fresh ids must not fill the
    inbox. Over that cap no ticket is opened (``Opened.ticket`` is None; the user is told that
    their earlier request still waits). A crisis is never refused a person."""
    from webapp.content.models import Municipality

    if reason not in Reason.values:
        raise ValueError(f"unknown hand-off reason {reason!r}")
    language = canonical_language(language) or "sv"
    municipality = Municipality.objects.filter(code=municipality_code).first() if municipality_code else None
    priority = Priority.CRISIS if crisis else priority_for(reason)
    tier = route(municipality.code if municipality else None, language)
    summary = summarize(reason, language, municipality, channel, tier, topics or [], last_user_text)
    with transaction.atomic():
        ticket = (HandoffTicket.objects.select_for_update()
                  .filter(sender_id=sender_id, status__in=OPEN_STATUSES).order_by("-created_at").first())
        if ticket is None and client_key and not crisis and HandoffTicket.objects.filter(
                client_key=client_key, status__in=OPEN_STATUSES).count() >= open_tickets_per_address():
            logger.warning("hand-off for %s refused: its address already has %s open tickets",
                           sender_id, open_tickets_per_address())
            return Opened(None, None)
        if ticket is None:
            ticket = HandoffTicket.objects.create(
                sender_id=sender_id, reason=reason, priority=priority, language=language, municipality=municipality,
                channel=channel[:32], tier=tier, summary=summary, client_key=client_key[:32])
        elif priority < ticket.priority:  # e.g. a crisis after an ordinary request
            ticket.priority, ticket.reason, ticket.summary = priority, reason, summary
            ticket.save(update_fields=["priority", "reason", "summary"])
    return Opened(ticket, expectation_for(ticket, now))


def expectation_for(ticket: HandoffTicket, now: Optional[dt.datetime] = None):
    """When a person will answer: the wait within office hours, else the next opening."""
    from bot.handoff import Expectation
    from webapp.handoff.hours import schedule_for

    now = now or timezone.now()
    in_language = ticket.tier == Tier.LANGUAGE or ticket.language == "sv"
    schedule = schedule_for(ticket.municipality_id)
    if schedule.known and not schedule.is_open(now):
        opens_at = schedule.next_opening(now)
        if opens_at is not None:
            return Expectation(opens_at=opens_at, in_users_language=in_language)
    if not schedule.known:  # no hours known: an estimate could promise an answer at midnight
        return Expectation(in_users_language=in_language)
    return Expectation(minutes=expected_wait_minutes(ticket, now), in_users_language=in_language)


def _same_queue(ticket: HandoffTicket):
    tickets = HandoffTicket.objects.all()
    if ticket.municipality_id:
        return tickets.filter(municipality_id=ticket.municipality_id)
    return tickets.filter(tier=Tier.NATIONAL)


def expected_wait_minutes(ticket: HandoffTicket, now: Optional[dt.datetime] = None) -> int:
    """(Tickets ahead in the same queue + 1) × minutes per ticket, rounded up to 5 minutes.

    Minutes per ticket: the median wait of the queue's recent claims when there are enough of
    them (it reflects how the municipality actually works), otherwise the configured figure."""
    now = now or timezone.now()
    queue = _same_queue(ticket)
    ahead = queue.filter(status=Status.WAITING, priority__lte=ticket.priority,
                         created_at__lt=ticket.created_at).exclude(pk=ticket.pk).count()
    claims = list(queue.filter(claimed_at__isnull=False, created_at__gte=now - dt.timedelta(days=MEDIAN_SAMPLE_DAYS))
                  .values_list("created_at", "claimed_at")[:200])
    per_ticket = minutes_per_ticket()
    if len(claims) >= MEDIAN_MIN_SAMPLES:
        per_ticket = max(1.0, statistics.median((c - o).total_seconds() / 60 for o, c in claims))
    minutes = (ahead + 1) * per_ticket
    return max(WAIT_ROUNDING_MINUTES, int(math.ceil(minutes / WAIT_ROUNDING_MINUTES) * WAIT_ROUNDING_MINUTES))


# --- staff steps --------------------------------------------------------------------------------

def staff_display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _locked(ticket: HandoffTicket) -> HandoffTicket:
    return HandoffTicket.objects.select_for_update().get(pk=ticket.pk)


def _refresh(ticket: HandoffTicket, current: HandoffTicket) -> None:
    for name in ("status", "claimed_by_id", "claimed_at", "closed_at", "outcome"):
        setattr(ticket, name, getattr(current, name))


def claim(ticket: HandoffTicket, user, request=None) -> HandoffTicket:
    """WAITING → CLAIMED by ``user``."""
    with transaction.atomic():
        current = _locked(ticket)
        if current.status != Status.WAITING:
            raise TicketStateError(f"ticket {ticket.pk} is {current.status}, not waiting")
        current.status, current.claimed_by, current.claimed_at = Status.CLAIMED, user, timezone.now()
        current.save(update_fields=["status", "claimed_by", "claimed_at"])
        _refresh(ticket, current)
        audit.record(request, "handoff_claim", current, municipality=current.municipality_id or "", user=user,
                     wait_seconds=int((current.claimed_at - current.created_at).total_seconds()))
    return ticket


def assign(ticket: HandoffTicket, assignee, by, request=None) -> HandoffTicket:
    """Give a waiting ticket (or one ``by`` handles) to ``assignee``, who must be allowed to take
    it (``routing.may_take``). The wait ends at the first claim, so a reassignment keeps it."""
    if not may_take(assignee, ticket):
        raise TicketStateError(f"{assignee} may not take ticket {ticket.pk}")
    with transaction.atomic():
        current = _locked(ticket)
        if current.status == Status.CLOSED:
            raise TicketStateError(f"ticket {ticket.pk} is closed")
        previous = current.claimed_by
        current.status, current.claimed_by = Status.CLAIMED, assignee
        current.claimed_at = current.claimed_at or timezone.now()
        current.save(update_fields=["status", "claimed_by", "claimed_at"])
        _refresh(ticket, current)
        audit.record(request, "handoff_assign", current, municipality=current.municipality_id or "", user=by,
                     assignee=assignee.get_username(), previous=previous.get_username() if previous else "")
    return ticket


def _deliver(ticket: HandoffTicket, kind: str, text: str, buttons: Optional[list] = None, staff_name: str = "",
             handoff_active: bool = True) -> HandoffDelivery:
    return HandoffDelivery.objects.create(
        ticket=ticket, sender_id=ticket.sender_id, channel=ticket.channel, kind=kind, language=ticket.language,
        text=text, buttons=buttons or [], staff_name=staff_name, handoff_active=handoff_active)


def reply(ticket: HandoffTicket, user, text: str, request=None, canned_reply=None) -> HandoffDelivery:
    """Record the staff member's message in the transcript and send it to the user."""
    text = (text or "").strip()
    if not text:
        raise ValueError("an empty reply cannot be sent")
    current = HandoffTicket.objects.get(pk=ticket.pk)
    if current.status != Status.CLAIMED:
        raise TicketStateError(f"ticket {ticket.pk} is {current.status}; claim it before replying")
    if current.claimed_by_id != user.pk:
        raise TicketStateError(f"ticket {ticket.pk} is handled by someone else")
    name = staff_display_name(user)
    append_events(current.sender_id, [_bot_event(text, staff_name=name)])
    with transaction.atomic():
        delivery = _deliver(current, DeliveryKind.STAFF, text, staff_name=name)
        audit.record(request, "handoff_reply", current, municipality=current.municipality_id or "", user=user,
                     characters=len(text), channel=current.channel,
                     **({"canned_reply": canned_reply.pk} if canned_reply is not None else {}))
    return delivery


def close(ticket: HandoffTicket, user, outcome: str, request=None) -> HandoffTicket:
    """CLOSED with ``outcome``: Rasa answers again, and the user is told so in their language."""
    from bot.handoff import bot_back

    if outcome not in Outcome.values:
        raise ValueError(f"unknown outcome {outcome!r}")
    current = HandoffTicket.objects.get(pk=ticket.pk)
    if current.status == Status.CLOSED:
        raise TicketStateError(f"ticket {ticket.pk} is already closed")
    back = bot_back(current.language)
    append_events(current.sender_id, [_bot_event(back.text, back.buttons)] + RESUME_EVENTS)
    with transaction.atomic():
        current = _locked(ticket)
        if current.status == Status.CLOSED:  # closed by the user meanwhile: they were told already
            _refresh(ticket, current)
            return ticket
        current.status, current.outcome, current.closed_at = Status.CLOSED, outcome, timezone.now()
        current.save(update_fields=["status", "outcome", "closed_at"])
        _deliver(current, DeliveryKind.NOTICE, back.text, back.buttons, handoff_active=False)
        audit.record(request, "handoff_close", current, municipality=current.municipality_id or "", user=user,
                     outcome=outcome)
        _refresh(ticket, current)
    return ticket


def cancel_by_user(sender_id: str) -> Optional[HandoffTicket]:
    """The user went back to the bot: close their open ticket (the channel resumes Rasa)."""
    with transaction.atomic():
        ticket = (HandoffTicket.objects.select_for_update()
                  .filter(sender_id=sender_id, status__in=OPEN_STATUSES).order_by("-created_at").first())
        if ticket is None:
            return None
        ticket.status, ticket.outcome, ticket.closed_at = Status.CLOSED, Outcome.CANCELLED_BY_USER, timezone.now()
        ticket.save(update_fields=["status", "outcome", "closed_at"])
        audit.record(None, "handoff_cancelled_by_user", ticket, municipality=ticket.municipality_id or "")
    return ticket


def history(ticket: HandoffTicket):
    """The conversation's messages (user, bot, staff), oldest first, after a sync with Rasa."""
    from webapp.transcripts.models import Message
    from webapp.transcripts.sync import sync

    sync()
    return list(Message.objects.filter(conversation_id=ticket.sender_id).order_by("at", "event_id"))


def is_handed_over(sender_id: str) -> bool:
    return HandoffTicket.objects.filter(sender_id=sender_id, status__in=OPEN_STATUSES).exists()


# --- the periodic check -------------------------------------------------------------------------

def contact_of(municipality_code: str) -> Optional[dict]:
    row = ServiceContact.objects.filter(municipality_id=municipality_code).first()
    if row is None:
        return None
    return {"name": row.name, "phone": row.phone, "visiting_address": row.visiting_address, "url": row.url,
            "is_example": row.is_example, "recorded_on": row.recorded_on}


def unclaimed_text(ticket: HandoffTicket) -> str:
    """The contact options for ``ticket``'s user, in their language."""
    from bot.handoff import unclaimed_notice
    from bot.municipalities import directory
    from webapp.handoff.hours import format_week, schedule_for

    municipality = directory().get(ticket.municipality_id) if ticket.municipality_id else None
    if municipality is None:
        return unclaimed_notice(ticket.language, None, None)
    schedule = schedule_for(ticket.municipality_id)
    return unclaimed_notice(ticket.language, municipality, contact_of(ticket.municipality_id),
                            format_week(schedule, ticket.language) if schedule.known else "")


def check_unclaimed(now: Optional[dt.datetime] = None, minutes: Optional[float] = None, tickets=None) -> int:
    """Send the contact options to users whose ticket has waited ``minutes`` unclaimed; the
    ticket stays open. Returns how many were sent. ``tickets`` narrows the check (a queryset;
    default: all). Safe to run from several processes."""
    from bot.handoff import back_button
    from bot.answers import Composer
    from bot.content import Snapshot

    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=unclaimed_minutes() if minutes is None else minutes)
    sent = 0
    candidates = HandoffTicket.objects.all() if tickets is None else tickets
    for ticket in candidates.filter(status=Status.WAITING, unclaimed_notice_at=None, created_at__lte=limit):
        # Taken by exactly one process: the conditional update is the lock.
        if not HandoffTicket.objects.filter(pk=ticket.pk, status=Status.WAITING, unclaimed_notice_at=None).update(
                unclaimed_notice_at=now):
            continue
        text = unclaimed_text(ticket)
        buttons = [back_button(Composer(ticket.language, Snapshot()))]
        try:
            append_events(ticket.sender_id, [_bot_event(text, buttons)])
        except HandoffUnavailable as error:
            logger.warning("contact options for ticket %s not sent yet: %s", ticket.pk, error)
            HandoffTicket.objects.filter(pk=ticket.pk).update(unclaimed_notice_at=None)
            continue
        _deliver(ticket, DeliveryKind.NOTICE, text, buttons)
        sent += 1
    return sent


def forget_conversation(sender_id: str) -> None:
    """Erasure of a conversation (``webapp.transcripts.erase``): its tickets and deliveries go too."""
    HandoffDelivery.objects.filter(sender_id=sender_id).delete()
    HandoffTicket.objects.filter(sender_id=sender_id).delete()
