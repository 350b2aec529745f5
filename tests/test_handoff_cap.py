"""Forced hand-offs cannot fill the inbox (issue 12, item 7).

One conversation has at most one open ticket; one client address of anonymous web callers at
most ``HANDOFF_OPEN_TICKETS_PER_ADDRESS`` (default 3), so fresh ids do not help. Over the cap
the user is told, in their language, that their earlier request is still waiting, and gets the
municipality's contact; a crisis always reaches a person.
"""

import uuid

import pytest
import requests

from bot import handoff
from bot.i18n import translate
from tests.helpers import assert_language, text_of
from webapp.handoff import service
from webapp.handoff.models import HandoffTicket

NACKA = "0182"


def test_open_tickets_are_capped_per_address_not_per_crisis(database, monkeypatch):
    monkeypatch.setenv("HANDOFF_OPEN_TICKETS_PER_ADDRESS", "2")
    key, other = uuid.uuid4().hex[:22], uuid.uuid4().hex[:22]
    first = service.open_ticket(f"web-{uuid.uuid4().hex}", "requested", "sv", NACKA, "web", client_key=key)
    second = service.open_ticket(f"web-{uuid.uuid4().hex}", "requested", "ar", NACKA, "web", client_key=key)
    assert first.ticket and second.ticket
    # The same conversation again: its open ticket, not a new one.
    again = service.open_ticket(first.ticket.sender_id, "requested", "sv", NACKA, "web", client_key=key)
    assert again.ticket.pk == first.ticket.pk
    refused = service.open_ticket(f"web-{uuid.uuid4().hex}", "requested", "sv", NACKA, "web", client_key=key)
    assert refused.ticket is None
    assert service.open_ticket(f"web-{uuid.uuid4().hex}", "requested", "sv", NACKA, "web", client_key=other).ticket
    crisis = service.open_ticket(f"web-{uuid.uuid4().hex}", "crisis_violence", "sv", NACKA, "web",
                                 crisis=True, client_key=key)
    assert crisis.ticket is not None, "a crisis is never refused a person"
    # Token callers (Telegram, operators) carry no key and are not capped here.
    assert service.open_ticket(f"telegram-{uuid.uuid4().int % 10 ** 9}", "requested", "sv", NACKA, "telegram").ticket
    service.cancel_by_user(first.ticket.sender_id)  # the crisis counts too: two open, one closed now
    service.cancel_by_user(crisis.ticket.sender_id)
    assert service.open_ticket(f"web-{uuid.uuid4().hex}", "requested", "sv", NACKA, "web", client_key=key).ticket


def test_over_the_cap_the_user_is_told_their_request_still_waits(chat):
    """Four fresh web sessions from one address ask for a person; the fourth is told."""
    address = f"192.0.2.{uuid.uuid4().int % 250 + 1}"
    headers = {"X-Forwarded-For": address}  # the test stack trusts 127.0.0.1 as a proxy
    outcomes = []
    for _ in range(4):
        session = requests.post(f"{chat.base_url}/webhooks/rest/session", headers=headers, timeout=10).json()
        replies = requests.post(f"{chat.base_url}/webhooks/rest/webhook", headers=headers, timeout=60, json={
            **session, "message": "jag vill prata med en människa",
            "metadata": {"language": "sv", "municipality": NACKA, "channel": "web"}}).json()
        outcomes.append((session["sender"], replies))
    opened = [sender for sender, _ in outcomes if HandoffTicket.objects.filter(sender_id=sender).exists()]
    assert len(opened) == 3, outcomes
    last_sender, last_replies = outcomes[-1]
    assert translate("sv", handoff.ALREADY_WAITING) in text_of(last_replies)
    assert_language(last_replies, "sv")
    assert chat.tracker(last_sender)["paused"] is False, "no ticket, so nobody would answer a paused chat"
    for sender, _ in outcomes[:3]:
        service.cancel_by_user(sender)


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_the_waiting_text_is_written_for_each_language(language):
    text = translate(language, handoff.ALREADY_WAITING)
    assert_language([{"text": text}], language)
