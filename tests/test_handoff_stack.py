"""The hand-off against the running stack (Rasa with the trained model, action server, web
app): every trigger in every language opens a ticket and pauses the tracker; crisis replies
come first with 112 and the right line; messages while paused are acknowledged; cancelling
resumes the bot; a staff reply is in the transcript and reaches the widget's endpoint; closing
gives the conversation back; an unclaimed ticket gets the contact options.

Triggers are sent as button payloads ("/handoff_eviction"), which need no NLU, plus a typed
request for a person in each language.
"""

import re
import time
import uuid

import pytest
import requests

from bot import crisis_lines, handoff, web_sessions
from bot.language import LANGUAGES, to_ascii_digits
from tests.helpers import assert_language

CATEGORIES = ["request_human", "feedback_wrong", "handoff_residence_permit", "handoff_deportation",
              "handoff_eviction", "handoff_social_services", "handoff_debt", "handoff_discrimination",
              "handoff_authority_letter"]
ASK_FOR_A_PERSON = {"sv": "jag vill prata med en människa", "ar": "أريد التحدث مع موظف",
                    "fa_AF": "می‌خواهم با یک کارمند گپ بزنم"}
SOMETHING_ELSE = {"sv": "hallå, är det någon där?", "ar": "مرحبا، هل يوجد أحد هنا؟", "fa_AF": "سلام، کسی اینجا است؟"}
ACTIVE, ENDED = {"handoff": {"active": True}}, {"handoff": {"active": False}}


@pytest.fixture
def rasa_api(stack, monkeypatch):
    """The service in this process talks to the test stack's Rasa."""
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{stack.rasa_port}")


def ticket_of(sender):
    from webapp.handoff.models import HandoffTicket

    return HandoffTicket.objects.get(sender_id=sender)


def customs(replies):
    return [r["custom"] for r in replies if "custom" in r]


def payloads(replies):
    return [b["payload"] for r in replies for b in r.get("buttons", [])]


def has_number(text: str, number: str) -> bool:
    """``number`` written with any spacing, hyphens, isolates or digits (١١٢, ۱۱۲, 112)."""
    gaps = r"[\s\-\u2011\u00a0\u2068\u2069]*"
    pattern = r"(?<!\d)" + gaps.join(re.escape(d) for d in re.sub(r"\D", "", number)) + r"(?!\d)"
    return re.search(pattern, to_ascii_digits(text)) is not None


def user_and_actions_after(tracker: dict, text: str):
    events = tracker["events"]
    index = max(i for i, e in enumerate(events) if e["event"] == "user" and e.get("text") == text)
    return events[index], [e["name"] for e in events[index + 1:] if e["event"] == "action"]


# --- every trigger ----------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("intent", CATEGORIES)
def test_each_category_opens_a_ticket_and_pauses_the_conversation(chat, language, intent):
    from webapp.handoff.models import Priority

    sender = chat.new_sender()
    replies = chat.send(sender, f"/{intent}", {"language": language, "municipality": "0182"})
    assert_language([r for r in replies if "text" in r], language)
    assert "/handoff_cancel" in payloads(replies) and ACTIVE in customs(replies)
    assert handoff.cancel_word(language) in replies[0]["text"]
    assert chat.tracker(sender)["paused"] is True
    ticket = ticket_of(sender)
    assert (ticket.reason, ticket.language, ticket.municipality_id, ticket.status) == (
        handoff.INTENT_REASONS[intent], language, "0182", "waiting")
    assert ticket.priority == (Priority.HIGH if intent.startswith("handoff_") else Priority.NORMAL)
    assert ticket.summary and "Nacka" in ticket.summary


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_typed_request_for_a_person_hands_over(chat, language):
    sender = chat.new_sender()
    chat.send(sender, ASK_FOR_A_PERSON[language], {"language": language})
    assert chat.tracker(sender)["paused"] is True
    assert ticket_of(sender).reason == "requested"


def test_two_fallbacks_in_a_row_hand_over_to_a_person(chat):
    sender = chat.new_sender()
    chat.send(sender, "hej")
    first = chat.send(sender, "qwrt zxcv plmk")
    assert chat.tracker(sender)["paused"] is False and "/request_human" in payloads(first)
    second = chat.send(sender, "blorf snix")
    assert "/handoff_cancel" in payloads(second)
    assert chat.tracker(sender)["paused"] is True
    assert ticket_of(sender).reason == "repeated_failure"

    # Back with the bot, one misunderstanding is just that: the earlier ones were dealt with.
    chat.send(sender, "avbryt")
    again = chat.send(sender, "qwrt zxcv plmk")
    assert chat.tracker(sender)["paused"] is False and "/request_human" in payloads(again)


# --- crisis -------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("crisis, keys", sorted(crisis_lines.LINE_OF_CRISIS.items()))
def test_crisis_gets_112_and_the_right_lines_first_then_a_person(chat, language, crisis, keys):
    from webapp.handoff.models import Priority

    sender = chat.new_sender()
    replies = chat.send(sender, f"/{crisis}", {"language": language, "municipality": "1383"})
    first = replies[0]["text"]
    assert has_number(first, "112"), first
    for key in keys:
        assert has_number(first, crisis_lines.numbers()[key]), (key, first)
    assert_language([replies[0]], language)
    assert "/handoff_cancel" in payloads(replies[1:]) and ACTIVE in customs(replies)
    assert chat.tracker(sender)["paused"] is True
    ticket = ticket_of(sender)
    assert ticket.priority == Priority.CRISIS and ticket.reason == crisis
    assert "112" in ticket.summary


# A child writes, in their own words, that a parent hits them: 112 and Bris, in their language.
CHILD_HIT_AT_HOME = {
    "sv": "jag är 14 och min pappa slår mig",
    "ar": "عمري ١٤ سنة وابوي يضربني كل يوم",
    "fa_AF": "مه ۱۴ ساله هستم پدرم مره میزنه",
}
# Someone thinking of ending their life, as they would write it.
NO_LONGER_WANT_TO_LIVE = {
    "sv": "jag vill inte leva längre",
    "ar": "ما بدي عيش بعد اليوم بدي انتحر",
    "fa_AF": "دیگه نمی‌خواهم زنده باشم میخواهم خودکشی کنم",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_child_hit_at_home_gets_112_and_bris_in_their_language(chat, language):
    sender = chat.new_sender()
    replies = chat.send(sender, CHILD_HIT_AT_HOME[language], {"language": language, "municipality": "0180"})
    first = replies[0]["text"]
    assert has_number(first, "112") and has_number(first, "116 111"), first
    assert "bris.se" in first
    assert_language([replies[0]], language)
    assert chat.tracker(sender)["paused"] is True and ticket_of(sender).reason == "crisis_violence"


@pytest.mark.parametrize("language", LANGUAGES)
def test_suicidal_thoughts_get_112_the_line_bris_and_in_arabic_and_dari_1177_with_an_interpreter(chat, language):
    sender = chat.new_sender()
    replies = chat.send(sender, NO_LONGER_WANT_TO_LIVE[language], {"language": language, "municipality": "0180"})
    first = replies[0]["text"]
    for number in ("112", "90101", "116 111", "1177"):
        assert has_number(first, number), (number, first)
    assert_language([replies[0]], language)
    # Självmordslinjen answers in Swedish: the reply says so, and offers 1177's interpreters.
    if language == "ar":
        assert "باللغة السويدية" in first and "مترجم" in first
    if language == "fa_AF":
        assert "سویدنی جواب" in first and "ترجمان" in first


# --- while paused, and back to the bot -------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_messages_while_paused_are_kept_for_staff_and_the_cancel_word_brings_the_bot_back(chat, language):
    sender = chat.new_sender()
    chat.send(sender, "/handoff_debt", {"language": language, "municipality": "0181"})

    ack = chat.send(sender, SOMETHING_ELSE[language])
    assert ack[0]["text"] == handoff.paused_acknowledgement(language).text and ACTIVE in customs(ack)
    user, actions = user_and_actions_after(chat.tracker(sender), SOMETHING_ELSE[language])
    assert actions == [], "the bot must not act while a person has the conversation"

    back = chat.send(sender, handoff.cancel_word(language))
    assert back[0]["text"] == handoff.bot_back(language).text and ENDED in customs(back)
    assert chat.tracker(sender)["paused"] is False
    ticket = ticket_of(sender)
    assert (ticket.status, ticket.outcome) == ("closed", "cancelled_by_user")

    answer = chat.send(sender, "/sfi_cost")
    _user, actions = user_and_actions_after(chat.tracker(sender), "/sfi_cost")
    assert actions[0] == "action_answer_topic"
    assert answer[0]["text"] != handoff.paused_acknowledgement(language).text


def test_the_back_button_when_the_bot_already_answers_just_says_so(chat):
    sender = chat.new_sender()
    replies = chat.send(sender, "/handoff_cancel", {"language": "ar"})
    assert replies[0]["text"] == handoff.bot_back("ar").text and ENDED in customs(replies)


def test_the_cancel_word_inside_a_sentence_is_read_by_the_bot(chat):
    sender = chat.new_sender()
    chat.send(sender, "/request_human", {"language": "sv"})
    replies = chat.send(sender, "kan jag avbryta min hyresrätt?")
    assert replies[0]["text"] == handoff.paused_acknowledgement("sv").text
    assert chat.tracker(sender)["paused"] is True


# --- staff reply, widget, close ------------------------------------------------------------------

def test_staff_reply_is_in_the_transcript_reaches_the_widget_and_closing_gives_the_bot_back(
        chat, stack, make_staff, rasa_api):
    from webapp.handoff import service
    from webapp.handoff.models import Tier
    from webapp.staff.models import AuditEntry
    from webapp.transcripts.models import Role

    staff, _ = make_staff("editor", ["1499"], ["sv", "fa_AF"])  # Falköping, speaks Dari
    sender = f"web-{uuid.uuid4()}"
    chat.send(sender, "اجازه اقامت من رد شد", {"language": "fa_AF", "municipality": "1499", "channel": "web"})
    chat.send(sender, "/handoff_residence_permit", {"language": "fa_AF", "municipality": "1499", "channel": "web"})
    ticket = ticket_of(sender)
    assert ticket.tier == Tier.LANGUAGE and ticket.channel == "web"
    widget = f"http://127.0.0.1:{stack.web_port}/widget/messages"
    session = web_sessions.sign(sender)  # what the widget got from POST /webhooks/rest/session
    assert requests.get(widget, params={"sender": sender, "session": session, "after": 0}, timeout=10).json() == {
        "messages": [], "active": True}

    service.claim(ticket, staff)
    words = "سلام، من از کمون فالشوپینگ هستم. نامه میگراسیون را برایم بفرستید."
    service.reply(ticket, staff, words)
    name = service.staff_display_name(staff)
    bot_events = [e for e in chat.tracker(sender)["events"] if e["event"] == "bot"]
    assert bot_events[-1]["text"] == words and bot_events[-1]["metadata"]["handoff_staff"] == name
    polled = requests.get(widget, params={"sender": sender, "session": session, "after": 0}, timeout=10).json()
    assert polled["active"] is True
    assert [(m["kind"], m["text"], m["name"]) for m in polled["messages"]] == [("staff", words, name)]
    staff_messages = [m for m in service.history(ticket) if m.role == Role.STAFF]
    assert [(m.text, m.staff_name) for m in staff_messages] == [(words, name)]

    # The user answers; it goes to the ticket's conversation, not to the bot.
    chat.send(sender, "تشکر، فردا می‌فرستم")
    assert [m.text for m in service.history(ticket) if m.role == Role.USER][-1] == "تشکر، فردا می‌فرستم"

    service.close(ticket, staff, "answered")
    assert chat.tracker(sender)["paused"] is False
    after = polled["messages"][-1]["id"]
    closing = requests.get(widget, params={"sender": sender, "session": session, "after": after}, timeout=10).json()
    assert closing["active"] is False
    assert [m["text"] for m in closing["messages"]] == [handoff.bot_back("fa_AF").text]
    assert {e.action for e in AuditEntry.objects.filter(target_id=str(ticket.pk))} >= {
        "handoff_claim", "handoff_reply", "handoff_close"}
    answer = chat.send(sender, "/sfi_what_is")
    assert_language(answer, "fa_AF")
    with pytest.raises(service.TicketStateError):
        service.reply(ticket, staff, "دیر شد")


@pytest.mark.parametrize("language", LANGUAGES)
def test_routing_tells_the_user_when_the_answer_may_be_in_swedish(chat, make_staff, language):
    code = {"sv": "0380", "ar": "0381", "fa_AF": "0382"}[language]  # Uppsala, Enköping, Östhammar
    sender = chat.new_sender()
    replies = chat.send(sender, "/handoff_eviction", {"language": language, "municipality": code})
    swedish_note = handoff.translate(language, handoff.ANSWER_MAY_BE_SWEDISH)
    assert ticket_of(sender).tier == "national"
    assert (swedish_note in replies[0]["text"]) == (language != "sv")

    make_staff("editor", [code], ["sv", language])
    sender = chat.new_sender()
    replies = chat.send(sender, "/handoff_eviction", {"language": language, "municipality": code})
    assert ticket_of(sender).tier == "language"
    assert swedish_note not in replies[0]["text"]


# --- guidance while waiting ----------------------------------------------------------------------

# The key fact of each category's guidance, as each language says it (data/content/handoff_guidance.yml).
GUIDANCE_KEY_FACTS = {
    "handoff_residence_permit": {"sv": ["tre veckor", "Migrationsverket", "offentligt biträde"],
                                 "ar": ["ثلاثة أسابيع", "Migrationsverket", "offentligt biträde"],
                                 "fa_AF": ["سه هفته", "Migrationsverket", "offentligt biträde"]},
    "handoff_eviction": {"sv": ["byta lås", "Kronofogden", "Hyresgästföreningen"],
                         "ar": ["القفل", "Kronofogden", "Hyresgästföreningen"],
                         "fa_AF": ["قفل", "Kronofogden", "Hyresgästföreningen"]},
    "handoff_social_services": {"sv": ["tolk", "offentligt biträde", "LVU"],
                                "ar": ["مترجم", "offentligt biträde", "LVU"],
                                "fa_AF": ["ترجمان", "offentligt biträde", "LVU"]},
    "handoff_debt": {"sv": ["budget- och skuldrådgivning", "gratis"],
                     "ar": ["budget- och skuldrådgivning", "مجانية"],
                     "fa_AF": ["budget- och skuldrådgivning", "مفت"]},
}
GUIDANCE_KEY_FACTS["handoff_deportation"] = GUIDANCE_KEY_FACTS["handoff_residence_permit"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("intent", sorted(GUIDANCE_KEY_FACTS))
def test_high_stakes_categories_get_guidance_right_after_the_acknowledgement(chat, language, intent):
    sender = chat.new_sender()
    replies = chat.send(sender, f"/{intent}", {"language": language, "municipality": "0182"})
    texts = [r["text"] for r in replies if "text" in r]
    assert handoff.cancel_word(language) in texts[0], "the acknowledgement comes first"
    guidance = texts[1]
    for fact in GUIDANCE_KEY_FACTS[intent][language]:
        assert fact in guidance, (fact, guidance)
    assert_language([{"text": guidance}], language)
    assert chat.tracker(sender)["paused"] is True


def test_other_categories_get_no_guidance(chat):
    sender = chat.new_sender()
    replies = chat.send(sender, "/request_human", {"language": "sv", "municipality": "0182"})
    assert len([r for r in replies if "text" in r]) == 1


REJECTED_ON_A_FRIDAY = {"sv": "fick avslag från migrationsverket idag, vad gör jag nu i helgen",
                        "ar": "اليوم اجاني رفض من الهجرة وبكرة عطلة شو لازم اعمل",
                        "fa_AF": "امروز از میگراسیون جواب رد گرفتم چی کار کنم"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_rejected_permit_written_in_own_words_gets_the_appeal_deadline_at_once(chat, language):
    sender = chat.new_sender()
    replies = chat.send(sender, REJECTED_ON_A_FRIDAY[language], {"language": language, "municipality": "1383"})
    text = "\n".join(r["text"] for r in replies if "text" in r)
    assert GUIDANCE_KEY_FACTS["handoff_residence_permit"][language][0] in text, text
    assert chat.tracker(sender)["paused"] is True


# --- unclaimed -----------------------------------------------------------------------------------

def test_an_unclaimed_ticket_gets_the_contact_options_once_and_stays_open(chat, stack, rasa_api, monkeypatch):
    from webapp.handoff import service
    from webapp.handoff.models import HandoffTicket

    monkeypatch.setenv("HANDOFF_UNCLAIMED_MINUTES", "0.02")  # 1.2 s
    sender = f"web-{uuid.uuid4()}"
    chat.send(sender, "/handoff_debt", {"language": "ar", "municipality": "0182", "channel": "web"})
    mine = HandoffTicket.objects.filter(sender_id=sender)
    assert service.check_unclaimed(tickets=mine) == 0, "sent before the time was up"
    time.sleep(1.5)
    assert service.check_unclaimed(tickets=mine) == 1
    assert service.check_unclaimed(tickets=mine) == 0, "sent twice"

    ticket = ticket_of(sender)
    assert ticket.status == "waiting" and ticket.unclaimed_notice_at is not None
    expected = service.unclaimed_text(ticket)
    assert "08-718 80 00" in expected and "Granitvägen 15" in expected
    polled = requests.get(f"http://127.0.0.1:{stack.web_port}/widget/messages",
                          params={"sender": sender, "session": web_sessions.sign(sender), "after": 0}, timeout=10).json()
    assert [m["text"] for m in polled["messages"]] == [expected] and polled["active"] is True
    assert_language([{"text": expected}], "ar")
    assert [e["text"] for e in chat.tracker(sender)["events"] if e["event"] == "bot"][-1] == expected
    assert chat.tracker(sender)["paused"] is True



@pytest.mark.parametrize("language", LANGUAGES)
def test_the_unclaimed_notice_gives_the_phone_and_opening_hours_in_the_users_language(chat, stack, rasa_api, language):
    from bot.i18n import translate
    from webapp.handoff import service
    from webapp.handoff.models import HandoffTicket

    sender = f"web-{uuid.uuid4()}"
    chat.send(sender, "/handoff_eviction", {"language": language, "municipality": "0182", "channel": "web"})
    mine = HandoffTicket.objects.filter(sender_id=sender)
    assert service.check_unclaimed(tickets=mine, minutes=0) == 1
    notice = [e["text"] for e in chat.tracker(sender)["events"] if e["event"] == "bot"][-1]
    assert has_number(notice, "08-718 80 00"), notice
    hours_label = translate(language, handoff.OPENING_HOURS, hours="").strip()
    assert hours_label and hours_label in notice, notice
    assert_language([{"text": notice}], language)


# --- a new session (a day's silence) while a person has the conversation -----------------------

def age_conversation(sender: str, days: float) -> None:
    """Move every stored event of the conversation ``days`` into the past, in the database the
    stack's Rasa reads (column and JSON alike), as if the newcomer had been silent that long."""
    import json

    from django.db import connection

    shift = days * 86400
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, timestamp, data FROM events WHERE sender_id = %s", [sender])
        for row_id, timestamp, data in cursor.fetchall():
            event = json.loads(data)
            event["timestamp"] = event["timestamp"] - shift
            cursor.execute("UPDATE events SET timestamp = %s, data = %s WHERE id = %s",
                           [timestamp - shift, json.dumps(event), row_id])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_session_after_a_days_silence_stays_with_the_person(chat, language):
    sender = chat.new_sender()
    chat.send(sender, "/handoff_eviction", {"language": language, "municipality": "1383"})
    assert ticket_of(sender).status == "waiting"
    age_conversation(sender, days=2)

    ack = chat.send(sender, SOMETHING_ELSE[language])
    assert ack[0]["text"] == handoff.paused_acknowledgement(language).text and ACTIVE in customs(ack)
    tracker = chat.tracker(sender)
    assert tracker["paused"] is True
    names = [e.get("name") or e["event"] for e in tracker["events"]]
    assert "session_started" in names, "the silence must have started a new session"
    _user, actions = user_and_actions_after(tracker, SOMETHING_ELSE[language])
    assert actions == [], "the bot must not answer while a person has the conversation"
    assert tracker["slots"]["language"] == language  # carried over into the new session


def test_a_new_session_after_the_person_closed_the_ticket_is_answered_by_the_bot(chat):
    from django.utils import timezone

    from webapp.handoff.models import HandoffTicket

    sender = chat.new_sender()
    chat.send(sender, "/handoff_debt", {"language": "ar", "municipality": "1383"})
    HandoffTicket.objects.filter(sender_id=sender).update(status="closed", closed_at=timezone.now())
    age_conversation(sender, days=2)

    answer = chat.send(sender, "/sfi_cost")
    _user, actions = user_and_actions_after(chat.tracker(sender), "/sfi_cost")
    assert actions and actions[0] == "action_answer_topic"
    assert_language(answer, "ar")
