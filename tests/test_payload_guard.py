"""No forged intent payloads, and erasure always asks first (issue 12, item 2).

Before the fix a stranger could send any ``/intent{…}`` payload: a forced hand-off intent, or
``/privacy_delete_data{"privacy_confirm":"yes"}``, which erased a conversation in one request.
Now a newcomer (no token) may send only the payloads of the buttons the bot offered last, plus
the widget's own (greeting, language switch, cancel); anything else is answered with a request
to write the question, in the user's language, and never executed. And the "yes, delete"
answer only erases right after the bot asked, whoever sends it.
"""

import pytest
from django.db import connection

from bot.channels import NOT_OFFERED
from bot.i18n import translate
from bot.payloads import allowed_for_user, latest_offered_payloads
from tests.helpers import assert_language, text_of

YES = '/privacy_delete_data{"privacy_confirm":"yes"}'
NO = '/privacy_delete_data{"privacy_confirm":"no"}'
ERASE_REQUEST = {"sv": "radera mina uppgifter", "ar": "بدي امسح كل شي كتبته", "fa_AF": "معلومات مرا پاک کنید"}


def stored_events(sender: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM events WHERE sender_id = %s", [sender])
        return cursor.fetchone()[0]


def user_intents(chat, sender):
    return [e["parse_data"]["intent"]["name"] for e in chat.tracker(sender)["events"] if e["event"] == "user"]


def test_only_offered_or_front_end_payloads_are_allowed():
    offered = latest_offered_payloads([
        {"event": "bot", "data": {"buttons": [{"payload": "/request_human", "title": "x"}]}},
        {"event": "user", "text": "radera"},
        {"event": "bot", "data": {"buttons": [{"payload": YES, "title": "ja"}, {"payload": NO, "title": "nej"}]}},
        {"event": "action", "name": "action_listen"},
    ])
    assert offered == [YES, NO]
    assert allowed_for_user(YES, offered) and allowed_for_user('/privacy_delete_data{"privacy_confirm": "yes"}', offered)
    assert not allowed_for_user("/request_human", offered)  # offered two turns ago, not last
    assert not allowed_for_user("/handoff_eviction", offered)
    assert allowed_for_user("/greet", []) and allowed_for_user('/switch_language{"language":"ar"}', [])
    assert allowed_for_user("/handoff_cancel", [])


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_a_forged_payload_from_a_newcomer_is_answered_not_executed(chat, language):
    sender = chat.web_session()
    chat.send(sender, "/greet", {"language": language, "channel": "web"})
    for forged in ("/handoff_eviction", "/crisis_violence", YES, '/request_human{"municipality":"0182"}'):
        replies = chat.post({"sender": sender, "message": forged, "metadata": {"language": language}}, headers={})
        assert replies.status_code == 200
        assert text_of(replies.json()) == translate(language, NOT_OFFERED)
        assert_language(replies.json(), language)
    assert user_intents(chat, sender) == ["greet"], "no forged payload reached Rasa"
    assert chat.tracker(sender)["paused"] is False


def test_a_newcomer_presses_the_offered_buttons(chat):
    sender = chat.web_session()
    asked = chat.post({"sender": sender, "message": ERASE_REQUEST["sv"]}, headers={}).json()
    assert [b["payload"] for r in asked for b in r.get("buttons", [])] == [YES, NO]
    done = chat.post({"sender": sender, "message": YES}, headers={})
    assert done.status_code == 200 and "radera" in text_of(done.json()).lower()
    assert stored_events(sender) == 0


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_erasure_in_one_request_only_asks(chat, language):
    """Even with the token (the Telegram worker relays what users type), "yes" without the
    question just before it asks the question."""
    sender = chat.new_sender()
    chat.send(sender, "/greet", {"language": language})
    before = stored_events(sender)
    replies = chat.send(sender, YES)
    assert [b["payload"] for r in replies for b in r.get("buttons", [])] == [YES, NO], replies
    assert_language(replies, language)
    assert stored_events(sender) > before, "nothing erased"
    # Asked now: the same answer erases.
    chat.send(sender, YES)
    assert stored_events(sender) == 0
