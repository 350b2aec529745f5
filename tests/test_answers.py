"""Replies composed from content and facts (bot.answers), without Rasa or a database."""

import datetime as dt

import pytest

from bot.answers import Composer, TOPIC_TITLES
from bot.content import Answer, Fact, Snapshot, topics
from bot.i18n import FSI, PDI
from bot.municipalities import directory
from tests.helpers import assert_language

TODAY = dt.date(2026, 3, 12)


def snapshot(**facts_kwargs) -> Snapshot:
    snap = Snapshot(revision=1)
    for language, text in (("sv", "SFI är gratis."), ("ar", "دروس SFI مجانية."), ("fa_AF", "کورس SFI رایگان است.")):
        snap.answers[("sfi_enrol", None, language)] = Answer(text, None, TODAY)
    snap.answers[("sfi_enrol", "0182", "sv")] = Answer("Nacka: anmäl dig via e-tjänsten.", "0182", TODAY)
    fact = dict(municipality="0182", kind="sfi_provider", key="komvux", name="Komvux Nacka",
                url="https://www.nacka.se", phone="08-123 45", notes={}, source_name="nacka.se",
                source_url="https://www.nacka.se", verified_on=dt.date(2026, 1, 20), is_example=False,
                recorded_on=TODAY)
    fact.update(facts_kwargs)
    snap.facts["0182"] = [Fact(**fact)]
    return snap


def test_local_text_overrides_the_national_one_and_facts_carry_source_and_date():
    reply, = Composer("sv", snapshot()).topic_answer(topics()["sfi_enrol"], directory().get("0182"))
    assert reply.text.startswith("Nacka: anmäl dig via e-tjänsten.")
    assert "Komvux Nacka" in reply.text and "https://www.nacka.se" in reply.text and "08-123 45" in reply.text
    assert "nacka.se" in reply.text and "20 januari 2026" in reply.text
    assert "Exempeldata" not in reply.text
    assert {b["payload"] for b in reply.buttons} == {f"/{key}" for key in topics()["sfi_enrol"].related}


def test_example_data_is_marked_visibly_in_each_language():
    snap = snapshot(is_example=True, verified_on=None)
    nacka = directory().get("0182")
    sv, = Composer("sv", snap).topic_answer(topics()["sfi_enrol"], nacka)
    ar, = Composer("ar", snap).topic_answer(topics()["sfi_enrol"], nacka)
    fa, = Composer("fa_AF", snap).topic_answer(topics()["sfi_enrol"], nacka)
    for reply in (sv, ar, fa):
        assert "⚠" in reply.text
    assert "دروس SFI مجانية." in ar.text and "کورس SFI رایگان است." in fa.text
    assert_language([{"text": ar.text, "buttons": ar.buttons}], "ar")
    assert_language([{"text": fa.text, "buttons": fa.buttons}], "fa_AF")


def test_dari_dates_use_afghan_month_names():
    reply, = Composer("fa_AF", snapshot()).topic_answer(topics()["sfi_enrol"], directory().get("0182"))
    assert "جنوری" in reply.text  # 20 January 2026, the fact's check date
    assert "ژانویه" not in reply.text


def test_latin_runs_are_isolated_in_right_to_left_replies_only():
    nacka = directory().get("0182")
    ar, = Composer("ar", snapshot()).topic_answer(topics()["sfi_enrol"], nacka)
    sv, = Composer("sv", snapshot()).topic_answer(topics()["sfi_enrol"], nacka)
    assert f"{FSI}https://www.nacka.se{PDI}" in ar.text
    assert FSI not in sv.text


def test_municipality_without_facts_says_so_and_links_its_site():
    reply, = Composer("sv", snapshot()).topic_answer(topics()["sfi_enrol"], directory().get("1280"))
    assert "inga lokala uppgifter" in reply.text.lower() and "https://malmo.se" in reply.text


def test_missing_answer_text_is_said_honestly():
    reply, = Composer("sv", Snapshot()).topic_answer(topics()["housing_rent"], None)
    assert "inget svar" in reply.text.lower() or "ingen svarstext" in reply.text.lower()
    assert any(b["payload"] == "/request_human" for b in reply.buttons)


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_every_topic_has_a_title_and_every_fixed_reply_is_in_the_language(language):
    composer = Composer(language, Snapshot())
    assert set(TOPIC_TITLES) == set(topics())
    replies = [composer.ask_municipality(), composer.ask_topic(), composer.clarify(False, False),
               composer.clarify(True, False), composer.clarify(False, True), composer.unreadable("empty"),
               composer.unreadable("too_long"), composer.unreadable("no_words"), composer.language_set(),
               composer.human_contact(None), composer.municipality_unknown(), composer.municipality_unknown("99999")]
    replies += [composer.small_talk(intent) for intent in ("greet", "goodbye", "thank", "help")]
    replies.append(Composer(language, Snapshot()).topic_answer(topics()["sfi_cost"], None)[0])
    assert_language([{"text": r.text, "buttons": r.buttons} for r in replies], language)
