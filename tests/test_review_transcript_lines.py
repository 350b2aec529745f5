"""Transcripts show what the user did: button presses as the label the user saw with their
Swedish meaning, each line with its own language and direction, right-to-left quotes isolated in
Swedish text, wrong-answer feedback only when it is, and Swedish labels instead of intent keys.

Conversations are written into Rasa's events table as Rasa writes them
(``webapp.transcripts.rasa_events.FakeConversation``) and indexed by the same ``sync`` the
pages call."""

import re
import uuid

import pytest
from django.template import Context, Template
from django.urls import reverse

from webapp.transcripts.models import Conversation, Feedback, Message
from webapp.transcripts.rasa_events import FakeConversation
from webapp.transcripts.sync import sync

DARI_SWITCH = '/switch_language{"language":"fa_AF"}'
DARI_QUESTION = "چطور اولاد خود را در مکتب ثبت نام کنم؟"


@pytest.fixture
def admin_client(make_staff):
    return make_staff(superuser=True)[1]


def _line_of(page: str, text: str) -> str:
    """The opening tag of the element that holds ``text``."""
    index = page.index(text)
    return page[page.rindex("<", 0, index):index]


def test_button_presses_show_the_label_and_lines_their_own_direction(admin_client):
    conversation = FakeConversation(language="sv", municipality="0182", channel="web")
    conversation.user("/greet", intent="greet", confidence=1.0)
    conversation.bot("Hej! Vilket språk vill du skriva på?", action="utter_greet", buttons=[
        {"title": "Svenska", "payload": '/switch_language{"language":"sv"}'},
        {"title": "العربية", "payload": '/switch_language{"language":"ar"}'},
        {"title": "دری", "payload": DARI_SWITCH}])
    conversation.user(DARI_SWITCH, intent="switch_language", confidence=1.0)
    # The language slot still says Swedish when the Dari question comes in (set after the turn).
    conversation.user(DARI_QUESTION, intent="school_enrol", confidence=0.91)
    conversation.bot("اولاد خود را در مکتب ثبت نام کنید.", topic="school_enrol")
    sync()
    pressed = Message.objects.get(conversation_id=conversation.sender_id, text=DARI_SWITCH)
    assert pressed.button_label == "دری"

    page = admin_client.get(reverse("review-conversation", args=[conversation.sender_id])).content.decode()
    # The payloads never appear as if the user had typed them.
    assert "switch_language{" not in page and "/greet" not in page
    assert "Valde" in page and "Bytte språk till dari" in page
    assert _line_of(page, "دری</bdi>").endswith('dir="rtl" lang="fa-AF">')
    # "/greet" sent by the widget when it opened: no button, so it says so.
    assert "Öppnade chatten" in page and "Hälsning" in page
    # The Dari line is Dari, right to left, although the conversation's slot said Swedish.
    assert _line_of(page, DARI_QUESTION) == '<p class="text" dir="rtl" lang="fa-AF">'
    # Swedish labels instead of intent keys.
    assert "Skola: " in page and ">school_enrol<" not in page

    listing = admin_client.get(reverse("review-list"), {"q": "", "language": ""}).content.decode()
    # The list's "first question" is the first typed question, laid out right to left.
    row = listing[listing.index(conversation.sender_id):]
    assert DARI_QUESTION in row[:4000] and "greet/" not in row[:4000]


def test_wrong_answer_feedback_only_when_it_is(database):
    # Low confidence: not counted.
    unsure = FakeConversation(language="sv")
    unsure.user("när svarar ni?", intent="feedback_wrong", confidence=0.55)
    # High confidence but while a person handles the conversation: impatience, not feedback,
    # also when the pause came in an earlier sync than the message.
    waiting = FakeConversation(language="ar")
    waiting.user("أريد التحدث مع شخص", intent="request_human", confidence=0.95).pause()
    sync()
    waiting.user("متى ستجيبون؟ هذا خطأ", intent="feedback_wrong", confidence=0.92)
    # After the person handed back, a clear complaint about the bot's answer counts.
    complaint = FakeConversation(language="sv")
    complaint.user("hej", intent="greet", confidence=0.99).pause().resume()
    complaint.bot("Sfi är gratis.", topic="sfi_cost")
    complaint.user("det där svaret var fel", intent="feedback_wrong", confidence=0.93)
    sync()
    feedback = dict(Conversation.objects.filter(
        sender_id__in=[unsure.sender_id, waiting.sender_id, complaint.sender_id]).values_list("sender_id", "feedback"))
    assert feedback[unsure.sender_id] == ""
    assert feedback[waiting.sender_id] == ""
    assert feedback[complaint.sender_id] == Feedback.NEGATIVE


def test_topic_filter_and_dashboard_use_swedish_labels(admin_client):
    page = admin_client.get(reverse("review-list")).content.decode()
    assert re.search(r'<option value="sfi_enrol">Sfi: [^<]+</option>', page)
    assert '<option value="sfi_enrol">sfi_enrol</option>' not in page
    conversation = FakeConversation(language="sv")
    conversation.user(f"hur anmäler jag mig till sfi {uuid.uuid4().hex[:6]}", intent="sfi_enrol", confidence=0.9)
    conversation.bot("Så här.", topic="sfi_enrol")
    sync()
    dashboard = admin_client.get(reverse("review-dashboard")).content.decode()
    assert "Sfi: Anmäl dig till SFI" in dashboard


def test_right_to_left_quotes_in_swedish_text_are_isolated():
    rendered = Template("{% load review %}{{ text|isolate_rtl }}").render(Context({
        "text": "Användaren skrev: ”درخواست اقامت من رد شد.” Hen vill ha hjälp <script>."}))
    # The run of Arabic-script words is isolated; the Swedish punctuation around it stays outside.
    assert '”<bdi dir="rtl">درخواست اقامت من رد شد</bdi>.”' in rendered
    assert "&lt;script&gt;" in rendered and "<script>" not in rendered
    assert rendered.startswith("Användaren skrev: ”")
