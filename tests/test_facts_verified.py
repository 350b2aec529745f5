"""Local facts that are real (issue 13): the shipped facts' verification rules, their way into
the database, how a verified fact is shown (its page and date, in three languages), and that a
preschool question never gets a school contact, asked through the running bot."""

import datetime as dt
import re

import pytest
import yaml

from bot.answers import FACT_CHECKED, FACT_EXAMPLE, Composer
from bot.content import Answer, Fact, Snapshot, topics
from bot.i18n import format_date, translate
from bot.municipalities import directory
from bot.settings import ROOT
from tests.helpers import assert_language, text_of

FACTS = yaml.safe_load((ROOT / "data" / "content" / "facts.yml").read_text(encoding="utf-8"))["facts"]
# The twenty municipalities that receive the most newcomers (issue 13), by SCB code.
MOST_NEWCOMERS = ["0180", "1480", "1280", "0380", "1880", "0580", "1980", "0581", "1283", "0680",
                  "0181", "0127", "1490", "0484", "2480", "1281", "0780", "2180", "1380", "1780"]
CHECK_DATE = dt.date(2026, 12, 4)
NACKA = "0182"
NACKA_PRESCHOOL = "Förskoleplats: ansökan och val av förskola i e-tjänsten Nacka24, Nacka kommun"
NACKA_SCHOOL = "Skolval och skolplacering (e-tjänsten Mitt Skolval), Nacka kommun"
VARBERG = "1383"
VARBERG_SFI_PAGE = "https://vuxenutbildningen.varberg.se/verksamhet/aktuellt/471-tillfaelligt-saenkt-proevningsavgift-tas-bort-1-januari-2023"


def all_facts():
    for code, entries in FACTS.items():
        for entry in entries:
            yield str(code), entry


def test_the_twenty_municipalities_with_most_newcomers_have_sfi_housing_queue_and_school_facts():
    for code in MOST_NEWCOMERS:
        assert directory().get(code) is not None, code  # the code is a real SCB code
        kinds = {entry["kind"] for entry in FACTS[code]}
        assert {"sfi_provider", "housing_queue", "school_placement"} <= kinds, code


def test_every_fact_is_either_sourced_and_dated_or_visibly_example_data():
    verified = 0
    for code, entry in all_facts():
        assert entry.get("check_note"), (code, entry["kind"])  # what was checked, in the data
        if entry["is_example"]:
            continue
        verified += 1
        # A verified fact names the very page it matched, not just the site's home page.
        assert re.match(r"https?://[^/]+/.+", entry["source_url"]), (code, entry)
        assert dt.date.fromisoformat(str(entry["checked_on"])) == CHECK_DATE, (code, entry)
    assert verified >= 15


def test_preschool_and_upper_secondary_questions_have_their_own_fact_kinds():
    assert topics()["school_preschool"].facts == ("school_preschool_placement",)
    assert topics()["school_upper_secondary"].facts == ("school_upper_secondary_placement",)


def test_load_content_turns_checked_on_into_the_verified_date(database):
    from webapp.content.models import FactVersion, Status

    fact = FactVersion.objects.filter(municipality_id=VARBERG, kind="sfi_provider", status=Status.PUBLISHED).first()
    assert fact.is_example is False and fact.verified_on == CHECK_DATE
    assert fact.source_url == VARBERG_SFI_PAGE
    example = FactVersion.objects.filter(municipality_id=NACKA, kind="sfi_provider", status=Status.PUBLISHED).first()
    assert example.is_example is True and example.verified_on is None
    assert FactVersion.objects.filter(municipality_id=NACKA, kind="school_preschool_placement", status=Status.PUBLISHED).exists()


def _snapshot(**fact_fields):
    fields = dict(municipality=NACKA, kind="sfi_provider", key="komvux", name="Komvux Nacka",
                  url="https://www.nacka.se", phone="", notes={}, source_name="nacka.se",
                  source_url="https://www.nacka.se/utbildning/sfi/", verified_on=CHECK_DATE, is_example=False,
                  recorded_on=dt.date(2026, 11, 23))
    fields.update(fact_fields)
    snapshot = Snapshot(revision=1)
    for language, text in (("sv", "SFI är gratis."), ("ar", "دروس SFI مجانية."), ("fa_AF", "کورس SFI مفت است.")):
        snapshot.answers[("sfi_enrol", None, language)] = Answer(text, None, CHECK_DATE)
    snapshot.facts[NACKA] = [Fact(**{k: v for k, v in fields.items() if k in Fact.__dataclass_fields__})]
    return snapshot


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_a_verified_fact_names_its_page_and_date_and_an_example_says_so(language):
    nacka = directory().get(NACKA)
    composer = Composer(language, _snapshot())
    reply, = composer.topic_answer(topics()["sfi_enrol"], nacka)
    expected = translate(language, FACT_CHECKED, source=composer._ltr("https://www.nacka.se/utbildning/sfi/"),
                         date=format_date(CHECK_DATE, language))
    assert expected in reply.text
    assert "⚠" not in reply.text

    reply, = Composer(language, _snapshot(is_example=True, verified_on=None)).topic_answer(topics()["sfi_enrol"], nacka)
    assert translate(language, FACT_EXAMPLE, date="")[:12] in reply.text
    assert "https://www.nacka.se/utbildning/sfi/" not in reply.text


# --- through the running bot ---------------------------------------------------------------

PRESCHOOL_QUESTIONS = {
    "sv": "hur söker jag förskola i Nacka",
    "ar": "بدي سجل بنتي بالروضة في ناكا",
    "fa_AF": "بچیم ۳ سالش اس کودکستان در ناکا چطو درخواست کنم",
}


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_a_preschool_question_in_nacka_shows_the_preschool_contact_not_the_school_one(stack, chat, language):
    sender = chat.new_sender()
    replies = chat.send(sender, PRESCHOOL_QUESTIONS[language], {"language": language, "municipality": NACKA})
    text = text_of(replies)
    assert chat.tracker(sender)["slots"]["topic"] == "school_preschool", text
    assert_language(replies, language)
    assert NACKA_PRESCHOOL in text, text
    assert NACKA_SCHOOL not in text and "Mitt Skolval" not in text, text
    # Verified against Nacka's page: the page and the check date, no example-data warning.
    assert "https://www.nacka.se/forskola-skola/valja-forskola-skola-ej-folkbokford-i-sverige/" in text
    assert format_date(CHECK_DATE, language) in text
    assert "⚠" not in text.split(NACKA_PRESCHOOL, 1)[1].split("•", 1)[0]


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_a_verified_fact_shows_its_page_and_check_date_through_the_bot(stack, chat, language):
    replies = chat.send(chat.new_sender(), "/sfi_enrol", {"language": language, "municipality": VARBERG})
    text = text_of(replies)
    assert_language(replies, language)
    assert "Vuxenutbildningen i Varberg, svenska för invandrare (sfi)" in text
    assert VARBERG_SFI_PAGE in text and "0340-69 70 78" in text
    assert format_date(CHECK_DATE, language) in text
    assert "⚠" not in text


MALMO, GOTEBORG = "1280", "1480"
MALMO_GRUNDSKOLA = "Mottagningsenheten, inskrivning i grundskolan för nyanlända, Malmö stad"


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_a_gymnasium_question_never_shows_the_grundskola_reception(stack, chat, language):
    malmo = text_of(chat.send(chat.new_sender(), "/school_upper_secondary", {"language": language, "municipality": MALMO}))
    assert MALMO_GRUNDSKOLA not in malmo and "Mottagningsenheten" not in malmo, malmo
    school = text_of(chat.send(chat.new_sender(), "/school_enrol", {"language": language, "municipality": MALMO}))
    assert MALMO_GRUNDSKOLA in school  # the same contact is right for grundskola

    goteborg = text_of(chat.send(chat.new_sender(), "/school_upper_secondary",
                                 {"language": language, "municipality": GOTEBORG}))
    assert "Språkslussen: anmälan till Språkintroduktionsprogrammet, Göteborgs Stad" in goteborg
    assert "Mottagningsenheten för nyanlända elever" not in goteborg
