"""The facts layer against a local stand-in for Skolverket's APIs (tests/fake_skolverket.py):
real HTTP, the real cache table, real replies. Nothing here leaves 127.0.0.1."""

import asyncio
import datetime as dt
import json
import shutil
import socket
import time
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from bot import i18n
from bot.answers import Composer
from bot.content import store, topics
from bot.facts.cache import DatabaseCache, cache_key
from bot.facts.http import USER_AGENT, RegisterClient, SourceUnavailable
from bot.facts.providers import PlannedEducationsProvider, SchoolUnitsProvider
from bot.facts.service import FactsService
from bot.municipalities import directory
from tests.fake_skolverket import EXTRACT_DATE, FakeSkolverket

STRINGS = Path("/tmp/strings_facts.json")
BORAS, FALKOPING, VANSBRO = "1490", "1499", "2021"


@pytest.fixture
def fake(monkeypatch):
    server = FakeSkolverket().start()
    monkeypatch.setenv("SKOLVERKET_SCHOOL_UNITS_URL", server.url)
    monkeypatch.setenv("SKOLVERKET_PLANNED_EDUCATIONS_URL", server.url)
    monkeypatch.setenv("FACTS_OFFLINE", "0")
    yield server
    server.stop()


@pytest.fixture
def cache(database):
    """The real cache table, emptied before and after (other tests share the database)."""
    from webapp.facts.models import CachedFacts

    CachedFacts.objects.all().delete()
    yield DatabaseCache()
    CachedFacts.objects.all().delete()


@pytest.fixture
def service(fake, cache):
    http = RegisterClient()
    return FactsService(providers=[SchoolUnitsProvider(http), PlannedEducationsProvider(http)],
                        cache=cache, wait_seconds=1.2)


@pytest.fixture
def translated(tmp_path, monkeypatch):
    """This task's strings merged into a scratch copy of the catalogs (the lead merges them
    into locales/ for real), so Arabic and Dari replies can be checked now."""
    if not STRINGS.exists():  # merged into locales/ already: the real catalogs have them
        yield
        return
    strings = json.loads(STRINGS.read_text(encoding="utf-8"))
    scratch = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, scratch)
    for language in ("sv", "ar", "fa_AF"):
        path = scratch / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            po = read_po(handle, locale=language)
        for msgid, translations in strings.items():
            po.add(msgid, translations[language])
        with path.open("wb") as handle:
            write_po(handle, po)
    monkeypatch.setattr(i18n, "LOCALES_DIR", scratch)
    i18n.catalog.cache_clear()
    yield
    i18n.catalog.cache_clear()


def lookup(service, topic_key, code):
    return asyncio.run(service.lookup(topics()[topic_key], directory().get(code), store().current())).register


# -- HTTP client ---------------------------------------------------------------------------------
def test_school_units_come_from_the_register_filtered_and_sorted(service, fake):
    facts = lookup(service, "school_enrol", BORAS)
    assert [i.name for i in facts.items] == ["Aplaredskolan", "Bodaskolan", "Daltorpskolan", "Engelbrektskolan",
                                             "Erikslundskolan"]
    assert facts.total == 7  # the ceased "Gamla skolan" and the gymnasium are left out
    assert facts.source == "Skolverket, Skolenhetsregistret" and facts.as_of == dt.date(2026, 11, 20)
    assert not facts.stale
    assert lookup(service, "school_upper_secondary", BORAS).items[0].name == "Sven Eriksonsgymnasiet"
    assert service.register_for("school_preschool") is None  # the register has no preschools
    listing = next(r for r in fake.requests if r["path"] == "/v2/school-units")
    assert listing["query"] == {"municipality_code": BORAS}
    assert listing["headers"]["User-Agent"] == USER_AGENT


def test_sfi_offerings_follow_every_page_and_put_upcoming_first(service, fake):
    facts = lookup(service, "sfi_enrol", BORAS)
    assert fake.hits("/v3/adult-education-events") == 3  # five events, two per page
    sent = next(r for r in fake.requests if r["path"] == "/v3/adult-education-events")
    assert sent["query"]["typeOfSchool"] == "sfi" and sent["query"]["geographicalAreaCode"] == BORAS
    assert sent["headers"]["Accept"] == "application/vnd.skolverket.plannededucations.api.v3.hal+json"
    assert [i.provider for i in facts.items] == ["Hermods", "Vuxenutbildningen Borås", "Lernia", "Old course"]
    hermods, evening = facts.items[:2]
    assert hermods.distance and not hermods.evening and evening.evening and not evening.distance


def test_evening_and_distance_question_puts_flagged_offerings_first(service):
    facts = lookup(service, "sfi_evening_distance", BORAS)
    assert [i.provider for i in facts.items][:2] == ["Hermods", "Vuxenutbildningen Borås"]


def test_an_empty_municipality_is_an_answer_not_an_error(service, fake):
    facts = lookup(service, "school_enrol", VANSBRO)
    assert facts.items == () and facts.total == 0 and not facts.stale
    reply, = Composer("sv", store().current(), {"school_enrol": facts}).topic_answer(
        topics()["school_enrol"], directory().get(VANSBRO))
    assert "inga lokala uppgifter" in reply.text.lower()


def test_server_errors_are_retried_a_bounded_number_of_times(fake):
    client = RegisterClient()
    fake.mode = "500-once"
    assert client.get_json(f"{fake.url}/v2/school-units", params={"municipality_code": BORAS})["data"]
    fake.mode, before = "500", fake.hits()
    with pytest.raises(SourceUnavailable):
        client.get_json(f"{fake.url}/v2/school-units")
    assert fake.hits() - before == 3


def test_a_slow_source_gives_up_quickly(fake):
    fake.mode = "slow"
    started = time.monotonic()
    with pytest.raises(SourceUnavailable):
        RegisterClient().get_json(f"{fake.url}/v2/school-units")
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("mode", ["malformed", "unexpected"])
def test_malformed_or_unexpected_bodies_are_unavailable_not_shown(fake, service, mode):
    fake.mode = mode
    assert lookup(service, "school_enrol", BORAS) is None
    with pytest.raises(SourceUnavailable):
        SchoolUnitsProvider(RegisterClient()).fetch(BORAS)


def test_a_short_retry_after_is_waited_for(fake):
    fake.mode, fake.retry_after = "429-once", "1"
    started = time.monotonic()
    assert RegisterClient().get_json(f"{fake.url}/v2/school-units", params={"municipality_code": BORAS})
    assert time.monotonic() - started >= 1 and fake.hits() == 2


def test_a_long_retry_after_is_respected_without_calling_again(fake):
    client = RegisterClient()
    fake.mode, fake.retry_after = "429", "120"
    with pytest.raises(SourceUnavailable):
        client.get_json(f"{fake.url}/v2/school-units")
    fake.mode = "ok"
    with pytest.raises(SourceUnavailable):
        client.get_json(f"{fake.url}/v2/school-units")
    assert fake.hits() == 1


# -- cache and fallbacks --------------------------------------------------------------------------
def test_when_the_source_is_down_the_cached_copy_answers_with_its_date(service, fake, cache):
    assert lookup(service, "school_enrol", BORAS).items
    key = cache_key("school_units", BORAS)
    entry = cache.get(key)
    cache.put(key, entry.payload, ttl_seconds=-1)  # expired: a refresh is due
    fake.stop()
    started = time.monotonic()
    facts = lookup(service, "school_enrol", BORAS)
    assert time.monotonic() - started < 2
    assert facts.stale and facts.items and facts.as_of == dt.date.fromisoformat(EXTRACT_DATE[:10])


def test_a_source_that_just_failed_is_not_waited_for_again(service, fake, cache):
    assert lookup(service, "school_enrol", BORAS).items
    key = cache_key("school_units", BORAS)
    cache.put(key, cache.get(key).payload, ttl_seconds=-1)
    fake.stop()
    lookup(service, "school_enrol", BORAS)  # the refresh fails: the source is marked down
    deadline = time.monotonic() + 10
    while not service.is_down(service.registers[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert service.is_down(service.registers[0])
    started = time.monotonic()
    facts = lookup(service, "school_enrol", BORAS)
    assert time.monotonic() - started < 0.5  # no wait for the unreachable source
    assert facts.stale and facts.items


def test_a_slow_source_does_not_hold_the_reply_and_fills_the_cache_later(service, fake, cache):
    fake.mode, fake.slow_seconds = "slow", 0.8  # each of the 11 requests is slow, but under the read timeout
    started = time.monotonic()
    assert lookup(service, "school_enrol", BORAS) is None  # nothing cached yet: shipped facts and web site
    assert time.monotonic() - started < 2
    deadline = time.monotonic() + 20
    while cache.get(cache_key("school_units", BORAS)) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    fake.mode = "ok"
    assert lookup(service, "school_enrol", BORAS).items


def test_offline_touches_no_network(monkeypatch, cache):
    """FACTS_OFFLINE=1: nothing connects anywhere (any connection outside loopback fails the
    test, and none is even attempted); answers come from the cache and shipped facts."""
    attempts = []
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        attempts.append(address)
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            pytest.fail(f"network access while FACTS_OFFLINE=1: {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setenv("FACTS_OFFLINE", "1")
    monkeypatch.delenv("SKOLVERKET_SCHOOL_UNITS_URL", raising=False)  # the real, public API
    http = RegisterClient()
    service = FactsService(providers=[SchoolUnitsProvider(http), PlannedEducationsProvider(http)], cache=cache)
    assert lookup(service, "school_enrol", BORAS) is None
    assert lookup(service, "sfi_enrol", BORAS) is None
    cache.put(cache_key("school_units", BORAS), {"as_of": "2026-11-01", "units": [
        {"code": "1", "name": "Sjöboskolan", "url": "", "school_types": ["GR"]}]}, ttl_seconds=-1)
    facts = lookup(service, "school_enrol", BORAS)
    assert [i.name for i in facts.items] == ["Sjöboskolan"] and facts.stale
    with pytest.raises(SourceUnavailable):
        service.refresh(service.registers[0], BORAS)
    assert not [a for a in attempts if isinstance(a, tuple)]


# -- replies ----------------------------------------------------------------------------------------
def test_replies_show_register_facts_with_source_and_date_in_each_language(service, translated):
    boras = directory().get(BORAS)
    facts = lookup(service, "school_enrol", BORAS)
    expected = {"sv": ("Grundskolor i", "Källa: Skolverket, Skolenhetsregistret, 20 november 2026", "2 till"),
                "ar": ("المدارس الأساسية", "المصدر:", "أخرى"),
                "fa_AF": ("مکتب‌های عمومی", "منبع:", "مورد دیگر")}
    for language, (header, source, more) in expected.items():
        reply, = Composer(language, store().current(), {"school_enrol": facts}).topic_answer(
            topics()["school_enrol"], boras)
        assert header in reply.text and source in reply.text and more in reply.text, reply.text
        assert i18n.format_date(dt.date(2026, 11, 20), language) in reply.text
        assert "inga lokala uppgifter" not in reply.text.lower()
        if language != "sv":
            assert f"{i18n.FSI}Aplaredskolan{i18n.PDI}" in reply.text
            assert f"{i18n.FSI}Skolverket, Skolenhetsregistret{i18n.PDI}" in reply.text
        else:
            assert "• Aplaredskolan" in reply.text


def test_sfi_reply_has_start_dates_and_flags(service, translated):
    facts = lookup(service, "sfi_evening_distance", BORAS)
    reply, = Composer("sv", store().current(), {"sfi_evening_distance": facts}).topic_answer(
        topics()["sfi_evening_distance"], directory().get(BORAS))
    start = i18n.format_date(dt.date.today() + dt.timedelta(days=10), "sv")
    assert f"börjar {start} · distans" in reply.text and "kvällstid" in reply.text
    assert "Källa: Skolverket, Planerade utbildningar" in reply.text
    assert reply.text.count("• Svenska för invandrare") == 4  # not the neighbour municipality's offering


def test_staff_facts_come_first_and_win_over_the_register(service):
    facts = lookup(service, "school_enrol", FALKOPING)
    assert len(facts.items) == 2
    reply, = Composer("sv", store().current(), {"school_enrol": facts}).topic_answer(
        topics()["school_enrol"], directory().get(FALKOPING))
    staff_name = "Skolplacering och mottagning av nyanlända elever, Falköping kommun"
    assert reply.text.count(staff_name) == 1
    assert reply.text.index(staff_name) < reply.text.index("Mösseberg skola")


def test_refresh_command_warms_the_cache_and_reports_failures(fake, cache, capsys):
    from django.core.management import call_command

    call_command("facts_refresh", BORAS, VANSBRO)
    out = capsys.readouterr().out
    assert "4/4" in out and "refreshed 4 of 4" in out
    assert cache.get(cache_key("sfi_offerings", BORAS)).payload["events"]
    fake.mode = "500"
    with pytest.raises(SystemExit):
        call_command("facts_refresh", BORAS, "--source", "school_units")
    assert "FAILED school_units 1490" in capsys.readouterr().out
