"""Redis in the scale-out profile, against a real redis-server (Debian's package): the facts
cache shared by every action server (bot/facts/cache.py, used when REDIS_URL is set) and Rasa's
lock store on REDIS_URL (bot/lock_store.py)."""

import asyncio
import json
import secrets
import shutil
import socket
import subprocess
import time

import pytest

from bot.facts.cache import RedisCache, cache_key, default_cache
from bot.facts.http import RegisterClient
from bot.facts.providers import PlannedEducationsProvider, SchoolUnitsProvider
from bot.facts.service import FactsService
from bot.lock_store import RedisUrlLockStore, redis_connection_fields
from bot.municipalities import directory
from tests.fake_skolverket import FakeSkolverket

BORAS = "1490"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A private redis-server with a password, configured like the scaled profile's."""
    from bot.scaled import DEPLOY_DIR, ensure_services

    ensure_services()
    port, password = _free_port(), secrets.token_urlsafe(16)
    directory_ = tmp_path_factory.mktemp("redis")
    conf = directory_ / "redis.conf"
    conf.write_text((DEPLOY_DIR / "redis.conf").read_text()
                    + f"\nport {port}\ndir {directory_}\nrequirepass {password}\n")
    server = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", str(conf)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    import redis

    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def fake(monkeypatch):
    server = FakeSkolverket().start()
    monkeypatch.setenv("SKOLVERKET_SCHOOL_UNITS_URL", server.url)
    monkeypatch.setenv("SKOLVERKET_PLANNED_EDUCATIONS_URL", server.url)
    monkeypatch.setenv("FACTS_OFFLINE", "0")
    yield server
    server.stop()


def _service(cache) -> FactsService:
    http = RegisterClient()
    return FactsService(providers=[SchoolUnitsProvider(http), PlannedEducationsProvider(http)], cache=cache,
                        wait_seconds=2)


def _school_facts(service):
    from bot.content import store, topics

    return asyncio.run(service.lookup(topics()["school_enrol"], directory().get(BORAS), store().current())).register


def test_default_cache_is_redis_when_redis_url_is_set(monkeypatch, redis_url):
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert isinstance(default_cache(), RedisCache)
    monkeypatch.delenv("REDIS_URL")
    assert not isinstance(default_cache(), RedisCache)


def test_register_facts_are_shared_through_redis_and_stale_ones_serve_when_the_source_is_down(
        database, redis_url, fake):
    import redis

    client = redis.Redis.from_url(redis_url)
    key = RedisCache.PREFIX + cache_key("school_units", BORAS)
    client.delete(key)

    first = _service(RedisCache(redis_url))
    facts = _school_facts(first)
    assert facts.items and not facts.stale
    stored = json.loads(client.get(key))
    assert stored["payload"]["units"] and stored["fetched_at"] < stored["expires_at"]
    assert client.ttl(key) == -1, "stale facts must stay usable: no Redis expiry"

    # Another action server (another process on another machine) finds them without asking the register.
    hits = fake.hits()
    other = _service(RedisCache(redis_url))
    assert [i.name for i in _school_facts(other).items] == [i.name for i in facts.items]
    assert fake.hits() == hits

    # The register goes down and the entry expires: the answer still has the data, dated as stale.
    RedisCache(redis_url).put(cache_key("school_units", BORAS), stored["payload"], ttl_seconds=-1)
    fake.stop()
    stale = _school_facts(_service(RedisCache(redis_url)))
    assert stale.stale and [i.name for i in stale.items] == [i.name for i in facts.items]
    client.delete(key)


def test_an_unreachable_redis_costs_the_register_data_not_the_answer(database, monkeypatch):
    monkeypatch.setenv("FACTS_OFFLINE", "1")
    service = _service(RedisCache(f"redis://127.0.0.1:{_free_port()}/0"))
    started = time.monotonic()
    assert service.cached(service.registers[0], BORAS) is None
    assert _school_facts(service) is None
    assert time.monotonic() - started < 5, "a dead cache must fail fast (socket timeouts of 0.5 s)"


def test_redis_url_becomes_the_lock_store_fields():
    assert redis_connection_fields("redis://:p%40ss@10.0.0.5:6390/2") == {
        "host": "10.0.0.5", "port": 6390, "db": 2, "username": None, "password": "p@ss", "use_ssl": False}
    assert redis_connection_fields("rediss://rasa:pw@redis.internal")["use_ssl"] is True
    assert redis_connection_fields("rediss://rasa:pw@redis.internal")["port"] == 6379
    with pytest.raises(ValueError, match="redis://"):
        redis_connection_fields("http://127.0.0.1:6379")


def test_lock_store_on_redis_url_holds_a_conversation_lock_in_redis(monkeypatch, redis_url):
    import redis

    monkeypatch.setenv("REDIS_URL", redis_url)
    store = RedisUrlLockStore()
    client = redis.Redis.from_url(redis_url)
    conversation = f"lock-test-{secrets.token_hex(4)}"

    async def hold():
        async with store.lock(conversation):
            return client.get(f"newcomer:lock:{conversation}")

    held = asyncio.run(hold())
    assert held and json.loads(held)["conversation_id"] == conversation
    assert client.get(f"newcomer:lock:{conversation}") is None, "the lock is released after the message"

    monkeypatch.delenv("REDIS_URL")
    with pytest.raises(ValueError, match="REDIS_URL"):
        RedisUrlLockStore()
