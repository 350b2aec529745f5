"""The staff inbox for hand-offs through Django's test client: who sees which ticket, the
claim / reply / close state rules, the live feeds' JSON, escaping and right-to-left markup,
the audit log and the 30-day figures.

Tickets are created directly as rows (no running stack): the steps that talk to Rasa (a
successful reply, close) are in ``test_handoff_inbox_flow.py``; here every step either stops
before the service is called, or is ``claim``, which only changes the ticket.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from webapp.content.models import Municipality
from webapp.handoff.models import HandoffTicket, Outcome, Priority, Reason, Status, Tier
from webapp.handoff.stats import format_duration, handoff_stats, percentile
from webapp.staff.models import AuditEntry
from webapp.transcripts.models import Conversation, Message
from webapp.transcripts.models import Role as MessageRole

DARI_PERMIT_REJECTED = "درخواست اقامت من رد شد و نمی‌دانم چه کار کنم"
# Event ids of rows made here are negative: Rasa's are positive, so they can never collide with
# events the running stack writes into the same database during the session.
_fake_event_ids = itertools.count(-10_000_000, -1)


@pytest.fixture
def municipality(database):
    """A municipality no ticket belongs to yet, so counts in one test are that test's own."""
    used = HandoffTicket.objects.exclude(municipality=None).values_list("municipality_id", flat=True)
    return Municipality.objects.exclude(code__in=used).order_by("-code").first().code


@pytest.fixture
def other_municipality(database, municipality):
    used = set(HandoffTicket.objects.exclude(municipality=None).values_list("municipality_id", flat=True))
    return Municipality.objects.exclude(code__in=used | {municipality}).order_by("code").first().code


def make_ticket(municipality, *, language="fa_AF", reason=Reason.RESIDENCE_PERMIT, priority=Priority.HIGH,
                status=Status.WAITING, tier=Tier.LANGUAGE, channel="web", age_minutes=0, **fields) -> HandoffTicket:
    ticket = HandoffTicket.objects.create(
        sender_id=fields.pop("sender_id", f"inbox-test-{uuid.uuid4().hex[:10]}"), reason=reason, priority=priority,
        language=language, municipality_id=municipality, channel=channel, tier=tier, status=status,
        summary=fields.pop("summary", "Användaren fick avslag på sin ansökan om uppehållstillstånd."), **fields)
    if age_minutes:
        # created_at is auto_now_add: move it back with an update.
        created = timezone.now() - dt.timedelta(minutes=age_minutes)
        HandoffTicket.objects.filter(pk=ticket.pk).update(created_at=created)
        ticket.refresh_from_db()
    return ticket


def add_messages(ticket, *messages) -> None:
    """Transcript rows for the ticket's conversation: ``(role, text, language)`` each."""
    now = timezone.now()
    conversation, _ = Conversation.objects.get_or_create(
        sender_id=ticket.sender_id,
        defaults={"channel": ticket.channel, "language": ticket.language, "municipality_id": ticket.municipality_id,
                  "started_at": now, "last_at": now, "handed_over": True})
    for offset, (role, text, language) in enumerate(messages):
        Message.objects.create(conversation=conversation, event_id=next(_fake_event_ids),
                               at=now + dt.timedelta(seconds=offset), role=role, text=text, language=language,
                               staff_name="Sara (Nacka)" if role == MessageRole.STAFF else "")


def feed(client) -> dict:
    response = client.get(reverse("handoff-inbox-feed"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def ticket_ids(rows) -> list:
    return [row["id"] for row in rows]


# --- who may open what --------------------------------------------------------------------------

GET_VIEWS = ["handoff-inbox", "handoff-inbox-feed", "handoff-ticket", "handoff-ticket-feed"]
POST_VIEWS = ["handoff-claim", "handoff-reply", "handoff-close"]


def url_of(name, ticket):
    return reverse(name, args=[ticket.pk]) if name not in ("handoff-inbox", "handoff-inbox-feed") else reverse(name)


@pytest.mark.parametrize("name", GET_VIEWS + POST_VIEWS)
def test_anonymous_is_sent_to_login(name, municipality):
    ticket = make_ticket(municipality)
    client = Client()
    response = client.post(url_of(name, ticket)) if name in POST_VIEWS else client.get(url_of(name, ticket))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff-login"))
    assert HandoffTicket.objects.get(pk=ticket.pk).status == Status.WAITING


@pytest.mark.parametrize("name", GET_VIEWS + POST_VIEWS)
def test_user_without_staff_role_gets_403(name, make_staff, municipality):
    ticket = make_ticket(municipality)
    _user, client = make_staff(role=None)
    response = client.post(url_of(name, ticket)) if name in POST_VIEWS else client.get(url_of(name, ticket))
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["editor", "publisher", "admin"])
def test_every_staff_role_may_use_the_inbox(role, make_staff, municipality):
    ticket = make_ticket(municipality)
    _user, client = make_staff(role, [municipality], ["sv"])
    for name in GET_VIEWS:
        assert client.get(url_of(name, ticket)).status_code == 200, name


def test_steps_are_post_only_and_need_csrf(make_staff, municipality):
    ticket = make_ticket(municipality)
    user, client = make_staff("editor", [municipality])
    for name in POST_VIEWS:
        assert client.get(url_of(name, ticket)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(url_of("handoff-claim", ticket)).status_code == 403
    assert HandoffTicket.objects.get(pk=ticket.pk).status == Status.WAITING


def test_staff_see_only_their_municipalities_tickets(make_staff, municipality, other_municipality):
    mine = make_ticket(municipality)
    theirs = make_ticket(other_municipality)
    _user, client = make_staff("editor", [municipality], ["fa_AF"])

    listed = feed(client)
    assert mine.pk in ticket_ids(listed["waiting"])
    assert theirs.pk not in ticket_ids(listed["waiting"] + listed["in_progress"])
    page = client.get(reverse("handoff-inbox")).content.decode()
    assert f'data-ticket="{mine.pk}"' in page and f'data-ticket="{theirs.pk}"' not in page

    # Another municipality's ticket does not exist as far as this person can tell.
    for name in GET_VIEWS[2:]:
        assert client.get(url_of(name, theirs)).status_code == 404, name
    for name in POST_VIEWS:
        assert client.post(url_of(name, theirs), {"text": "hej", "outcome": Outcome.ANSWERED}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.WAITING and theirs.claimed_by is None


def test_national_pool_sees_national_tickets_and_admin_sees_all(make_staff, municipality, other_municipality):
    national = make_ticket(other_municipality, tier=Tier.NATIONAL)
    local = make_ticket(other_municipality, tier=Tier.MUNICIPALITY)
    _pool, pool_client = make_staff("editor", [municipality], ["ar"], national_pool=True)
    assert national.pk in ticket_ids(feed(pool_client)["waiting"])
    assert local.pk not in ticket_ids(feed(pool_client)["waiting"])
    assert pool_client.get(url_of("handoff-ticket", national)).status_code == 200

    _admin, admin_client = make_staff(superuser=True)
    # The admin's queue holds every municipality's tickets, 25 to a page: filter to this one.
    admin_feed = admin_client.get(reverse("handoff-inbox-feed"), {"municipality": other_municipality}).json()
    assert {national.pk, local.pk} <= set(ticket_ids(admin_feed["waiting"]))


# --- the list and its feed ------------------------------------------------------------------------

def test_feed_lists_crisis_first_with_queue_figures(make_staff, municipality):
    old_normal = make_ticket(municipality, reason=Reason.DEBT, priority=Priority.NORMAL, language="ar",
                             age_minutes=42, channel="telegram")
    crisis = make_ticket(municipality, reason=Reason.CRISIS_VIOLENCE, priority=Priority.CRISIS, age_minutes=2)
    claimed = make_ticket(municipality, age_minutes=5)
    colleague, _ = make_staff("editor", [municipality])
    HandoffTicket.objects.filter(pk=claimed.pk).update(status=Status.CLAIMED, claimed_by=colleague,
                                                       claimed_at=timezone.now())
    make_ticket(municipality, status=Status.CLOSED, outcome=Outcome.ANSWERED)
    _user, client = make_staff("editor", [municipality], ["sv", "fa_AF"])

    listed = feed(client)
    assert ticket_ids(listed["waiting"]) == [crisis.pk, old_normal.pk]
    assert ticket_ids(listed["in_progress"]) == [claimed.pk]
    assert listed["waiting_count"] == 2
    assert 42 * 60 <= listed["oldest_wait_seconds"] < 44 * 60
    assert listed["oldest_wait"] == "42 min" or listed["oldest_wait"] == "43 min"

    first = listed["waiting"][0]
    assert first["crisis"] is True and first["priority_label"] == "Kris"
    assert first["reason_label"] == Reason.CRISIS_VIOLENCE.label
    assert first["language_label"] == "dari" and first["language_note"] == ""  # this person speaks Dari
    assert first["municipality"] == municipality
    assert first["municipality_name"] == Municipality.objects.get(pk=municipality).name
    assert first["channel_label"] == "Webbchatt" and first["tier_label"] == "Talar användarens språk"
    assert first["url"] == reverse("handoff-ticket", args=[crisis.pk])
    second = listed["waiting"][1]
    assert second["language_note"] == "Användaren skriver på arabiska; svara på svenska"
    assert second["channel_label"] == "Telegram" and second["crisis"] is False
    assert listed["in_progress"][0]["claimed_by"] == colleague.get_username()
    assert listed["in_progress"][0]["mine"] is False


def test_inbox_page_shows_the_tickets_and_the_note_for_another_language(make_staff, municipality):
    ticket = make_ticket(municipality, reason=Reason.EVICTION, language="ar")
    _user, client = make_staff("editor", [municipality], ["sv"])
    response = client.get(reverse("handoff-inbox"))
    page = response.content.decode()
    assert response.status_code == 200
    assert Reason.EVICTION.label in page
    assert "Användaren skriver på arabiska; svara på svenska" in page
    assert re.search(r'id="waiting-count">1<', page)
    # Live updates come from a static script and a data attribute; no inline code (CSP).
    assert f'data-feed-url="{reverse("handoff-inbox-feed")}"' in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/handoff/inbox.js" defer>']
    assert " style=" not in page and "onclick" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert reverse("handoff-ticket", args=[ticket.pk]) in page


def test_inbox_figures_over_thirty_days(make_staff, municipality):
    now = timezone.now()
    waits = [1, 3, 5, 7, 30]  # minutes until claimed
    for minutes in waits:
        ticket = make_ticket(municipality, status=Status.CLOSED, outcome=Outcome.ANSWERED)
        HandoffTicket.objects.filter(pk=ticket.pk).update(
            created_at=now - dt.timedelta(hours=2), claimed_at=now - dt.timedelta(hours=2) + dt.timedelta(minutes=minutes),
            closed_at=now)
    referred = make_ticket(municipality, status=Status.CLOSED, outcome=Outcome.REFERRED)
    HandoffTicket.objects.filter(pk=referred.pk).update(claimed_at=referred.created_at + dt.timedelta(minutes=2))
    # Older than 30 days: not counted.
    ancient = make_ticket(municipality, status=Status.CLOSED, outcome=Outcome.ANSWERED)
    HandoffTicket.objects.filter(pk=ancient.pk).update(created_at=now - dt.timedelta(days=40),
                                                       claimed_at=now - dt.timedelta(days=39))
    make_ticket(municipality, reason=Reason.CRISIS_SUICIDE, priority=Priority.CRISIS)  # still waiting

    stats = handoff_stats(HandoffTicket.objects.filter(municipality_id=municipality))
    assert stats.created == 7 and stats.crisis == 1 and stats.waiting_now == 1 and stats.closed == 6
    assert stats.median_wait_seconds == 4 * 60  # waits 1, 2, 3, 5, 7, 30 minutes
    assert stats.p90_wait_seconds == 30 * 60
    assert dict((code, count) for code, _label, count in stats.outcomes)[Outcome.ANSWERED] == 5
    assert dict((code, count) for code, _label, count in stats.outcomes)[Outcome.REFERRED] == 1

    _user, client = make_staff("editor", [municipality])
    page = client.get(reverse("handoff-inbox")).content.decode()
    assert re.search(r'id="median-wait">4 min<', page)
    assert re.search(r'id="p90-wait">30 min<', page)
    assert re.search(r'data-outcome="answered"><td>Besvarad</td><td>5<', page)


def test_percentile_and_durations():
    assert percentile([], 0.9) is None
    assert percentile([10], 0.9) == 10
    assert percentile([1, 2, 3, 4], 0.9) == 4
    assert percentile(list(range(1, 101)), 0.9) == 90
    assert format_duration(None) == "–"
    assert format_duration(30) == "under 1 min"
    assert format_duration(12 * 60 + 59) == "12 min"
    assert format_duration(65 * 60) == "1 h 05 min"
    assert format_duration(51 * 3600) == "2 d 3 h"


# --- the ticket page ------------------------------------------------------------------------------

def test_ticket_page_shows_history_right_to_left_and_escaped(make_staff, municipality):
    ticket = make_ticket(municipality)
    add_messages(ticket,
                 (MessageRole.USER, DARI_PERMIT_REJECTED, "fa_AF"),
                 (MessageRole.BOT, "یک نفر از کارمندان شاروالی به زودی جواب می‌دهد.", "fa_AF"),
                 (MessageRole.USER, '<script>alert("x")</script><img src=x onerror=alert(1)>', "fa_AF"))
    _user, client = make_staff("editor", [municipality], ["sv"])
    response = client.get(reverse("handoff-ticket", args=[ticket.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert ticket.summary in page
    assert f'<p class="text" dir="rtl" lang="fa-AF">{DARI_PERMIT_REJECTED}</p>' in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert '<script>alert' not in page and "<img src=x" not in page
    assert "Användaren skriver på dari; svara på svenska" in page
    assert 'id="claim"' in page and 'name="text"' not in page  # claim first, then the reply form
    entry = AuditEntry.objects.filter(action="handoff_view", target_id=str(ticket.pk)).get()
    assert entry.municipality == municipality


def test_ticket_feed_returns_only_newer_messages(make_staff, municipality):
    ticket = make_ticket(municipality)
    add_messages(ticket, (MessageRole.USER, DARI_PERMIT_REJECTED, "fa_AF"))
    _user, client = make_staff("editor", [municipality], ["fa_AF"])
    first = client.get(reverse("handoff-ticket-feed", args=[ticket.pk])).json()
    assert first["status"] == "waiting"
    [message] = first["messages"]
    assert message["text"] == DARI_PERMIT_REJECTED
    assert (message["dir"], message["lang"], message["who"], message["role"]) == ("rtl", "fa-AF", "Användaren", "user")

    add_messages(ticket, (MessageRole.USER, "<b>kan någon svara?</b>", "sv"))
    newer = client.get(reverse("handoff-ticket-feed", args=[ticket.pk]), {"after": message["id"]}).json()
    assert [m["text"] for m in newer["messages"]] == ["<b>kan någon svara?</b>"]  # JSON; the page sets textContent
    assert newer["messages"][0]["dir"] == "ltr"
    # A bad cursor is not an error: everything is sent again.
    assert len(client.get(reverse("handoff-ticket-feed", args=[ticket.pk]), {"after": "x"}).json()["messages"]) == 2


# --- state rules ----------------------------------------------------------------------------------

def test_claim_takes_a_waiting_ticket_once(make_staff, municipality):
    ticket = make_ticket(municipality)
    first, first_client = make_staff("editor", [municipality], ["fa_AF"])
    second, second_client = make_staff("editor", [municipality], ["sv"])

    response = first_client.post(reverse("handoff-claim", args=[ticket.pk]), follow=True)
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == Status.CLAIMED and ticket.claimed_by == first and ticket.claimed_at is not None
    claimed = AuditEntry.objects.get(action="handoff_claim", target_id=str(ticket.pk))
    assert claimed.user == first and claimed.ip_address == "127.0.0.1"  # the view passed its request
    page = response.content.decode()
    assert 'name="text"' in page and 'dir="auto"' in page  # now the reply form is there
    assert 'name="outcome"' in page

    response = second_client.post(reverse("handoff-claim", args=[ticket.pk]), follow=True)
    assert response.status_code == 200
    assert f"Ärendet är redan taget av {first.get_username()}." in response.content.decode()
    assert 'name="text"' not in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.claimed_by == first
    listed = feed(first_client)
    assert ticket.pk in ticket_ids(listed["in_progress"]) and listed["in_progress"][0]["mine"] is True


def test_reply_to_an_unclaimed_ticket_says_claim_first(make_staff, municipality):
    ticket = make_ticket(municipality)
    _user, client = make_staff("editor", [municipality])
    response = client.post(reverse("handoff-reply", args=[ticket.pk]), {"text": "Hej, jag heter Sara."})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Ta ärendet först" in page
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING


def test_reply_to_a_closed_ticket_says_it_is_closed(make_staff, municipality):
    user, client = make_staff("editor", [municipality])
    ticket = make_ticket(municipality, status=Status.CLOSED, outcome=Outcome.ANSWERED, claimed_by=user,
                         claimed_at=timezone.now(), closed_at=timezone.now())
    response = client.post(reverse("handoff-reply", args=[ticket.pk]), {"text": "En sak till"})
    assert response.status_code == 409
    assert "Ärendet är redan avslutat" in response.content.decode()
    response = client.post(reverse("handoff-close", args=[ticket.pk]), {"outcome": Outcome.ANSWERED})
    assert response.status_code == 409
    response = client.post(reverse("handoff-claim", args=[ticket.pk]), follow=True)
    assert "Ärendet är redan avslutat" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.outcome == Outcome.ANSWERED


def test_only_the_person_who_claimed_replies(make_staff, municipality):
    owner, _ = make_staff("editor", [municipality])
    ticket = make_ticket(municipality, status=Status.CLAIMED, claimed_by=owner, claimed_at=timezone.now())
    _other, client = make_staff("editor", [municipality])
    response = client.post(reverse("handoff-reply", args=[ticket.pk]), {"text": "Jag tar över"})
    assert response.status_code == 409
    assert f"Ärendet hanteras av {owner.get_username()}" in response.content.decode()
    response = client.post(reverse("handoff-close", args=[ticket.pk]), {"outcome": Outcome.ANSWERED})
    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.status == Status.CLAIMED


def test_reply_and_close_validate_their_input(make_staff, municipality):
    user, client = make_staff("editor", [municipality])
    ticket = make_ticket(municipality, status=Status.CLAIMED, claimed_by=user, claimed_at=timezone.now())
    response = client.post(reverse("handoff-reply", args=[ticket.pk]), {"text": "   "})
    assert response.status_code == 400 and "Skriv ett svar först." in response.content.decode()
    too_long = "x" * 4001
    response = client.post(reverse("handoff-reply", args=[ticket.pk]), {"text": too_long})
    assert response.status_code == 400 and "för långt" in response.content.decode()
    assert too_long in response.content.decode()  # the draft is kept
    for outcome in ["", "nonsense", Outcome.CANCELLED_BY_USER]:
        response = client.post(reverse("handoff-close", args=[ticket.pk]), {"outcome": outcome})
        assert response.status_code == 400, outcome
        assert "Välj hur ärendet slutade" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLAIMED
