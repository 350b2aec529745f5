"""The comparison of staff facts with register data (webapp.facts.disagreements) and the name
matching behind it (bot.facts.names): pure functions on cache entries, no database needed,
plus the school-unit fetch that keeps inactive units and addresses for the comparison."""

import datetime as dt

import pytest

from bot.content import Fact
from bot.facts.cache import CacheEntry, cache_key
from bot.facts.http import RegisterClient
from bot.facts.names import same_name, similar_name, words
from bot.facts.providers import SchoolUnitsProvider
from webapp.facts.disagreements import (NAME_DIFFERS, SCHOOL_NOT_ACTIVE, SFI_MISSING_IN_STAFF, SFI_NOT_IN_REGISTER,
                                        SFI_ONLY_PAST, SFI_REGISTER_EMPTY, compare_schools, compare_sfi,
                                        review_municipality, web_link)
from tests.fake_skolverket import FakeSkolverket

TODAY = dt.date(2026, 11, 25)
UTC = dt.timezone.utc


def fact(name, kind="sfi_provider", key="komvux", source_url="https://www.nacka.se", municipality="0182"):
    return Fact(municipality=municipality, kind=kind, key=key, name=name, url="", phone="", notes={},
                source_name="nacka.se", source_url=source_url, verified_on=None, is_example=False,
                recorded_on=TODAY)


def entry(payload, fresh=True):
    fetched = dt.datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    expires = dt.datetime.now(UTC) + dt.timedelta(hours=1 if fresh else -1)
    return CacheEntry(payload, fetched, expires)


def sfi(*events, as_of="2026-11-24"):
    return entry({"as_of": as_of, "events": [
        {"id": f"e{i}", "title": "Svenska för invandrare", "provider": provider, "start": start,
         "distance": False, "evening": False} for i, (provider, start) in enumerate(events)]})


def issues(rows):
    return sorted((row.issue, row.staff_name, row.register_name) for row in rows)


# -- names --------------------------------------------------------------------------------------
@pytest.mark.parametrize("a, b", [
    ("Hermods AB", "Hermods"),
    ("Vuxenutbildningen i Nacka, SFI", "vuxenutbildningen  NACKA"),
    ("Nacka kommun", "Nacka"),
    ("Lernia Utbildning AB", "LERNIA utbildning"),
])
def test_names_equal_up_to_case_punctuation_and_generic_words(a, b):
    assert same_name(a, b)
    assert not similar_name(a, b)  # the same name is never reported as "differs slightly"


@pytest.mark.parametrize("a, b", [
    ("Vuxenutbildningen (Komvux) i Nacka, SFI", "Vuxenutbildningen Nacka"),  # a word more
    ("Mösseberg skola", "Mosseberg skola"),  # å/ä/ö typed as a/o: close, but not the same
    ("Mösseberg skola", "Mössebergs skolan"),  # a typo-sized difference
    ("Lernia", "Lernia Utbildning"),  # a distinctive word on its own
])
def test_names_that_differ_only_slightly_are_similar(a, b):
    assert not same_name(a, b)
    assert similar_name(a, b, place_words=("Nacka",))


@pytest.mark.parametrize("a, b", [
    ("Komvux Nacka", "Nacka kommun"),  # only the municipality's own name in common
    ("Hermods", "Lernia"),
    ("Sjöboskolan", "Bodaskolan"),
    ("Skolplacering och mottagning av nyanlända elever, Nacka kommun", "Nacka skola"),
    ("", "Hermods"),
])
def test_unrelated_names_are_neither_same_nor_similar(a, b):
    assert not same_name(a, b)
    assert not similar_name(a, b, place_words=("Nacka", "Nackas"))


def test_words_drop_punctuation_and_generic_words():
    assert words("Vuxenutbildningen (Komvux) i Nacka, SFI") == ("vuxenutbildningen", "komvux", "nacka")
    assert words("Folkuniversitetet & Co") == ("folkuniversitetet", "och", "co")


# -- SFI ----------------------------------------------------------------------------------------
def test_sfi_staff_provider_missing_from_register_and_register_provider_missing_from_staff():
    rows = compare_sfi([fact("Folkuniversitetet")],
                       sfi(("Hermods AB", "2026-12-01"), ("Lernia", "2027-01-10"), ("Hermods AB", "2027-02-01")),
                       TODAY, ("Nacka",))
    assert issues(rows) == [(SFI_MISSING_IN_STAFF, "", "Hermods AB"), (SFI_MISSING_IN_STAFF, "", "Lernia"),
                            (SFI_NOT_IN_REGISTER, "Folkuniversitetet", "")]
    missing = next(r for r in rows if r.issue == SFI_NOT_IN_REGISTER)
    assert missing.register_detail == "Registrets anordnare: Hermods AB, Lernia"
    assert (missing.fact_kind, missing.fact_key) == ("sfi_provider", "komvux")
    hermods = next(r for r in rows if r.register_name == "Hermods AB")
    assert hermods.register_detail == "2 SFI-tillfällen, nästa start 2026-12-01"
    assert hermods.fact_key == ""  # nothing to edit: the link is "add a fact"
    assert hermods.register.as_of == dt.date(2026, 11, 24)
    assert hermods.register.source == "Skolverket, Planerade utbildningar"


def test_sfi_providers_that_agree_give_no_rows():
    rows = compare_sfi([fact("Hermods"), fact("Lernia Utbildning", key="lernia")],
                       sfi(("Hermods AB", "2026-12-01"), ("LERNIA UTBILDNING AB", None)), TODAY)
    assert rows == []


def test_sfi_name_that_differs_slightly_is_one_row_not_two():
    rows = compare_sfi([fact("Vuxenutbildningen (Komvux) i Nacka, SFI")],
                       sfi(("Vuxenutbildningen Nacka", "2026-12-01")), TODAY, ("Nacka",))
    assert issues(rows) == [(NAME_DIFFERS, "Vuxenutbildningen (Komvux) i Nacka, SFI", "Vuxenutbildningen Nacka")]


def test_sfi_provider_with_only_past_offerings_is_flagged_and_not_suggested():
    rows = compare_sfi([fact("Hermods")], sfi(("Hermods", "2024-08-15"), ("Old school", "2023-01-10")), TODAY)
    assert issues(rows) == [(SFI_ONLY_PAST, "Hermods", "Hermods")]
    assert rows[0].register_detail == "1 SFI-tillfälle, senaste start 2024-08-15"


def test_offering_that_started_within_the_year_still_counts_as_running():
    assert compare_sfi([fact("Hermods")], sfi(("Hermods", "2026-01-10")), TODAY) == []


def test_register_without_sfi_offerings_while_staff_list_a_provider():
    rows = compare_sfi([fact("Hermods")], sfi(), TODAY)
    assert issues(rows) == [(SFI_REGISTER_EMPTY, "Hermods", "")]


def test_no_staff_sfi_facts_means_no_disagreement_the_register_fills_in():
    assert compare_sfi([], sfi(("Hermods", "2026-12-01")), TODAY) == []


def test_nothing_cached_means_nothing_compared():
    assert compare_sfi([fact("Hermods")], None, TODAY) == []
    assert compare_schools([fact("Mösseberg skola", kind="school_placement")], None) == []


# -- schools ------------------------------------------------------------------------------------
def schools(active=(), inactive=()):
    return entry({"as_of": "2026-11-20", "units": [
        {"code": f"1{i}", "name": name, "url": url, "school_types": ["GR"]} for i, (name, url) in enumerate(active)],
        "inactive_units": [{"code": f"9{i}", "name": name, "status": status} for i, (name, status) in enumerate(inactive)]})


def test_school_that_the_register_says_is_closed_or_dormant():
    rows = compare_schools([fact("Gamla skolan", kind="school_placement", key="gamla"),
                            fact("Vilobyns skola", kind="school_placement", key="vilo")],
                           schools(inactive=[("Gamla skolan", "UPPHORT"), ("Vilobyns skola", "VILANDE")]))
    assert issues(rows) == [(SCHOOL_NOT_ACTIVE, "Gamla skolan", "Gamla skolan"),
                            (SCHOOL_NOT_ACTIVE, "Vilobyns skola", "Vilobyns skola")]
    assert [r.register_detail for r in rows] == ["Skolenhet 90, upphörd", "Skolenhet 91, vilande"]
    assert rows[0].register.as_of == dt.date(2026, 11, 20)
    assert rows[0].register_url == "https://utbildningsguiden.skolverket.se"  # no unit URL: the register's guide


def test_school_names_that_differ_slightly_and_placement_offices_that_are_no_school():
    rows = compare_schools([fact("Mossebergs skolan", kind="school_placement", key="m"),
                            fact("Skolplacering och mottagning av nyanlända elever, Falköping kommun",
                                 kind="school_placement", key="skolplacering"),
                            fact("Bodaskolan", kind="school_placement", key="boda")],
                           schools(active=[("Mösseberg skola", "https://www.falkoping.se/mosseberg"),
                                           ("Bodaskolan", "")]), ("Falköping", "Falköpings"))
    assert issues(rows) == [(NAME_DIFFERS, "Mossebergs skolan", "Mösseberg skola")]
    assert rows[0].register_url == "https://www.falkoping.se/mosseberg"
    assert rows[0].register_detail == "Skolenhet 10, aktiv"


def test_links_are_only_ever_http():
    assert web_link("https://www.nacka.se/sfi") == "https://www.nacka.se/sfi"
    assert web_link("javascript:alert(1)") == ""
    assert web_link("JAVASCRIPT:alert(1)") == ""
    assert web_link("data:text/html,<script>") == ""
    assert web_link(None) == ""
    rows = compare_schools([fact("Gamla skolan", kind="school_placement", source_url="javascript:alert(1)")],
                           entry({"as_of": "2026-11-20", "units": [], "inactive_units": [
                               {"code": "1", "name": "Gamla skolan", "status": "UPPHORT", "url": "javascript:x"}]}))
    assert [r.issue for r in rows] == [SCHOOL_NOT_ACTIVE]
    assert rows[0].staff_source_url == ""
    assert rows[0].register_url == "https://utbildningsguiden.skolverket.se"


# -- one municipality ---------------------------------------------------------------------------
class DictCache:
    def __init__(self, entries):
        self.entries = entries
        self.asked = []

    def get(self, key):
        self.asked.append(key)
        return self.entries.get(key)


def test_review_of_a_municipality_reads_only_the_sources_its_facts_need():
    cache = DictCache({cache_key("sfi_offerings", "0182"): sfi(("Hermods", "2026-12-01"))})
    review = review_municipality("0182", "Nacka", [fact("Folkuniversitetet"),
                                                   fact("Bostadsförmedlingen", kind="housing_queue", key="q"),
                                                   fact("Gamla skolan", kind="school_placement", key="g")],
                                 cache, today=TODAY)
    assert review.staff_fact_count == 2  # housing facts have no register to compare with
    assert review.missing_copies == ["Skolverket, Skolenhetsregistret"]
    assert issues(review.rows) == [(SFI_MISSING_IN_STAFF, "", "Hermods"), (SFI_NOT_IN_REGISTER, "Folkuniversitetet", "")]
    assert sorted(cache.asked) == ["school_units:0182", "sfi_offerings:0182"]


def test_an_unreadable_cache_is_reported_as_missing_not_as_an_error():
    class Broken:
        def get(self, key):
            raise ConnectionError("redis down")

    review = review_municipality("0182", "Nacka", [fact("Hermods")], Broken(), today=TODAY)
    assert review.rows == [] and review.missing_copies == ["Skolverket, Planerade utbildningar"]


# -- the fetch keeps what the comparison needs -------------------------------------------------
def test_school_unit_fetch_keeps_inactive_units_and_visiting_addresses(monkeypatch):
    server = FakeSkolverket().start()
    try:
        monkeypatch.setenv("SKOLVERKET_SCHOOL_UNITS_URL", server.url)
        monkeypatch.setenv("FACTS_OFFLINE", "0")
        payload = SchoolUnitsProvider(RegisterClient()).fetch("1490")
    finally:
        server.stop()
    assert payload["inactive_units"] == [{"code": "11110008", "name": "Gamla skolan", "status": "UPPHORT"}]
    assert "Gamla skolan" not in [u["name"] for u in payload["units"]]  # never shown to users
    assert server.hits("/v2/school-units/11110008") == 0  # no detail call for an inactive unit
    sjobo = next(u for u in payload["units"] if u["name"] == "Sjöboskolan")
    assert (sjobo["postal_code"], sjobo["locality"], sjobo["coordinates"]) == ("50630", "Borås", [57.72, 12.94])


# -- the reply: staff facts win over a register entry of the same (normalised) name -------------
def test_reply_does_not_repeat_a_register_entry_that_staff_list_under_a_slightly_other_spelling(database):
    from bot.answers import Composer
    from bot.content import read_published, topics
    from bot.facts.providers import FactSet, Item
    from bot.municipalities import directory

    staff_name = "Skolplacering och mottagning av nyanlända elever, Falköping kommun"  # shipped fact
    register = FactSet("Skolverket, Skolenhetsregistret", (
        Item("SKOLPLACERING OCH MOTTAGNING AV NYANLÄNDA ELEVER FALKÖPING"), Item("Mösseberg skola")),
        dt.date(2026, 11, 20), total=2, kind="GR")
    reply, = Composer("sv", read_published(), {"school_enrol": register}).topic_answer(
        topics()["school_enrol"], directory().get("1499"))
    assert reply.text.count(staff_name) == 1
    assert "SKOLPLACERING OCH MOTTAGNING" not in reply.text
    assert "Mösseberg skola" in reply.text
