"""The decision layer (bot.decision): calibration, topic confidence and the rules that choose
between answering, answering with the topic's other questions, asking and handing over."""

import numpy as np
import pytest

from bot.decision import FALLBACK_INTENT, courtesy_and_rest, decide, fit_temperature, softmax, topic_of
from bot.language import asks_about_learning_a_language, explicit_language_choice

THRESHOLDS = {"intent_threshold": 0.6, "topic_threshold": 0.6, "urgent_threshold": 0.2, "alternative_min": 0.05}


def ranking(**scores):
    rest = max(0.0, 1.0 - sum(scores.values()))
    items = [{"name": name, "confidence": value} for name, value in scores.items()]
    items.append({"name": "out_of_scope", "confidence": rest})
    return sorted(items, key=lambda r: -r["confidence"])


def test_topics_are_the_intent_prefixes_and_the_urgent_groups():
    assert topic_of("sfi_cost") == "sfi" and topic_of("housing_queue") == "housing"
    assert topic_of("handoff_deportation") == "handoff" and topic_of("crisis_suicide") == "crisis"
    assert topic_of("greet") == "greet" and topic_of(None) is None


def test_temperature_fitted_on_margins_makes_confidences_honest():
    # Labels drawn from a softmax of the margins at scale 3: the fit must find that scale, and
    # its confidences must then match how often the top class is right.
    rng = np.random.default_rng(3)
    margins = rng.normal(0, 1, (6000, 6))
    truth = softmax(margins, 3.0)
    labels = np.array([rng.choice(6, p=row) for row in truth])
    scale = fit_temperature(margins, labels)
    assert scale == pytest.approx(3.0, rel=0.1)
    top = softmax(margins, scale).max(axis=1)
    accuracy = (margins.argmax(axis=1) == labels).mean()
    assert abs(top.mean() - accuracy) < 0.02, (top.mean(), accuracy)
    # The old fixed scale (4.0) claims more certainty than the model has.
    assert softmax(margins, 4.0).max(axis=1).mean() > accuracy + 0.03


def test_clear_topic_with_an_unclear_question_answers_and_offers_the_others():
    decision = decide(ranking(sfi_enrol=0.3, sfi_what_is=0.25, sfi_levels=0.2, sfi_cost=0.05), "vill plugga", THRESHOLDS)
    assert decision.kind == "topic" and decision.intent == "sfi_enrol"
    assert decision.topic == "sfi" and decision.topic_confidence == pytest.approx(0.8)
    assert decision.alternatives == ["sfi_what_is", "sfi_levels"]


def test_no_clear_topic_asks_with_the_likeliest_specific_questions():
    decision = decide(ranking(sfi_enrol=0.25, housing_queue=0.2, school_enrol=0.15, greet=0.1), "hmm", THRESHOLDS)
    assert decision.kind == "clarify" and decision.intent == FALLBACK_INTENT
    assert decision.alternatives == ["sfi_enrol", "housing_queue", "school_enrol"]


def test_a_weak_sign_of_a_deportation_still_goes_to_a_person():
    # The dangerous miss: housing leads, but a deportation decision is plausible.
    decision = decide(ranking(housing_emergency=0.55, handoff_deportation=0.15, handoff_residence_permit=0.08),
                      "حکم اخراج آمده", THRESHOLDS)
    assert decision.kind == "urgent" and decision.intent == "handoff_deportation"


def test_crisis_wins_over_hand_off():
    decision = decide(ranking(handoff_eviction=0.5, crisis_violence=0.25), "x", THRESHOLDS)
    assert decision.intent == "crisis_violence"


@pytest.mark.parametrize("text", ["vill plugga svenska", "حابب اتعلم سويدي", "میخواهم سویدنی یاد بگیرم"])
def test_a_language_named_inside_a_question_is_no_switch(text):
    assert explicit_language_choice(text) is None and asks_about_learning_a_language(text)
    decision = decide(ranking(switch_language=0.55, sfi_enrol=0.3, sfi_what_is=0.1), text, THRESHOLDS)
    assert decision.intent == "sfi_enrol" and decision.kind == "answer"


@pytest.mark.parametrize("text", ["svenska", "بالعربي", "به دری", "svenska tack", "dari lotfan"])
def test_a_bare_language_name_still_switches(text):
    assert explicit_language_choice(text)
    assert decide(ranking(switch_language=0.7, sfi_enrol=0.2), text, THRESHOLDS).intent == "switch_language"


@pytest.mark.parametrize("text, kind", [
    ("شكرا كتير بس كم بتكلف السفي؟", "thank"), ("Tack! Vad kostar sfi?", "thank"),
    ("سلام، اولادم مکتب میخواهند", "greet"),
])
def test_courtesy_plus_a_question_answers_the_question(text, kind):
    decision = decide(ranking(thank=0.9, greet=0.05, sfi_cost=0.03, school_enrol=0.01), text, THRESHOLDS)
    assert decision.intent == "sfi_cost" and decision.courtesy == kind


@pytest.mark.parametrize("text", ["tack för hjälpen", "شكرا على المساعدة", "تشکر از کمک شما", "hej"])
def test_plain_courtesy_stays_courtesy(text):
    assert courtesy_and_rest(text)[1] == []
    assert decide(ranking(thank=0.9, sfi_cost=0.05), text, THRESHOLDS).intent == "thank"


def test_an_urgent_intent_inflated_by_setting_a_switch_aside_is_not_acted_on():
    # switch_language dropped (a language to learn), the small crisis share grows to the top.
    decision = decide(ranking(switch_language=0.85, crisis_violence=0.1, school_enrol=0.03),
                      "barnen ska plugga svenska", THRESHOLDS)
    assert decision.kind == "clarify" and decision.alternatives == ["school_enrol"]


@pytest.mark.parametrize("text", ["byt till svenska igen", "دری گپ بزن لطفا", "تكلم سويدي معي", "arabiska språket tack"])
def test_a_request_for_a_language_in_other_words_is_left_to_the_model(text):
    assert not asks_about_learning_a_language(text)
    assert decide(ranking(switch_language=0.7, sfi_enrol=0.2), text, THRESHOLDS).intent == "switch_language"


def test_gibberish_with_a_crisis_share_is_not_sent_to_a_person():
    # "xqzt blorp": no word the model knows; a crisis share under the intent threshold is noise.
    noise = ranking(crisis_health=0.12, crisis_violence=0.1, sfi_what_is=0.08, housing_find=0.07)
    assert decide(noise, "xqzt blorp", THRESHOLDS, known_words=0).kind != "urgent"
    assert decide(noise, "jag mår dåligt blorp", THRESHOLDS, known_words=3).kind == "urgent"
