"""Register facts through the whole product: the real action server and Rasa, talking to the
local Skolverket stand-in instead of the internet. Its own stack, because this one must be
online (FACTS_OFFLINE=0) and point at the stand-in; the shared stack stays offline."""

import datetime as dt
import time

import pytest

from bot.answers import REGISTER_SOURCE, REGISTER_SOURCE_STALE, Composer
from bot.content import Snapshot
from bot.i18n import format_date, translate
from tests.conftest import _RUN_DIR, _free_port
from tests.fake_skolverket import EXTRACT_DATE, FakeSkolverket
from tests.helpers import RestClient, text_of

BORAS = "1490"  # no shipped facts
SCHOOLS = "Skolverket, Skolenhetsregistret"
SFI = "Skolverket, Planerade utbildningar"
REGISTER_DATE = dt.date.fromisoformat(EXTRACT_DATE[:10])


@pytest.fixture(scope="module")
def fake():
    server = FakeSkolverket().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def online_stack(database, fake):
    from bot.stack import Stack, model_path
    from webapp.facts.models import CachedFacts

    model = model_path()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make train` first (make test does)")
    CachedFacts.objects.all().delete()
    running = Stack(rasa_port=_free_port(), actions_port=_free_port(), web_port=_free_port(),
                    log_dir=_RUN_DIR / "logs-facts",
                    extra_env={"FACTS_OFFLINE": "0", "SKOLVERKET_SCHOOL_UNITS_URL": fake.url,
                               "SKOLVERKET_PLANNED_EDUCATIONS_URL": fake.url})
    running.start(model, timeout=240)
    yield running
    running.stop()
    CachedFacts.objects.all().delete()  # the shared stack's tests expect an empty cache


@pytest.fixture
def client(online_stack):
    return RestClient(f"http://127.0.0.1:{online_stack.rasa_port}")


def source_line(language: str, msgid: str, source: str, date: dt.date) -> str:
    """The source line as the bot's catalogs render it (before and after the strings merge)."""
    ltr = Composer(language, Snapshot())._ltr
    return translate(language, msgid, source=ltr(source), date=format_date(date, language)).strip()


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_schools_and_sfi_in_a_municipality_without_shipped_facts(client, language):
    metadata = {"language": language, "municipality": BORAS, "channel": "web"}
    sender = client.new_sender()
    schools = text_of(client.send(sender, "/school_enrol", metadata))
    assert "Aplaredskolan" in schools and "Bodaskolan" in schools
    assert "Sven Eriksonsgymnasiet" not in schools  # an upper secondary school is not for starting school
    assert source_line(language, REGISTER_SOURCE, SCHOOLS, REGISTER_DATE) in schools

    sfi = text_of(client.send(client.new_sender(), "/sfi_enrol", metadata))
    assert "Hermods" in sfi and "Elsewhere" not in sfi
    assert format_date(dt.date.today() + dt.timedelta(days=10), language) in sfi
    assert source_line(language, REGISTER_SOURCE, SFI, dt.date.today()) in sfi


def test_with_the_registers_down_the_cached_copy_answers_within_two_seconds(client, fake):
    from webapp.facts.models import CachedFacts

    metadata = {"language": "sv", "municipality": BORAS, "channel": "web"}
    client.send(client.new_sender(), "/school_enrol", metadata)  # cached now
    CachedFacts.objects.update(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    fake.stop()
    started = time.monotonic()
    text = text_of(client.send(client.new_sender(), "/school_enrol", metadata))
    assert time.monotonic() - started < 2
    assert "Aplaredskolan" in text
    assert source_line("sv", REGISTER_SOURCE_STALE, SCHOOLS, REGISTER_DATE) in text
