"""The staff app's frame: sign-in, roles, the rate limit, security headers, the transcript index."""

import pytest

from webapp.staff.access import can_see_municipality, municipality_codes


def test_anonymous_is_sent_to_login(database):
    from django.test import Client

    response = Client().get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/?next=/staff/")


def test_user_without_staff_profile_gets_403(make_staff):
    _user, client = make_staff(role=None)
    assert client.get("/staff/").status_code == 403


def test_editor_sees_own_municipalities_only(make_staff):
    user, client = make_staff("editor", ["0182"])
    response = client.get("/staff/")
    assert response.status_code == 200
    assert "Nacka" in response.content.decode()
    assert municipality_codes(user) == {"0182"}
    assert can_see_municipality(user, "0182")
    assert not can_see_municipality(user, "1383")  # Varberg
    assert not can_see_municipality(user, None)  # national content is the admins'


def test_superuser_is_admin_for_all_municipalities(make_staff):
    user, client = make_staff(superuser=True)
    assert municipality_codes(user) is None
    assert client.get("/staff/").status_code == 200


def test_staff_pages_send_security_headers(make_staff):
    _user, client = make_staff("editor", ["0182"])
    response = client.get("/staff/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_login_is_rate_limited_per_account(make_staff):
    from django.test import Client

    from webapp.staff.models import AuditEntry

    user, _client = make_staff("editor", ["0182"])
    client = Client()
    for _ in range(5):
        assert client.post("/staff/login/", {"username": user.username, "password": "wrong"}).status_code == 200
    # Even the right password is refused while the account is locked.
    response = client.post("/staff/login/", {"username": user.username, "password": "test-password-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login_blocked", target_id=user.username).exists()
    # Other accounts are not affected.
    other, _ = make_staff("editor", ["0182"])
    response = Client().post("/staff/login/", {"username": other.username, "password": "test-password-123"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="login", username=other.username).exists()


def test_transcript_index_follows_rasa_events(chat, database):
    from webapp.transcripts.models import Conversation, Message, Role
    from webapp.transcripts.sync import sync

    sender = chat.new_sender()
    chat.send(sender, "hej, hur anmäler jag mig till sfi i Nacka?")
    chat.send(sender, "xqzt blorp")
    sync()
    conversation = Conversation.objects.get(pk=sender)
    assert conversation.language == "sv"
    assert conversation.municipality_id == "0182"
    assert conversation.channel == "rest"
    assert "sfi_enrol" in conversation.topics
    messages = list(conversation.messages.all())
    user_messages = [m for m in messages if m.role == Role.USER]
    assert [m.intent for m in user_messages][0] == "sfi_enrol"
    assert user_messages[1].fallback and conversation.had_fallback
    bot_actions = {m.action for m in messages if m.role == Role.BOT}
    assert "action_answer_topic" in bot_actions and "action_clarify" in bot_actions
    # A second sync adds nothing twice.
    count = Message.objects.filter(conversation=conversation).count()
    sync()
    assert Message.objects.filter(conversation=conversation).count() == count
