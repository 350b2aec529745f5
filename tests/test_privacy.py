"""Data protection pages (/staff/privacy/) and transcript retention.

Conversations are written into Rasa's ``events`` table the way Rasa does
(``webapp.transcripts.rasa_events.FakeConversation``), so no running stack is needed.
"""

import datetime as dt
import json
import time
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from webapp.privacy.models import RetentionPolicy, default_retention_days
from webapp.privacy.retention import run_retention, unindexed_senders
from webapp.staff.models import AuditEntry
from webapp.telegram.models import InboxUpdate, PendingMessage
from webapp.transcripts.models import Conversation
from webapp.transcripts.rasa_events import FakeConversation
from webapp.transcripts.sync import sync

DAY = 86400


def days_ago(days: float) -> float:
    return time.time() - days * DAY


def event_count(sender_id: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM events WHERE sender_id = %s", [sender_id])
        return cursor.fetchone()[0]


def conversation(sender_id=None, *, language="sv", municipality=None, age_days=1.0, text="hej", reply="Hej!"):
    fake = FakeConversation(sender_id, language=language, municipality=municipality, at=days_ago(age_days))
    fake.user(text, intent="greet", confidence=0.9).bot(reply, action="action_small_talk")
    return fake.sender_id


@pytest.fixture
def admin(make_staff):
    user, client = make_staff("admin", [], ["sv"])
    return user, client


# ---------------------------------------------------------------- finding a person


def test_admin_finds_a_telegram_user_by_chat_id_in_any_digits(admin, database):
    _user, client = admin
    chat_id = str(700_000_000 + uuid.uuid4().int % 99_999_999)
    sender = conversation(f"telegram-{chat_id}", language="ar", municipality="0182", text="مرحبا")
    persian_digits = chat_id.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    for query in (chat_id, persian_digits, f"telegram-{chat_id}"):
        response = client.get(reverse("privacy-home"), {"q": query})
        assert response.status_code == 200
        assert [c.sender_id for c in response.context["conversations"]] == [sender], query
    assert reverse("privacy-export", args=[sender]) in response.content.decode()
    assert AuditEntry.objects.filter(action="privacy_search", detail__query=chat_id, detail__found=1).exists()


def test_a_short_fragment_finds_only_exact_sender_ids(admin, database):
    _user, client = admin
    conversation(f"web-12{uuid.uuid4().hex[:8]}")
    response = client.get(reverse("privacy-home"), {"q": "12"})
    assert response.context["conversations"] == []
    assert "Inga samtal hittades" in response.content.decode()


# ---------------------------------------------------------------- export


def test_export_downloads_every_message_and_event_as_json_and_is_audited(admin, database):
    user, client = admin
    sender = conversation(language="fa_AF", municipality="1383", text="مکتب اولاد کجاست", reply="اولاد را ثبت کنید")
    response = client.get(reverse("privacy-export", args=[sender]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="conversation-{sender}.json"'
    document = json.loads(response.content)
    assert document["sender_id"] == sender
    assert document["conversation"]["municipality"] == "1383"
    assert [(m["role"], m["text"]) for m in document["messages"]] == [
        ("user", "مکتب اولاد کجاست"), ("bot", "اولاد را ثبت کنید")]
    assert {"user", "bot", "action", "slot"} <= {e["type"] for e in document["rasa_events"]}
    entry = AuditEntry.objects.get(action="privacy_export", target_id=sender)
    assert entry.user == user and entry.municipality == "1383" and entry.detail["messages"] == 2


def test_export_of_an_unknown_sender_is_404(admin, database):
    _user, client = admin
    assert client.get(reverse("privacy-export", args=["nobody-" + uuid.uuid4().hex])).status_code == 404
    assert client.get(reverse("privacy-erase", args=["nobody-" + uuid.uuid4().hex])).status_code == 404


# ---------------------------------------------------------------- erase


def test_erase_asks_first_then_deletes_every_trace(admin, database):
    user, client = admin
    chat_id = 800_000_000 + uuid.uuid4().int % 99_999_999
    sender = conversation(f"telegram-{chat_id}", language="ar", municipality="0182", text="احذف بياناتي")
    delivered = PendingMessage.objects.create(chat_id=chat_id, sender=sender, text="رقمي", delivered_at=timezone.now())
    waiting = PendingMessage.objects.create(chat_id=chat_id, sender=sender, text="رسالة جديدة")
    update_id = uuid.uuid4().int % 2**31
    InboxUpdate.objects.create(update_id=update_id, processed_at=timezone.now(),
                               payload={"message": {"chat": {"id": chat_id}, "text": "رقمي"}})
    url = reverse("privacy-erase", args=[sender])

    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="confirm"' in body and "csrfmiddlewaretoken" in body
    assert event_count(sender) > 0  # looking is not deleting

    refused = client.post(url, {})
    assert refused.status_code == 302 and refused["Location"] == url
    assert event_count(sender) > 0 and Conversation.objects.filter(pk=sender).exists()

    done = client.post(url, {"confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == reverse("privacy-home")
    assert event_count(sender) == 0
    assert not Conversation.objects.filter(pk=sender).exists()
    assert not PendingMessage.objects.filter(pk=delivered.pk).exists()
    assert PendingMessage.objects.filter(pk=waiting.pk).exists()  # written after: not yet handled, kept
    assert not InboxUpdate.objects.filter(update_id=update_id).exists()
    entry = AuditEntry.objects.get(action="privacy_erase", target_id=sender)
    assert entry.user == user and entry.municipality == "0182" and entry.detail["events"] > 0
    sync()
    assert not Conversation.objects.filter(pk=sender).exists()  # the sync does not bring it back


def test_erase_needs_csrf(make_staff, database):
    user, _client = make_staff("admin", [], ["sv"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    sender = conversation()
    assert client.post(reverse("privacy-erase", args=[sender]), {"confirm": "yes"}).status_code == 403
    assert event_count(sender) > 0


@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_privacy_pages_are_for_admins_only(make_staff, database, role):
    _user, client = make_staff(role, ["0182"], ["sv"])
    sender = conversation(municipality="0182")
    for url in (reverse("privacy-home"), reverse("privacy-audit"), reverse("privacy-export", args=[sender]),
                reverse("privacy-erase", args=[sender])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("privacy-erase", args=[sender]), {"confirm": "yes"}).status_code == 403
    assert event_count(sender) > 0


# ---------------------------------------------------------------- audit log


def test_audit_log_filters_by_user_action_municipality_and_date(admin, make_staff, database):
    _user, client = admin
    editor, _ = make_staff("editor", ["0182"], ["sv"])
    mark = uuid.uuid4().hex[:8]
    old = AuditEntry.objects.create(user=editor, username=editor.username, action=f"publish_{mark}",
                                    municipality="0182")
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=40))
    recent = AuditEntry.objects.create(user=editor, username=editor.username, action=f"publish_{mark}",
                                       municipality="1383")
    other = AuditEntry.objects.create(username="someone-else", action=f"publish_{mark}", municipality="0182")

    def listed(**params):
        response = client.get(reverse("privacy-audit"), params)
        assert response.status_code == 200
        return {entry.pk for entry, _detail in response.context["entries"]}

    assert listed(action=f"publish_{mark}") == {old.pk, recent.pk, other.pk}
    assert listed(action=f"publish_{mark}", user=editor.username) == {old.pk, recent.pk}
    assert listed(action=f"publish_{mark}", municipality="0182") == {old.pk, other.pk}
    today = timezone.localdate().isoformat()
    assert listed(action=f"publish_{mark}", date_from=today, date_to=today) == {recent.pk, other.pk}
    forty_days_ago = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    assert listed(action=f"publish_{mark}", date_to=forty_days_ago) == {old.pk}


def test_audit_log_reports_bad_filters_instead_of_failing(admin, database):
    _user, client = admin
    response = client.get(reverse("privacy-audit"), {"date_from": "2026-05-10", "date_to": "2026-05-01"})
    assert response.status_code == 200
    assert "Från-datumet ligger efter till-datumet" in response.content.decode()
    assert client.get(reverse("privacy-audit"), {"date_from": "igår", "page": "x"}).status_code == 200


# ---------------------------------------------------------------- XSS


def test_script_in_sender_ids_messages_and_log_details_is_shown_as_text(admin, database):
    _user, client = admin
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    sender = conversation(f"web-{uuid.uuid4().hex[:6]}{attack}", text=attack)
    pages = [
        client.get(reverse("privacy-home"), {"q": sender}),
        client.get(reverse("privacy-erase", args=[sender])),
        client.get(reverse("privacy-audit"), {"action": "privacy_search"}),
    ]
    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(" in body
    export = client.get(reverse("privacy-export", args=[sender]))
    assert export["Content-Type"].startswith("application/json")  # never rendered as HTML
    assert export["Content-Disposition"].startswith("attachment;") and "<" not in export["Content-Disposition"]


# ---------------------------------------------------------------- retention


@pytest.fixture
def policies(database):
    created = []

    def add(code: str, days: int):
        created.append(RetentionPolicy.objects.create(municipality_id=code, days=days))

    yield add
    for policy in created:
        policy.delete()


def test_retention_deletes_old_conversations_and_keeps_young_ones(database):
    old = conversation(age_days=default_retention_days() + 5, text="mitt gamla samtal")
    young = conversation(age_days=default_retention_days() - 5)
    old_events = event_count(old)
    started = timezone.now()
    result = run_retention()
    assert event_count(old) == 0 and not Conversation.objects.filter(pk=old).exists()
    assert event_count(young) > 0 and Conversation.objects.filter(pk=young).exists()
    assert result.conversations >= 1 and result.events >= old_events > 0
    entry = AuditEntry.objects.filter(action="transcripts_retention", at__gte=started).get()
    assert entry.user is None and entry.username == ""
    assert entry.detail["conversations"] == result.conversations and entry.detail["events"] == result.events


def test_retention_respects_each_municipalitys_period(database, policies):
    policies("1280", 30)   # Malmö keeps 30 days
    policies("1480", 365)  # Göteborg keeps a year
    malmo_old = conversation(municipality="1280", age_days=40)
    malmo_young = conversation(municipality="1280", age_days=20)
    goteborg = conversation(municipality="1480", age_days=200)
    stockholm = conversation(municipality="0180", age_days=40)  # no policy: the default, 90 days
    stockholm_old = conversation(municipality="0180", age_days=100)
    result = run_retention()
    assert event_count(malmo_old) == 0
    assert event_count(stockholm_old) == 0
    for kept in (malmo_young, goteborg, stockholm):
        assert event_count(kept) > 0 and Conversation.objects.filter(pk=kept).exists()
    assert result.by_municipality.get("1280") == 1 and result.by_municipality.get("0180") == 1


def test_retention_empties_the_events_of_senders_the_index_does_not_know(database):
    old = conversation(age_days=default_retention_days() + 1)
    young = conversation(age_days=2)
    sync()
    # The index lost them (e.g. rows from before the index existed): only Rasa's events remain.
    Conversation.objects.filter(pk__in=[old, young]).delete()
    now = timezone.now()
    assert old in unindexed_senders(now, default_retention_days())
    assert young not in unindexed_senders(now, default_retention_days())
    from webapp.privacy import retention

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(retention, "sync", lambda **kwargs: 0)  # as if the sync had not seen them yet
        result = retention.run_retention()
    assert event_count(old) == 0 and event_count(young) > 0
    assert result.orphan_senders >= 1


def test_retention_period_comes_from_the_environment(database, monkeypatch):
    monkeypatch.setenv("TRANSCRIPT_RETENTION_DAYS", "30")
    forty = conversation(age_days=40)
    twenty = conversation(age_days=20)
    call_command("transcripts_retention", stdout=open("/dev/null", "w"))
    assert event_count(forty) == 0 and event_count(twenty) > 0
    monkeypatch.setenv("TRANSCRIPT_RETENTION_DAYS", "ninety")
    with pytest.raises(CommandError, match="TRANSCRIPT_RETENTION_DAYS"):
        call_command("transcripts_retention")
    monkeypatch.setenv("TRANSCRIPT_RETENTION_DAYS", "0")
    with pytest.raises(CommandError, match="between 1 and"):
        call_command("transcripts_retention")


def test_home_shows_the_retention_periods(admin, policies):
    _user, client = admin
    policies("2580", 45)  # Luleå
    body = client.get(reverse("privacy-home")).content.decode()
    assert "Luleå" in body and "45" in body and f"{default_retention_days()} dagar" in body


def test_a_bad_retention_setting_is_shown_not_a_server_error(admin, monkeypatch):
    _user, client = admin
    monkeypatch.setenv("TRANSCRIPT_RETENTION_DAYS", "ninety")
    response = client.get(reverse("privacy-home"))
    assert response.status_code == 200
    assert "Den automatiska raderingen körs inte" in response.content.decode()
