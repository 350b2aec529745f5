"""Every sender id the channel accepts works everywhere (issue 12, item 5).

Ids have one pattern (``bot.web_sessions.SENDER_PATTERN``: letters, digits, ``_``, ``-``,
``.`` not first, at most 128); the refusals are in test_web_sessions.py. Here conversations
are created through the running stack with the edge characters the pattern allows, handed
over, and walked through the staff pages (review, privacy search and export, hand-off ticket)
and the staff reply and hand-back, which must resume the very same tracker.
"""

import uuid

import pytest
from django.urls import reverse

from webapp.transcripts.sync import sync

EDGE_IDS = [
    "a{}", "A.b_c-D{}", "x..y{}", "-lead{}", "_{}", "{}end.", "{}-..-", "9{}",
]


@pytest.fixture
def rasa_api(stack, monkeypatch):
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{stack.rasa_port}")


@pytest.mark.parametrize("pattern", EDGE_IDS + ["long"])
def test_accepted_ids_work_on_every_staff_page_and_in_the_hand_back(chat, make_staff, rasa_api, pattern):
    from webapp.handoff import service
    from webapp.handoff.models import HandoffTicket

    unique = uuid.uuid4().hex[:6]
    sender = ("L" * 120 + unique)[:128] if pattern == "long" else pattern.format(unique)
    staff, client = make_staff("admin", ["0182"], ["sv"])
    chat.send(sender, "/handoff_debt", {"language": "sv", "municipality": "0182"})
    assert chat.tracker(sender)["paused"] is True
    ticket = HandoffTicket.objects.get(sender_id=sender)

    sync()
    for url in (reverse("review-conversation", args=[sender]), reverse("privacy-export", args=[sender]),
                reverse("privacy-erase", args=[sender]), reverse("handoff-ticket", args=[ticket.pk])):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    assert client.get(reverse("review-list")).status_code == 200
    assert sender in client.get(reverse("privacy-home"), {"q": sender}).content.decode()

    service.claim(ticket, staff)
    service.reply(ticket, staff, "Hej, jag heter Anna.")
    bot_texts = [e["text"] for e in chat.tracker(sender)["events"] if e["event"] == "bot"]
    assert bot_texts[-1] == "Hej, jag heter Anna.", "the reply reached this conversation, not another encoding"
    service.close(ticket, staff, "answered")
    assert chat.tracker(sender)["paused"] is False, "the resume reached the same tracker"
    assert chat.send(sender, "hej")
