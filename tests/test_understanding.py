"""What newcomers really write, through the running stack (issue 15): a language named inside
a question, a thank-you with a question, a deportation decision in Dari, and the clarifying
question with the likeliest specific questions. Real NLU model, action server and REST channel."""

import pytest
import requests

from bot.answers import CLARIFY, LANGUAGE_SET
from bot.i18n import translate
from bot.settings import rasa_token
from tests.helpers import assert_language, text_of

NACKA = "0182"


def parse(stack, text: str) -> dict:
    response = requests.post(f"http://127.0.0.1:{stack.rasa_port}/model/parse", params={"token": rasa_token()},
                             json={"text": text}, timeout=10)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("text, language", [
    ("vill plugga svenska", "sv"),
    ("حابب اتعلم سويدي", "ar"),
    ("میخواهم سویدنی یاد بگیرم", "fa_AF"),
])
def test_a_language_named_in_a_question_gets_the_sfi_answer_in_the_users_language(chat, stack, text, language):
    assert parse(stack, text)["intent"]["name"].startswith("sfi_")
    sender = chat.new_sender()
    replies = chat.send(sender, text, metadata={"language": language, "municipality": NACKA})
    assert_language(replies, language)
    said = text_of(replies)
    assert translate(language, LANGUAGE_SET) not in said and translate(language, CLARIFY) not in said
    assert "sfi" in said.lower()
    tracker = chat.tracker(sender)
    assert tracker["slots"]["language"] == language
    assert tracker["latest_message"]["intent"]["name"].startswith("sfi_")


@pytest.mark.parametrize("text", ["svenska", "بالعربي", "به دری"])
def test_a_bare_language_name_still_switches(chat, stack, text):
    assert parse(stack, text)["intent"]["name"] == "switch_language"


@pytest.mark.parametrize("text, language, thanks, answer_words", [
    ("شكرا كتير بس كم بتكلف السفي؟", "ar", "You are welcome!", "مجانية"),
    ("Tack! Vad kostar sfi?", "sv", "You are welcome!", "gratis"),
    ("سلام، اولادم مکتب میخواهند", "fa_AF", "Hello!", "مکتب"),
])
def test_thanks_or_greeting_with_a_question_answers_the_question(chat, text, language, thanks, answer_words):
    sender = chat.new_sender()
    replies = chat.send(sender, text, metadata={"language": language, "municipality": NACKA})
    assert replies[0]["text"] == translate(language, thanks)
    said = text_of(replies[1:])
    assert answer_words in said and len(said) > 80  # the topic's answer, not just a courtesy
    assert_language(replies, language)
    assert not chat.tracker(sender)["latest_message"]["intent"]["name"] in ("thank", "greet")


@pytest.mark.parametrize("text", [
    "برایم فیصله اخراج آمده و گفتن باید از سویدن برم",
    "مهاجرت جواب رد داده و پولیس میگه باید کشور ره ترک کنیم",
])
def test_a_deportation_decision_in_dari_goes_to_a_person(chat, text):
    sender = chat.new_sender()
    replies = chat.send(sender, text, metadata={"language": "fa_AF"})
    assert chat.tracker(sender)["paused"] is True
    assert_language(replies, "fa_AF")


def test_unsure_asks_with_the_likeliest_specific_questions_not_the_three_areas(chat, stack):
    text = "jag undrar om en sak"
    decision = parse(stack, text)["decision"]
    assert decision["kind"] == "clarify" and decision["alternatives"], decision
    replies = chat.send(chat.new_sender(), text, metadata={"language": "sv"})
    payloads = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert payloads == [f"/{intent}" for intent in decision["alternatives"]] + ["/request_human"]
    assert "/housing_find" not in payloads or "housing_find" in decision["alternatives"]


def test_the_decision_is_in_the_parse_data_with_calibrated_topic_confidence(stack):
    parsed = parse(stack, "hur lång tid tar sfi")
    decision = parsed["decision"]
    assert decision["topic"] == "sfi" and decision["kind"] in ("answer", "topic")
    sfi_share = sum(r["confidence"] for r in parsed["intent_ranking"] if r["name"].startswith("sfi_"))
    assert decision["topic_confidence"] >= sfi_share - 1e-6


def test_a_municipality_that_is_also_a_word_is_asked_about_then_taken(chat):
    sender = chat.new_sender()
    asked = chat.send(sender, "كيف بسجل بالسفي", metadata={"language": "ar"})
    assert chat.tracker(sender)["slots"]["pending_topic"] == "sfi_enrol", text_of(asked)
    question = chat.send(sender, "بوستاد")  # Båstad, or "bostad" (housing) typed in Arabic letters
    payloads = [b["payload"] for r in question for b in r.get("buttons", [])]
    assert payloads == ['/inform_municipality{"municipality":"1278"}', "/inform_municipality"], question
    assert_language(question, "ar")
    answer = chat.send(sender, payloads[0])
    tracker = chat.tracker(sender)
    assert tracker["slots"]["municipality"] == "1278" and tracker["slots"]["topic"] == "sfi_enrol"
    assert "Båstad" in text_of(answer)
    assert_language(answer, "ar")
