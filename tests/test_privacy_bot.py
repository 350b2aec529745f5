"""A newcomer deletes their own conversation through the running bot, in each language.

The bot asks first (yes/no buttons in the user's language); "no" keeps everything; "yes"
answers that everything is deleted, and the conversation is gone from Rasa's events, the
transcript index and Rasa's own API afterwards (the REST channel erases after Rasa saved the
turn, so Rasa cannot write the old events back).
"""

import pytest
from django.db import connection

from tests.helpers import assert_language, text_of
from webapp.staff.models import AuditEntry
from webapp.transcripts.models import Conversation
from webapp.transcripts.sync import sync

YES = '/privacy_delete_data{"privacy_confirm":"yes"}'
NO = '/privacy_delete_data{"privacy_confirm":"no"}'

OPENERS = {
    "sv": ("hej, hur anmäler jag mig till sfi i Nacka? mitt nummer är 070-123 45 67", "radera mina uppgifter"),
    "ar": ("مرحبا كيف اسجل بمدرسة اللغة sfi في مالمو", "بدي امسح كل شي كتبته"),
    "fa_AF": ("سلام، چطور در کورس sfi در یوتبوری نام نویسی کنم", "معلومات مرا پاک کنید"),
}


def stored_events(sender: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM events WHERE sender_id = %s", [sender])
        return cursor.fetchone()[0]


def buttons(replies):
    return [button for reply in replies for button in reply.get("buttons", [])]


@pytest.mark.parametrize("language", sorted(OPENERS))
def test_newcomer_deletes_their_conversation_after_confirming(chat, language):
    question, request = OPENERS[language]
    sender = chat.new_sender()
    chat.send(sender, question)

    asked = chat.send(sender, request)
    assert_language(asked, language)
    tracker = chat.tracker(sender)
    assert [e for e in tracker["events"] if e["event"] == "user"][-1]["parse_data"]["intent"]["name"] == \
        "privacy_delete_data"
    assert [b["payload"] for b in buttons(asked)] == [YES, NO]

    done = chat.send(sender, YES)
    assert_language(done, language)
    assert len(done) == 1 and not buttons(done)

    # Gone from Rasa's table and from the index before anyone looks at the tracker again.
    assert stored_events(sender) == 0
    sync()
    assert not Conversation.objects.filter(pk=sender).exists()
    # Rasa's API knows nothing of the old conversation either.
    events = chat.tracker(sender)["events"]
    assert not [e for e in events if e["event"] in ("user", "bot")], events
    assert AuditEntry.objects.filter(action="privacy_erase_by_newcomer").exists()

    # The conversation can start again from scratch.
    again = chat.send(sender, question)
    assert_language(again, language)
    user_texts = [e.get("text") for e in chat.tracker(sender)["events"] if e["event"] == "user"]
    assert len(user_texts) == 1


def test_no_keeps_the_conversation(chat):
    sender = chat.new_sender()
    chat.send(sender, "hur anmäler jag mig till sfi i Nacka?")
    chat.send(sender, "radera mina uppgifter")
    before = stored_events(sender)
    kept = chat.send(sender, NO)
    assert_language(kept, "sv")
    assert "ingenting har raderats" in text_of(kept).lower()
    assert stored_events(sender) > before
    user_texts = [e.get("text") for e in chat.tracker(sender)["events"] if e["event"] == "user"]
    assert user_texts[0] == "hur anmäler jag mig till sfi i Nacka?"


def test_the_question_alone_deletes_nothing(chat):
    sender = chat.new_sender()
    chat.send(sender, "hej")
    chat.send(sender, "ta bort allt jag har skrivit")
    assert stored_events(sender) > 0
    assert chat.tracker(sender)["events"]
