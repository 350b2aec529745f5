"""The inbox with many tickets: filters, search, order, paging, crisis always on top, assignment
to a named colleague, and canned replies kept by staff (Django's test client, a real database).

Sending a reply needs the running assistant: that, with a canned Arabic reply reaching the
conversation, is in tests/browser/test_staff_inbox_browser.py.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from tests.test_handoff_inbox import add_messages, make_ticket, municipality, other_municipality  # noqa: F401
from webapp.handoff.inbox_query import PAGE_SIZE
from webapp.handoff.models import CannedReply, HandoffTicket, Priority, Reason, Status, Tier
from webapp.staff.models import AuditEntry
from bot.language import normalize_for_nlu
from webapp.transcripts.models import Message
from webapp.transcripts.models import Role as MessageRole


def feed(client, **params) -> dict:
    response = client.get(reverse("handoff-inbox-feed"), params)
    assert response.status_code == 200
    return response.json()


def ids(rows) -> list:
    return [row["id"] for row in rows]


@pytest.fixture
def hundred(municipality):  # noqa: F811
    """100 open tickets in one municipality: languages, priorities, channels and ages mixed,
    two of them crisis tickets in Arabic."""
    made = []
    languages = ["sv", "ar", "fa_AF"]
    channels = ["web", "telegram"]
    for n in range(98):
        made.append(make_ticket(municipality, language=languages[n % 3], channel=channels[n % 2],
                                reason=Reason.REQUESTED if n % 4 else Reason.EVICTION,
                                priority=Priority.HIGH if n % 4 == 0 else Priority.NORMAL,
                                tier=Tier.MUNICIPALITY, age_minutes=200 - n,
                                summary=f"Ärende {n}: användaren vill prata med en person."))
    for n in range(2):
        made.append(make_ticket(municipality, language="ar", reason=Reason.CRISIS_VIOLENCE,
                                priority=Priority.CRISIS, tier=Tier.MUNICIPALITY, age_minutes=5 + n))
    return made


def test_waiting_tickets_come_in_pages_by_priority_then_wait(make_staff, hundred, municipality):  # noqa: F811
    _user, client = make_staff("editor", [municipality])
    first = feed(client)
    assert first["waiting_count"] == 100 and first["pages"] == 4
    rows = first["waiting"]
    # The two crisis tickets, oldest first, then a full page of the others.
    assert [row["crisis"] for row in rows[:2]] == [True, True] and len(rows) == 2 + PAGE_SIZE
    assert rows[0]["wait_seconds"] >= rows[1]["wait_seconds"]
    rest = rows[2:]
    assert [row["priority"] for row in rest] == sorted(row["priority"] for row in rest)
    normal = [row["wait_seconds"] for row in rest if row["priority"] == Priority.NORMAL]
    assert normal == sorted(normal, reverse=True)
    seen = set(ids(rest))
    for page in (2, 3, 4):
        more = feed(client, page=page)["waiting"]
        assert ids(more[:2]) == ids(rows[:2]), "crisis tickets are on top of every page"
        assert not seen & set(ids(more[2:]))
        seen |= set(ids(more[2:]))
    assert len(seen) == 98
    assert feed(client, page=99)["page"] == 4  # past the end: the last page, not an error


def test_filters_narrow_the_list_and_crisis_stays_on_top(make_staff, hundred, municipality):  # noqa: F811
    _user, client = make_staff("editor", [municipality], ["sv", "fa_AF"])
    dari = feed(client, language="fa_AF")
    crisis, others = dari["waiting"][:2], dari["waiting"][2:]
    assert all(row["crisis"] and row["pinned"] and row["language"] == "ar" for row in crisis)
    assert others and all(row["language"] == "fa_AF" for row in others)
    assert dari["matching"] == sum(1 for t in hundred if t.language == "fa_AF")
    assert all(row["channel"] == "telegram" for row in feed(client, channel="telegram")["waiting"][2:])
    high = feed(client, priority=int(Priority.HIGH))["waiting"][2:]
    assert high and all(row["priority"] == Priority.HIGH for row in high)
    eviction = feed(client, reason=Reason.EVICTION)["waiting"][2:]
    assert eviction and all(row["reason"] == Reason.EVICTION for row in eviction)
    # Crisis tickets in the chosen language are listed as matching, not as pinned.
    arabic_crisis = feed(client, language="ar")["waiting"][:2]
    assert not any(row["pinned"] for row in arabic_crisis)
    # The page shows the same and says how many match.
    page = client.get(reverse("handoff-inbox"), {"language": "fa_AF"}).content.decode()
    assert 'option value="fa_AF" selected' in page and "Kris visas alltid" in page
    assert "?language=fa_AF" in page  # the live feed keeps the filter


def test_mine_status_and_search(make_staff, hundred, municipality):  # noqa: F811
    user, client = make_staff("editor", [municipality], ["ar"])
    colleague, _ = make_staff("editor", [municipality])
    mine, theirs = hundred[10], hundred[11]
    HandoffTicket.objects.filter(pk=mine.pk).update(status=Status.CLAIMED, claimed_by=user)
    HandoffTicket.objects.filter(pk=theirs.pk).update(status=Status.CLAIMED, claimed_by=colleague)
    only_mine = feed(client, mine=1)
    assert ids(only_mine["in_progress"]) == [mine.pk]
    assert ids(only_mine["waiting"][2:]) == []
    claimed = feed(client, status="claimed")
    assert set(ids(claimed["in_progress"])) == {mine.pk, theirs.pk} and ids(claimed["waiting"][2:]) == []
    HandoffTicket.objects.filter(pk=hundred[12].pk).update(status=Status.CLOSED)
    closed_page = client.get(reverse("handoff-inbox"), {"status": "closed"})
    assert [row["id"] for row in closed_page.context["closed"]] == [hundred[12].pk]
    # Search: a ticket number, words of the summary, words the user wrote (Arabic spelled with
    # tatweel and Persian yeh still finds the plain spelling).
    assert ids(feed(client, q=f"#{hundred[20].pk}")["waiting"][2:]) == [hundred[20].pk]
    assert ids(feed(client, q="Ärende 33:")["waiting"][2:]) == [hundred[33].pk]
    add_messages(hundred[40], (MessageRole.USER, "كيف أحصل على شقة؟", "ar"))
    # ``sync`` fills the search column from Rasa's events; these rows were made directly.
    for message in Message.objects.filter(conversation_id=hundred[40].sender_id):
        Message.objects.filter(pk=message.pk).update(search_text=normalize_for_nlu(message.text))
    assert ids(feed(client, q="كيـف أحصل")["waiting"][2:]) == [hundred[40].pk]
    assert feed(client, q="ingenting-sådant")["waiting"][2:] == []


def test_unknown_filter_values_are_reported_not_a_500(make_staff, municipality):  # noqa: F811
    _user, client = make_staff("editor", [municipality])
    response = client.get(reverse("handoff-inbox"), {"language": "dari", "priority": "x", "page": "två"})
    assert response.status_code == 200
    assert "förstods inte" in response.content.decode()
    assert client.get(reverse("handoff-inbox-feed"), {"status": "<script>"}).status_code == 200


# --- assignment ---------------------------------------------------------------------------------

def test_assign_to_a_colleague_who_speaks_the_language(make_staff, municipality, other_municipality):  # noqa: F811
    coordinator, client = make_staff("editor", [municipality], ["sv"])
    speaker, speaker_client = make_staff("editor", [municipality], ["sv", "fa_AF"], display_name="Farid")
    non_speaker, _ = make_staff("editor", [municipality], ["sv"])
    elsewhere, _ = make_staff("editor", [other_municipality], ["fa_AF"])
    ticket = make_ticket(municipality, language="fa_AF", tier=Tier.LANGUAGE)
    page = client.get(reverse("handoff-ticket", args=[ticket.pk])).content.decode()
    assert f'value="{speaker.pk}"' in page and "Farid" in page
    assert f'value="{non_speaker.pk}"' not in page and f'value="{elsewhere.pk}"' not in page
    for refused in (non_speaker, elsewhere):
        response = client.post(reverse("handoff-assign", args=[ticket.pk]), {"assignee": refused.pk})
        assert response.status_code == 400
        ticket.refresh_from_db()
        assert ticket.status == Status.WAITING
    response = client.post(reverse("handoff-assign", args=[ticket.pk]), {"assignee": speaker.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLAIMED and ticket.claimed_by == speaker and ticket.claimed_at
    entry = AuditEntry.objects.get(action="handoff_assign", target_id=str(ticket.pk))
    assert entry.username == coordinator.username and entry.detail["assignee"] == speaker.username
    # The colleague now handles it; the coordinator can no longer pass it on.
    assert "reply-text" in speaker_client.get(reverse("handoff-ticket", args=[ticket.pk])).content.decode()
    response = client.post(reverse("handoff-assign", args=[ticket.pk]), {"assignee": coordinator.pk})
    assert response.status_code == 409
    assert feed(speaker_client, mine=1)["in_progress"][0]["id"] == ticket.pk


# --- canned replies -----------------------------------------------------------------------------

def test_staff_keep_canned_replies_for_their_municipality(make_staff, municipality, other_municipality):  # noqa: F811
    user, client = make_staff("editor", [municipality], ["ar"])
    title = f"Tolk {uuid.uuid4().hex[:6]}"
    response = client.post(reverse("handoff-canned-new"), {
        "title": title, "language": "ar", "municipality": municipality,
        "text": "يمكنك طلب مترجم مجاناً عند موعدك مع البلدية (kommunen)."})
    assert response.status_code == 302
    reply = CannedReply.objects.get(title=title)
    assert reply.updated_by == user and reply.municipality_id == municipality
    assert AuditEntry.objects.filter(action="canned_reply_create", target_id=str(reply.pk)).exists()
    listing = client.get(reverse("handoff-canned-list"), {"language": "ar"}).content.decode()
    assert title in listing and 'lang="ar" dir="rtl"' in listing
    # Another municipality's reply, or a shared one: visible (shared) or not, but not theirs to change.
    foreign = CannedReply.objects.create(title="Annan kommun", language="ar", text="نص", municipality_id=other_municipality)
    shared = CannedReply.objects.create(title="Gemensamt", language="ar", text="نص مشترك")
    assert client.get(reverse("handoff-canned-edit", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("handoff-canned-edit", args=[shared.pk])).status_code == 404
    assert client.post(reverse("handoff-canned-delete", args=[shared.pk])).status_code == 404
    response = client.post(reverse("handoff-canned-new"), {
        "title": "Smyg", "language": "ar", "municipality": other_municipality, "text": "نص"})
    assert response.status_code == 400 and not CannedReply.objects.filter(title="Smyg").exists()
    response = client.post(reverse("handoff-canned-new"), {"title": "Fel", "language": "dari", "text": "x",
                                                           "municipality": municipality})
    assert response.status_code == 400
    assert client.post(reverse("handoff-canned-delete", args=[reply.pk])).status_code == 302
    assert AuditEntry.objects.filter(action="canned_reply_delete", target_id=str(reply.pk)).exists()


def test_the_ticket_page_offers_canned_replies_in_the_users_language(make_staff, municipality, other_municipality):  # noqa: F811
    user, client = make_staff("editor", [municipality], ["ar"])
    ticket = make_ticket(municipality, language="ar", status=Status.CLAIMED, claimed_by=user)
    arabic = CannedReply.objects.create(title="Tolk på mötet", language="ar", municipality_id=municipality,
                                        text="يمكنك طلب مترجم مجاناً.")
    swedish = CannedReply.objects.create(title="Öppettider", language="sv", text="Vi har öppet 8–16.")
    dari = CannedReply.objects.create(title="Tolk (dari)", language="fa_AF", text="شما می‌توانید ترجمان بخواهید.")
    foreign = CannedReply.objects.create(title="Annan kommun", language="ar", text="نص",
                                         municipality_id=other_municipality)
    page = client.get(reverse("handoff-ticket", args=[ticket.pk])).content.decode()
    assert page.index(f'value="{arabic.pk}"') < page.index(f'value="{swedish.pk}"')
    assert f'value="{dari.pk}"' not in page and f'value="{foreign.pk}"' not in page
    filled = client.get(reverse("handoff-ticket", args=[ticket.pk]), {"canned": arabic.pk}).content.decode()
    assert "يمكنك طلب مترجم مجاناً." in filled
    assert f'name="canned_reply" value="{arabic.pk}"' in filled
    # Someone else's reply id fills nothing.
    assert "نص" not in client.get(reverse("handoff-ticket", args=[ticket.pk]), {"canned": foreign.pk}).content.decode()


def test_a_dari_quote_in_the_summary_is_isolated(make_staff, municipality):  # noqa: F811
    _user, client = make_staff("editor", [municipality], ["sv"])
    ticket = make_ticket(municipality, summary="Användaren skrev: ”درخواست اقامت من رد شد” och vill ha hjälp.")
    page = client.get(reverse("handoff-ticket", args=[ticket.pk])).content.decode()
    assert '<p class="summary">Användaren skrev: ”<bdi dir="rtl">درخواست اقامت من رد شد</bdi>” och vill' in page
