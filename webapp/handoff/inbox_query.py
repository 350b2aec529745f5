"""What the inbox lists: filters, search, order and paging, in one place for the page and its feed.

The query string is the state (``?language=ar&mine=1&page=2``), so a filtered inbox can be
bookmarked, reloaded and polled: the live feed gets the same query string as the page.

Order: priority, then the longest wait first. Crisis tickets that wait are always on top of the
waiting list, on every page and whatever the filters say: a colleague who filters for Swedish
sfi questions must still see that someone writes about violence in Arabic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional

from django.db.models import Q, QuerySet

from bot.language import normalize_for_nlu
from webapp.handoff.models import HandoffTicket, Priority, Reason, Status
from webapp.transcripts.models import Message

PAGE_SIZE = 25
# Claimed tickets are few (each person handles a handful at a time); more than this on one
# page means the filters should be narrower, and the page says so.
MAX_IN_PROGRESS = 200
STATUS_CHOICES = [("", "Öppna (väntar och pågår)"), (Status.WAITING, "Väntar"), (Status.CLAIMED, "Pågår"),
                  (Status.CLOSED, "Avslutade")]
CHANNEL_CHOICES = [("web", "Webbchatt"), ("telegram", "Telegram"), ("rest", "REST-API")]
LANGUAGE_CHOICES = [("sv", "svenska"), ("ar", "arabiska"), ("fa_AF", "dari")]


@dataclass
class InboxFilters:
    language: str = ""
    municipality: str = ""
    priority: Optional[int] = None
    reason: str = ""
    status: str = ""
    channel: str = ""
    mine: bool = False
    q: str = ""
    page: int = 1
    # Values that were not understood, so the page can say so instead of silently ignoring them.
    ignored: List[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params) -> "InboxFilters":
        found = cls()

        def choice(name: str, allowed) -> str:
            value = (params.get(name) or "").strip()
            if value and value not in allowed:
                found.ignored.append(name)
                return ""
            return value

        found.language = choice("language", {code for code, _ in LANGUAGE_CHOICES} | {"prs", "fa-AF"})
        if found.language in ("prs", "fa-AF"):
            found.language = "fa_AF"
        code = (params.get("municipality") or "").strip()
        if code and not re.fullmatch(r"\d{4}", code):
            found.ignored.append("municipality")
            code = ""
        found.municipality = code
        priority = choice("priority", {str(value) for value in Priority.values})
        found.priority = int(priority) if priority else None
        found.reason = choice("reason", set(Reason.values))
        found.status = choice("status", {code for code, _ in STATUS_CHOICES})
        found.channel = choice("channel", {code for code, _ in CHANNEL_CHOICES})
        found.mine = params.get("mine") in ("1", "on", "true")
        found.q = (params.get("q") or "").strip()[:200]
        try:
            found.page = max(1, int(params.get("page") or 1))
        except ValueError:
            found.ignored.append("page")
        return found

    @property
    def active(self) -> bool:
        return bool(self.language or self.municipality or self.priority is not None or self.reason
                    or self.status or self.channel or self.mine or self.q)

    def query(self, **changes) -> str:
        """The query string of these filters, with ``changes`` (for paging links)."""
        from urllib.parse import urlencode

        values = {"language": self.language, "municipality": self.municipality,
                  "priority": "" if self.priority is None else str(self.priority), "reason": self.reason,
                  "status": self.status, "channel": self.channel, "mine": "1" if self.mine else "",
                  "q": self.q, "page": str(self.page) if self.page > 1 else ""}
        values.update({key: str(value) for key, value in changes.items()})
        return urlencode({key: value for key, value in values.items() if value and value != "None"})


def _search(tickets: QuerySet, text: str) -> QuerySet:
    """Ticket number (``#12`` or ``12``), words in the summary, or words in the conversation.

    The conversation is searched in ``Message.search_text`` (normalised like the NLU input), so
    ``كيف`` finds ``كيـف`` and a Dari word typed with Arabic yeh still finds the ticket.
    """
    number = re.fullmatch(r"#?(\d{1,9})", text)
    if number:
        return tickets.filter(pk=int(number.group(1)))
    said = Message.objects.filter(search_text__contains=normalize_for_nlu(text)).values("conversation_id")
    return tickets.filter(Q(summary__icontains=text) | Q(sender_id__in=said))


def apply_filters(tickets: QuerySet, filters: InboxFilters, user) -> QuerySet:
    """Every filter except status and paging (those decide which table a ticket goes to)."""
    if filters.language:
        tickets = tickets.filter(language=filters.language)
    if filters.municipality:
        tickets = tickets.filter(municipality_id=filters.municipality)
    if filters.priority is not None:
        tickets = tickets.filter(priority=filters.priority)
    if filters.reason:
        tickets = tickets.filter(reason=filters.reason)
    if filters.channel:
        tickets = tickets.filter(channel=filters.channel)
    if filters.mine:
        tickets = tickets.filter(claimed_by=user)
    if filters.q:
        tickets = _search(tickets, filters.q)
    return tickets


@dataclass
class InboxPage:
    """The tickets of one inbox page, before they become rows."""

    crisis: List[HandoffTicket]  # waiting crisis tickets, shown whatever the filters
    waiting: List[HandoffTicket]  # the page of other waiting tickets that match
    in_progress: List[HandoffTicket]
    closed: List[HandoffTicket]
    page: int
    pages: int
    truncated: bool  # more claimed tickets than MAX_IN_PROGRESS
    matching: int  # tickets in the paged list (waiting non-crisis, or closed) that match


def inbox_page(visible: QuerySet, filters: InboxFilters, user) -> InboxPage:
    visible = visible.select_related("municipality", "claimed_by")
    ordered = ("priority", "created_at", "id")
    matching = apply_filters(visible, filters, user)
    crisis = list(visible.filter(status=Status.WAITING, priority=Priority.CRISIS).order_by(*ordered))
    wants = filters.status
    waiting_qs = matching.filter(status=Status.WAITING) if wants in ("", Status.WAITING) else matching.none()
    others = waiting_qs.exclude(priority=Priority.CRISIS).order_by(*ordered)
    claimed_qs = matching.filter(status=Status.CLAIMED) if wants in ("", Status.CLAIMED) else matching.none()
    closed_qs = (matching.filter(status=Status.CLOSED).order_by("-closed_at", "-id") if wants == Status.CLOSED
                 else matching.none())
    paged = closed_qs if wants == Status.CLOSED else others
    total = paged.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    window = slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)
    in_progress = list(claimed_qs.order_by(*ordered)[:MAX_IN_PROGRESS + 1])
    return InboxPage(
        crisis=crisis,
        waiting=list(others[window]) if wants != Status.CLOSED else [],
        in_progress=in_progress[:MAX_IN_PROGRESS],
        closed=list(closed_qs[window]) if wants == Status.CLOSED else [],
        page=page, pages=pages, truncated=len(in_progress) > MAX_IN_PROGRESS, matching=total)
